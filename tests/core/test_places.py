"""Tests for bot.places: the gazetteer helpers used by the extraction and the tracker."""

from __future__ import annotations

import pytest

from bot.places import (
    PlaceQuery,
    city_candidates,
    country_code,
    country_name,
    county_candidates,
    gazetteer,
    name_key,
    parse_place_query,
    state_code,
    state_name,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chicago", PlaceQuery("Chicago", "IL", "US", "city")),
        ("Chicago, IL", PlaceQuery("Chicago", "IL", "US", "city")),
        ("Springfield MA", PlaceQuery("Springfield", "MA", "US", "city")),
        ("springfield, mass.", PlaceQuery("Springfield", "MA", "US", "city")),
        ("Springfield", PlaceQuery("Springfield", None, None, "city")),
        ("Portland, Oregon", PlaceQuery("Portland", "OR", "US", "city")),
        ("Portland Maine", PlaceQuery("Portland", "ME", "US", "city")),
        ("King County, Wash.", PlaceQuery("King County", "WA", "US", "county")),
        ("New Jersey", PlaceQuery("New Jersey", "NJ", "US", "state")),
        ("NJ", PlaceQuery("New Jersey", "NJ", "US", "state")),
        ("new york", PlaceQuery("New York", "NY", "US", "state")),
        ("New York City", PlaceQuery("New York City", "NY", "US", "city")),
        ("NYC", PlaceQuery("New York City", "NY", "US", "city")),
        ("Moscow, Russia", PlaceQuery("Moscow", None, "RU", "city")),
        ("Russia", PlaceQuery("Russia", None, "RU", "national")),
        ("UK", PlaceQuery("United Kingdom", None, "GB", "national")),
        ("Telangana", PlaceQuery("Telangana", "Telangana", "IN", "state")),
        ("St. Louis", PlaceQuery("St. Louis", None, None, "city")),
        ("St. Louis, MO", PlaceQuery("St. Louis", "MO", "US", "city")),
        ("Montreal", PlaceQuery("Montréal", "Quebec", "CA", "city")),
        ("  Boston ,  MA ", PlaceQuery("Boston", "MA", "US", "city")),
        ("Washington, D.C.", PlaceQuery("Washington", "DC", "US", "city")),
        ("Hawaiʻi", PlaceQuery("Hawaii", "HI", "US", "state")),
    ],
)
def test_parse_place_query(text: str, expected: PlaceQuery) -> None:
    assert parse_place_query(text) == expected


@pytest.mark.parametrize("text", ["", "   ", ",", " , ; "])
def test_parse_place_query_rejects_empty(text: str) -> None:
    with pytest.raises(ValueError):
        parse_place_query(text)


def test_parse_place_query_keeps_unknown_names() -> None:
    query = parse_place_query("Nowheresville, VT")
    assert query == PlaceQuery("Nowheresville", "VT", "US", "city")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("New Jersey", "NJ"),
        ("N.J.", "NJ"),
        ("nj", "NJ"),
        ("Mass.", "MA"),
        ("Calif.", "CA"),
        ("Wash.", "WA"),
        ("Or.", "OR"),
        ("Massachusetts", "MA"),
        ("Telangana", "Telangana"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_state_code(text: str, code: str | None) -> None:
    assert state_code(text) == code


def test_state_and_country_names() -> None:
    assert state_name("MA") == "Massachusetts"
    assert state_name("ma") == "Massachusetts"
    assert state_name("ZZ") is None
    assert country_code("Russia") == "RU"
    assert country_code("United Kingdom") == "GB"
    assert country_code("U.K.") == "GB"
    assert country_code("European Union") == "EU"
    assert country_code("ru") == "RU"
    assert country_code("Narnia") is None
    assert country_name("RU") == "Russia"
    assert country_name("EU") == "European Union"
    assert country_name("XX") is None


def test_city_candidates_largest_first() -> None:
    springfields = city_candidates("Springfield")
    states = [place.state for place in springfields]
    assert {"MA", "IL", "MO", "OH", "OR"} <= set(states)
    assert states[0] == "MO"
    assert all(place.level == "city" and place.city == "Springfield" for place in springfields)
    assert city_candidates("springfield") == springfields
    assert city_candidates("Nowheresville") == []


def test_city_candidates_outside_the_us_have_regions() -> None:
    cambridges = {(p.state, p.country) for p in city_candidates("Cambridge")}
    assert ("England", "GB") in cambridges
    assert ("MA", "US") in cambridges
    assert ("Telangana", "IN") in {(p.state, p.country) for p in city_candidates("Hyderabad")}


def test_county_candidates() -> None:
    states = {place.state for place in county_candidates("King County")}
    assert {"WA", "TX"} <= states
    assert county_candidates("King") == county_candidates("King County")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("St. Louis", "saint louis"),
        ("Montréal", "montreal"),
        ("Moscow's", "moscow"),
        ("Illinois’", "illinois"),
        ("N.J.", "nj"),
        ("Southend-on-Sea", "southend on sea"),
    ],
)
def test_name_key(text: str, key: str) -> None:
    assert name_key(text) == key


def test_gazetteer_is_built_once() -> None:
    assert gazetteer() is gazetteer()
