"""General readings that the misses of tests/data/blind4.yaml (30 real items sampled like an
ordinary facial-recognition news feed, measured blind) led to; the set's floors are in
test_labelled_sets.py."""

from __future__ import annotations

import pytest

from bot.extraction import extract
from bot.models import Article

# --- General readings (headlines written for these tests, not taken from blind4) -----------


def _read(title: str, excerpt: str = "", domain: str | None = None):
    return extract(Article(id="t", title=title, excerpt=excerpt, provider_domain=domain))


@pytest.mark.parametrize(
    ("title", "action"),
    [
        # An agency declining or dropping a tool decides for itself.
        ("County sheriff will not use facial recognition", "agency_order_or_suspension"),
        ("Tax agency drops plan to require face scans for logins", "agency_order_or_suspension"),
        # FR as the sole basis for an arrest: a condition, not a ban.
        (
            "Governor signs bill that bars police from using facial recognition as sole basis "
            "for arrest",
            "regulation_or_oversight_law",
        ),
        # More use of a tool already in use is expansion.
        ("Police to triple use of live facial recognition vans", "use_expanded_or_adopted"),
        ("City to start pilot project with facial recognition cameras", "use_expanded_or_adopted"),
        # A country opening the headline acts as a government.
        ("Germany to roll out facial recognition at train stations", "use_expanded_or_adopted"),
        # A platform changing its default is its own policy.
        ("Facebook makes face recognition opt-in for all users", "company_policy"),
    ],
)
def test_general_phrasings(title: str, action: str) -> None:
    assert _read(title).action == action


def test_company_telling_investors_its_plans_is_not_a_campaign() -> None:
    result = _read(
        "Face search startup pitches expansion",
        "The facial recognition company told investors it wanted to expand into banking.",
    )
    assert result.action == "none"


def test_country_named_late_in_a_product_headline_is_not_a_government_actor() -> None:
    result = _read("Airline unveils biometric boarding terminal in U.S.")
    assert result.action == "none"


def test_irs_is_federal_news() -> None:
    result = _read("IRS will not use facial recognition for online accounts")
    assert result.place is not None
    assert (result.place.level, result.place.country) == ("national", "US")
    assert result.scope == "government"
