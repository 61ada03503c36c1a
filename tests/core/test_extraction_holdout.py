"""The extraction on hostile input (huge bodies, chat markup, empty fields) and the general
readings the holdout set's misses led to; every set's floors are in test_labelled_sets.py."""

from __future__ import annotations

import pytest

from bot.extraction import extract
from bot.models import Article
from bot.taxonomy import ACTIONS

# --- Hostile input -------------------------------------------------------------------------

_MEGABYTE = 1_000_000
HUGE_BODIES = {
    "prose": "The Springfield City Council voted to ban facial recognition. ",
    "capitalised names": "Boston Chicago Springfield Portland ",
    "initials": "Mr. A. B. C. D. Gov. E. F. ",
    "titles": "Gov. Mayor Sen. ",
    "markup": "**bold** <@123456> <#42> https://example.com/x?y=1 `code` ",
    "one word": "a",
}


def huge_body(name: str) -> str:
    """One megabyte of the named shape (also used by bench/extraction_speed.py)."""
    unit = HUGE_BODIES[name]
    return (unit * (_MEGABYTE // len(unit) + 1))[:_MEGABYTE]


@pytest.mark.parametrize("name", sorted(HUGE_BODIES))
def test_one_megabyte_body_of_any_shape_is_read(name: str) -> None:
    """The headline still decides; how fast is measured by bench/extraction_speed.py."""
    article = Article(id="big", title="Council bans facial recognition", body=huge_body(name))
    assert extract(article).action == "ban_enacted"


def test_huge_title_and_excerpt_are_read() -> None:
    text = "Gov. Springfield Mass. facial recognition ban " * 25_000
    result = extract(Article(id="big", title=text, excerpt=text))
    assert result.action in ACTIONS


@pytest.mark.parametrize(
    ("title", "excerpt", "body"),
    [
        ("Boston bans facial recognition", "", ""),
        ("Boston bans facial recognition", "", "   \n\n  "),
        ("", "The Boston City Council voted to ban facial recognition.", ""),
        ("", "", "The Boston City Council voted to ban facial recognition."),
    ],
)
def test_empty_fields(title: str, excerpt: str, body: str) -> None:
    """Any one field is enough; empty ones are no trouble."""
    result = extract(Article(id="e", title=title, excerpt=excerpt, body=body))
    assert result.action == "ban_enacted"
    assert result.place is not None and result.place.city == "Boston"


def test_markdown_mentions_and_links_do_not_change_the_reading() -> None:
    plain = extract(
        Article(
            id="p",
            title="Portland, Maine council votes to ban facial recognition",
            excerpt="The City Council voted Monday to ban police use of facial recognition.",
        )
    )
    marked = extract(
        Article(
            id="m",
            title="**Portland, Maine** council votes to __ban__ facial recognition <@1234567>",
            excerpt="> The City Council voted Monday to ban <#99> police use of "
            "[facial recognition](https://example.com/Chicago) ||spoiler|| <:emoji:123>",
        )
    )
    assert (marked.action, marked.scope, marked.place) == (plain.action, plain.scope, plain.place)
    assert marked.place is not None and marked.place.state == "ME"


def test_titled_people_are_not_places() -> None:
    """ "Gov. Charlie Baker" makes "Baker" (a town in Louisiana) a person in the headline too."""
    result = extract(
        Article(
            id="b",
            title="Baker signs police reform bill limiting facial recognition",
            excerpt="Gov. Charlie Baker signed the bill on Thursday.",
            provider_domain="wbur.org",
        )
    )
    assert all(place.state != "LA" for place in result.places)


def test_capital_dateline_of_a_state_story_is_the_state() -> None:
    """ "HARTFORD, Conn. — Gov. ... signed" is news about the state, not the capital city."""
    result = extract(
        Article(
            id="c",
            title="Governor signs bill limiting police use of facial recognition",
            excerpt="HARTFORD, Conn. — Gov. Ned Lamont on Tuesday signed a bill that requires "
            "police to get a warrant before running a facial recognition search.",
        )
    )
    assert result.place is not None
    assert (result.place.level, result.place.state) == ("state", "CT")


def test_city_story_with_a_dateline_stays_the_city() -> None:
    result = extract(
        Article(
            id="d",
            title="Council votes to ban facial recognition",
            excerpt="HARTFORD, Conn. — The City Council voted Monday to ban police use of "
            "facial recognition.",
        )
    )
    assert result.place is not None
    assert (result.place.level, result.place.city) == ("city", "Hartford")
