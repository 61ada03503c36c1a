"""The extraction on tests/data/blind2.yaml (60 real items measured blind, before any rule was
written for them), and the general readings their misses led to."""

from __future__ import annotations

import pytest

from bot.extraction import extract
from bot.extraction.evaluation import evaluate, load_items
from bot.models import Article
from bot.taxonomy import ACTIONS, SCOPES

from ..conftest import DATA_DIR


@pytest.fixture(scope="module")
def blind2_report():
    """The extraction's figures on tests/data/blind2.yaml."""
    return evaluate(load_items(DATA_DIR / "blind2.yaml"))


@pytest.mark.parametrize(
    ("metric", "floor"),
    [
        # Just under what is reached after the fixes (see README; blind it was 68/82/70/68/77%).
        ("action", 0.9),
        ("is_policy", 0.95),
        ("place", 0.78),
        ("scope", 0.75),
        ("event_date", 0.78),
    ],
)
def test_blind2_accuracy(blind2_report, metric: str, floor: float) -> None:
    """The blind2 figures stay at or above the floors."""
    assert blind2_report.total == 60
    misses = [miss for miss in blind2_report.misses if miss[1] == metric]
    assert blind2_report.accuracy(metric) >= floor, misses


def test_blind2_labels_use_taxonomy_names() -> None:
    """Every label is a taxonomy name, and is_policy agrees with the action."""
    for item in load_items(DATA_DIR / "blind2.yaml"):
        labels = item["labels"]
        assert labels["action"] in ACTIONS, item["id"]
        assert labels["scope"] in SCOPES, item["id"]
        assert labels["is_policy"] == (labels["action"] != "none"), item["id"]
        assert set(item.get("acceptable_actions") or []) <= set(ACTIONS), item["id"]


def test_blind2_shares_no_item_with_the_other_sets() -> None:
    """No headline or URL of dev or holdout is reused in blind2."""
    seen_titles: set[str] = set()
    seen_urls: set[str] = set()
    for name in ("dev.yaml", "holdout.yaml"):
        for item in load_items(DATA_DIR / name):
            seen_titles.add(item["title"].casefold())
            seen_urls.add(str(item.get("url")))
    blind = load_items(DATA_DIR / "blind2.yaml")
    titles = [item["title"].casefold() for item in blind]
    assert len(titles) == len(set(titles))
    assert not seen_titles & set(titles)
    assert not seen_urls & {str(item.get("url")) for item in blind}


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
