"""General readings that the misses of tests/data/blind3.yaml (40 real items weighted toward
hard places, measured blind) led to; the set's floors are in test_labelled_sets.py."""

from __future__ import annotations

import pytest

from bot.extraction import extract
from bot.models import Article

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
        # A halt urged by officials: proposed, and a fair reader takes it as a ban or a pause.
        (
            "Senators urge agency to halt facial recognition at checkpoints",
            "",
            "ban_proposed|moratorium_proposed",
        ),
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
    assert _read(title, excerpt).action in action.split("|")


def test_judge_whether_is_not_a_court() -> None:
    result = _read(
        "School cameras read students' faces",
        "Cameras use facial recognition to judge whether students are paying attention.",
    )
    assert result.action != "lawsuit_or_court_challenge"
