"""The map's layout, its PNG and its status page, from statuses made by the tracker."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.map import MapError, MapPlace, layout
from bot.map.png import render_png
from bot.map.site import SitePlace, render_site, write_site
from bot.models import Event, Jurisdiction
from bot.tracker import derive_status

TODAY = dt.date(2026, 12, 6)


def place(key: str, status: str, *, unconfirmed: bool = False) -> MapPlace:
    level, country, state, *rest = key.split(":", 3)
    name = rest[0] if rest else (state or country)
    return MapPlace(
        key, name, level, country or None, state or None, status, "police", None, unconfirmed
    )


def status_of(key: str, *actions: str, title: str = "Council acts", url: str | None = None):
    level, country, state, *rest = key.split(":", 3)
    jurisdiction = Jurisdiction(key, level, rest[0] if rest else state, state or None, country)
    events = [
        Event(
            f"{key}-{i}",
            title,
            url or "https://news.example/a",
            "Example News",
            None,
            dt.date(2020, 1, i + 1),
            action,
            "police",
            key,
        )
        for i, action in enumerate(actions)
    ]
    return derive_status(jurisdiction, events)


def test_us_map_puts_states_counties_and_cities_where_they_are():
    drawing = layout(
        [
            place("state:US:VT", "ban"),
            place("county:US:WA:King County", "ban"),
            place("city:US:MA:Springfield", "moratorium", unconfirmed=True),
            place("city:US:IL:Springfield", "pending"),
            place("national:US:", "restricted"),
        ],
        "us",
        as_of=TODAY,
    )
    assert {p.key for _, p in drawing.areas} == {"state:US:VT", "county:US:WA:King County"}
    points = {p.key: (x, y) for x, y, p in drawing.points}
    # Two Springfields, two places: Massachusetts lies east of Illinois.
    assert points["city:US:MA:Springfield"][0] > points["city:US:IL:Springfield"][0]
    assert [p.key for p in drawing.region_wide] == ["national:US:"]
    assert drawing.counts() == {"ban": 2, "moratorium": 1, "pending": 1}


def test_places_that_cannot_be_drawn_are_listed_with_why_never_dropped():
    drawing = layout(
        [place("city:US:MA:Nowhereville", "ban"), place("county:US:MA:Atlantis County", "ban")],
        "us",
        as_of=TODAY,
    )
    assert [(p.key, why) for p, why in drawing.not_drawn] == [
        ("county:US:MA:Atlantis County", "no boundary for this county"),
        ("city:US:MA:Nowhereville", "no coordinates for this city"),
    ]


def test_no_action_and_companies_are_not_places_on_the_map():
    drawing = layout(
        [place("city:US:MA:Boston", "no_action"), place("company:US::Clearview AI", "ban")],
        "us",
        as_of=TODAY,
    )
    assert drawing.empty


def test_an_eu_measure_colours_members_without_their_own():
    drawing = layout(
        [place("national:EU:", "restricted"), place("national:IT:", "moratorium")],
        "europe",
        as_of=TODAY,
    )
    by_status = {p.key for _, p in drawing.areas}
    assert by_status == {"national:EU:", "national:IT:"}
    assert sum(1 for _, p in drawing.areas if p.key == "national:EU:") == 26
    assert drawing.counts() == {"moratorium": 1, "restricted": 1}


def test_a_state_map_and_bad_options():
    drawing = layout([place("city:US:MA:Somerville", "ban")], "us", state="ma", as_of=TODAY)
    assert drawing.title == "Massachusetts" and len(drawing.points) == 1
    with pytest.raises(MapError, match="not a US state"):
        layout([], "us", state="ZZ")
    with pytest.raises(MapError, match="Choose one of: us, europe, world"):
        layout([], "mars")


def test_a_png_with_places_and_an_empty_one():
    full = render_png(
        layout(
            [
                place("state:US:WA", "restricted", unconfirmed=True),
                place("city:US:MA:Boston", "ban"),
            ],
            "us",
            as_of=TODAY,
        )
    )
    # Regions other than the US are laid out above; drawing them is the same code.
    empty = render_png(layout([], "us", state="RI", as_of=TODAY))
    for image in (full, empty):
        assert image.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(full) > 20_000


def test_the_page_escapes_what_articles_and_places_say(tmp_path):
    hostile = "<script>alert(1)</script>"
    statuses = [
        SitePlace(status_of(f"city:US:CA:{hostile}", "ban_enacted", title=hostile)),
        SitePlace(
            status_of("city:US:MA:Springfield", "moratorium_enacted", url="javascript:alert(1)"),
            unconfirmed=True,
        ),
    ]
    page = write_site(statuses, tmp_path / "site", as_of=TODAY).read_text(encoding="utf-8")
    assert hostile not in page and "javascript:" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Moratorium (unconfirmed)" in page
    # Nothing is fetched from anywhere: no src attributes, no stylesheet links.
    assert not re.search(r"\ssrc=|<link\b|@import|url\(", page)


def test_an_empty_page_says_so():
    page = render_site([], as_of=TODAY)
    assert "No place has a status on record yet." in page


def test_the_page_says_a_measure_that_ran_out_expired():
    term = "State passes three-year moratorium"
    ran_out = status_of("state:US:CA", "moratorium_enacted", title=term)
    assert (ran_out.status, ran_out.expired_on) == ("repealed", dt.date(2023, 1, 1))
    repealed = status_of("city:US:MA:Springfield", "ban_enacted", "ban_repealed_or_weakened")
    page = render_site([SitePlace(ran_out), SitePlace(repealed)], as_of=TODAY)
    assert '<span class="badge s-repealed">Expired</span>' in page
    assert '<span class="badge s-repealed">Repealed</span>' in page
    assert '"expired_on": "2023-01-01"' in page
