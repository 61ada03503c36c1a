"""General readings that the misses of tests/data/blind2.yaml (60 real items measured blind)
led to; the set's floors are in test_labelled_sets.py."""

from __future__ import annotations

import pytest

from bot.extraction import extract
from bot.models import Article

# --- General readings (headlines written for these tests, not taken from blind2) -----------


def _read(title: str, excerpt: str = "", domain: str | None = None):
    return extract(Article(id="t", title=title, excerpt=excerpt, provider_domain=domain))


@pytest.mark.parametrize(
    ("title", "excerpt", "action"),
    [
        # A force barring its own officers is an internal order, not a ban law.
        (
            "NYPD bans officers from using facial recognition apps on personal phones",
            "",
            "agency_order_or_suspension",
        ),
        (
            "State auditor opens investigation into police facial recognition contracts",
            "",
            "agency_order_or_suspension",
        ),
        (
            "Senators call for moratorium on federal use of facial recognition",
            "",
            "moratorium_proposed",
        ),
        (
            "Sheriff's office invites bids for facial recognition system",
            "",
            "use_expanded_or_adopted",
        ),
        (
            "Transit agency switches on facial recognition cameras at stations",
            "",
            "use_expanded_or_adopted",
        ),
        (
            "Legislature greenlights bill regulating facial recognition",
            "",
            "regulation_or_oversight_law",
        ),
        (
            "County amends facial recognition ban so deputies can unlock their phones",
            "",
            "ban_repealed_or_weakened",
        ),
    ],
)
def test_general_wordings(title: str, excerpt: str, action: str) -> None:
    assert _read(title, excerpt).action == action


def test_short_acronym_is_not_the_town_sharing_its_letters() -> None:
    """ "GAO" is an agency, not Gao in Mali; "UN" is not Un in India."""
    for title in (
        "GAO report faults FBI facial recognition oversight",
        "UN experts call for moratorium on facial recognition",
    ):
        result = _read(title)
        assert all(place.country not in ("ML", "IN") for place in result.places), title


def test_demonym_before_a_word_makes_a_name_not_a_place() -> None:
    """ "Canadian Tire" is a retailer, not the town of Tire in Turkey."""
    result = _read("Canadian Tire dealers used facial recognition, privacy commissioner finds")
    assert all(place.country != "TR" for place in result.places)


def test_capital_dateline_of_a_national_story_is_the_country() -> None:
    result = _read(
        "Cabinet approves facial recognition rules for police",
        "CANBERRA — The federal cabinet on Tuesday approved national rules for police use of "
        "facial recognition.",
    )
    assert result.place is not None
    assert (result.place.level, result.place.country) == ("national", "AU")


def test_met_police_with_a_lower_case_police_is_london() -> None:
    result = _read("Met police to expand live facial recognition", domain="theguardian.com")
    assert result.place is not None and result.place.city == "London"
