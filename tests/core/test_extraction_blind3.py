"""The extraction on tests/data/blind3.yaml (40 real items weighted toward hard places, measured
blind before any rule was written for them), and the general readings their misses led to."""

from __future__ import annotations

import pytest

from bot.extraction import extract
from bot.extraction.evaluation import evaluate, load_items
from bot.models import Article
from bot.taxonomy import ACTIONS, SCOPES

from ..conftest import DATA_DIR


@pytest.fixture(scope="module")
def blind3_report():
    """The extraction's figures on tests/data/blind3.yaml."""
    return evaluate(load_items(DATA_DIR / "blind3.yaml"))


@pytest.mark.parametrize(
    ("metric", "floor"),
    [
        # Just under what is reached after the fixes (see README; blind it was 68/75/52/70/52%).
        # Event dates: the labels leave the day unknown where the extraction falls back to the
        # publication date, so that figure stays low by design.
        ("action", 0.95),
        ("is_policy", 0.97),
        ("place", 0.75),
        ("scope", 0.78),
        ("event_date", 0.45),
    ],
)
def test_blind3_accuracy(blind3_report, metric: str, floor: float) -> None:
    """The blind3 figures stay at or above the floors."""
    assert blind3_report.total == 40
    misses = [miss for miss in blind3_report.misses if miss[1] == metric]
    assert blind3_report.accuracy(metric) >= floor, misses


def test_blind3_labels_use_taxonomy_names() -> None:
    """Every label is a taxonomy name, and is_policy agrees with the action."""
    for item in load_items(DATA_DIR / "blind3.yaml"):
        labels = item["labels"]
        assert labels["action"] in ACTIONS, item["id"]
        assert labels["scope"] in SCOPES, item["id"]
        assert labels["is_policy"] == (labels["action"] != "none"), item["id"]
        assert set(item.get("acceptable_actions") or []) <= set(ACTIONS), item["id"]


def test_blind3_shares_no_item_with_the_other_sets() -> None:
    """No headline or URL of dev, holdout or blind2 is reused in blind3."""
    seen_titles: set[str] = set()
    seen_urls: set[str] = set()
    for name in ("dev.yaml", "holdout.yaml", "blind2.yaml"):
        for item in load_items(DATA_DIR / name):
            seen_titles.add(item["title"].casefold())
            seen_urls.add(str(item.get("url")))
    blind = load_items(DATA_DIR / "blind3.yaml")
    titles = [item["title"].casefold() for item in blind]
    assert len(titles) == len(set(titles))
    assert not seen_titles & set(titles)
    assert not seen_urls & {str(item.get("url")) for item in blind}


# --- General readings (headlines written for these tests, not taken from blind3) -----------


def _read(title: str, excerpt: str = "", domain: str | None = None):
    return extract(Article(id="t", title=title, excerpt=excerpt, provider_domain=domain))


def _main(title: str, excerpt: str = "", domain: str | None = None):
    result = _read(title, excerpt, domain)
    assert result.place is not None, title
    return result.place


def test_state_outlet_attorney_general_with_no_place_named_is_the_state() -> None:
    place = _main(
        "Attorney General files suit against face-scanning app maker",
        "The attorney general said the company collected residents' facial recognition data "
        "without consent, in violation of the state's consumer protection law.",
        domain="texastribune.org",
    )
    assert (place.level, place.state) == ("state", "TX")


def test_court_seat_is_not_the_place_of_a_state_law_settlement() -> None:
    place = _main(
        "Photo app settles biometric privacy class action",
        "A federal judge in Chicago approved the settlement of claims that the app scanned "
        "faces in breach of Illinois' biometric privacy law.",
    )
    assert (place.level, place.state) == ("state", "IL")


def test_provincial_capital_dateline_of_provincial_news_is_the_province() -> None:
    place = _main(
        "Privacy commissioner tells police to stop using facial recognition tool",
        "VICTORIA, B.C. — The province's information and privacy commissioner said Tuesday ...",
    )
    assert (place.level, place.state, place.country) == ("state", "British Columbia", "CA")


def test_city_called_the_provincial_capital_stays_the_city() -> None:
    place = _main(
        "Police pilot facial recognition cameras",
        "EDMONTON, Alberta — Police in the provincial capital began a pilot of facial "
        "recognition body cameras.",
    )
    assert (place.level, place.city) == ("city", "Edmonton")


def test_lower_case_gardai_and_a_minister_make_irish_national_news() -> None:
    place = _main(
        "Minister to fast-track facial recognition for gardaí",
        "The Minister for Justice said amendments would let gardaí use facial recognition on "
        "footage from Dublin.",
    )
    assert (place.level, place.country) == ("national", "IE")


def test_many_forces_listed_make_a_national_story() -> None:
    place = _main(
        "Facial recognition vans for more police forces",
        "Forces including Hampshire, Bedfordshire, West Yorkshire and Surrey will get the vans, "
        "the Home Office said.",
    )
    assert (place.level, place.country) == ("national", "GB")


def test_number_word_opening_a_sentence_is_not_a_town() -> None:
    place = _main(
        "Schools pause facial recognition at lunch",
        "Nine schools in South Lanarkshire stopped using facial recognition for lunch payments.",
    )
    assert (place.level, place.county, place.state) == ("county", "South Lanarkshire", "Scotland")


def test_national_regulator_names_its_country() -> None:
    place = _main(
        "Retailer fined over facial recognition cameras",
        "The AEPD fined the retailer for using facial recognition in its stores.",
    )
    assert (place.level, place.country) == ("national", "ES")


@pytest.mark.parametrize(
    ("title", "excerpt", "action"),
    [
        ("Senators urge agency to halt facial recognition at checkpoints", "", "ban_proposed"),
        ("Bill would stop border agency from using facial recognition", "", "ban_proposed"),
        (
            "Regulator issues policy statement on biometric information",
            "The statement warns that misuse of facial recognition may break the law.",
            "regulation_or_oversight_law",
        ),
        (
            "Casinos must install facial recognition under new rules",
            "",
            "regulation_or_oversight_law",
        ),
        ("Facial recognition law for police to be fast-tracked", "", "ordinance_debated"),
        ("Police to use facial recognition at marathon", "", "use_expanded_or_adopted"),
        ("ICE is using a facial recognition app in the field", "", "use_expanded_or_adopted"),
        ("Firm agrees to pay $5 million over facial geometry data", "", "settlement"),
    ],
)
def test_general_wordings(title: str, excerpt: str, action: str) -> None:
    assert _read(title, excerpt).action == action


def test_judge_whether_is_not_a_court() -> None:
    result = _read(
        "School cameras read students' faces",
        "Cameras use facial recognition to judge whether students are paying attention.",
    )
    assert result.action != "lawsuit_or_court_challenge"
