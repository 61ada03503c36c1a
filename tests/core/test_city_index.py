"""The gazetteer's packed city index: it answers exactly as the dict of City lists it replaced."""

from __future__ import annotations

import pytest

from bot.data import DataFileError
from bot.extraction._locate import _known_keys, locate
from bot.models import Place
from bot.places import City, CityIndex, _CityIndexBuilder, gazetteer, name_key

# Ties, repeated names, names outside ASCII and Latin-1, and a state-less city.
TABLE = [
    City("Springfield", "US", "IL", 114_394),
    City("Springfield", "US", "MA", 154_341),
    City("Springfield", "US", "OH", 59_680),
    City("Springfield", "AU", "Queensland", 59_680),
    City("Kraków", "PL", "Lesser Poland", 766_683),
    City("Đà Nẵng", "VN", None, 752_493),
    City("Xi’an", "CN", None, 6_501_190),
    City("Lyon", "FR", "Auvergne-Rhône-Alpes", 472_317),
    City("Portland", "US", "ME", 68_408),
    City("Portland", "AU", "Victoria", 9_712),
    City("Portland", "US", "OR", 652_503),
    City("Portland", "US", "TX", 9_712),
]
# (key, city) as places.yaml's aliases put them first: into an existing key, one the city is
# already in, a new key, a city of another population than the table's and one not in it.
PUT_FIRST = [
    ("springfield", City("Springfield", "US", "MA", 154_341)),
    ("springfield", City("Springfield", "US", "MO", 0)),
    ("springfield", City("Springfield", "US", "IL", 114_394)),
    ("springfield", City("Springfield", "US", "VT", 0)),
    ("krakow", City("Kraków", "PL", "Lesser Poland", 766_683)),
    ("cracow", City("Kraków", "PL", "Lesser Poland", 766_683)),
    ("lyon", City("Lyon", "FR", "Auvergne-Rhône-Alpes", 472_317)),
    ("lugdunum", City("Lyon", "FR", None, 0)),
]


def _as_dict_of_lists(table: list[City], put_first: list[tuple[str, City]]) -> dict:
    """The index as the gazetteer built it before it was packed."""
    cities: dict[str, list[City]] = {}
    for city in table:
        cities.setdefault(name_key(city.name), []).append(city)
    for key, city in put_first:
        entries = cities.setdefault(key, [])
        if city not in entries:
            entries.insert(0, city)
    for entries in cities.values():
        entries.sort(key=lambda c: -c.population)
    return cities


def _built(table: list[City], put_first: list[tuple[str, City]]) -> CityIndex:
    builder = _CityIndexBuilder(iter(table))
    for key, city in put_first:
        builder.put_first(key, city)
    return builder.build()


def test_index_holds_what_the_dict_of_lists_held_in_the_same_order():
    expected = _as_dict_of_lists(TABLE, PUT_FIRST)
    index = _built(TABLE, PUT_FIRST)
    assert list(index) == list(expected)
    assert {key: index[key] for key in index} == expected
    assert len(index) == len(expected)
    # Equal populations keep the order they had: the table's, after the ones put first.
    assert [(c.state, c.population) for c in index["springfield"]] == [
        ("MA", 154_341),
        ("IL", 114_394),
        ("OH", 59_680),
        ("Queensland", 59_680),
        ("VT", 0),
        ("MO", 0),
    ]
    assert [c.state for c in index["portland"]] == ["OR", "ME", "Victoria", "TX"]


def test_builder_answers_in_table_order_after_the_cities_put_first():
    builder = _CityIndexBuilder(iter(TABLE))
    builder.put_first("springfield", City("Springfield", "US", "MO", 0))
    builder.put_first("springfield", City("Springfield", "US", "OH", 59_680))
    assert [c.state for c in builder.cities("springfield")] == [
        "MO",
        "IL",
        "MA",
        "OH",
        "Queensland",
    ]
    assert builder.cities("nowhere") == []


def test_index_reads_like_a_dict():
    index = _built(TABLE, PUT_FIRST)
    assert "cracow" in index
    assert "nowhere" not in index
    assert index.get("nowhere") is None
    assert index.get("nowhere", []) == []
    with pytest.raises(KeyError):
        index["nowhere"]
    assert index.get(name_key("Đà Nẵng")) == [City("Đà Nẵng", "VN", None, 752_493)]
    assert index.get(name_key("Xi’an")) == [City("Xi’an", "CN", None, 6_501_190)]
    assert set(index.keys()) == set(index) == set(_as_dict_of_lists(TABLE, PUT_FIRST))


def test_each_look_up_returns_a_list_of_its_own():
    index = _built(TABLE, [])
    index["lyon"].clear()
    assert index["lyon"] == [City("Lyon", "FR", "Auvergne-Rhône-Alpes", 472_317)]


def test_empty_index_is_the_gazetteers_default():
    index = CityIndex()
    assert len(index) == 0
    assert not index
    assert "lyon" not in index
    assert index.get("lyon", []) == []
    assert list(index) == []


def test_too_many_cities_of_one_name_are_refused():
    table = [City("Springfield", "US", None, n) for n in range(256)]
    with pytest.raises(DataFileError, match="springfield"):
        _built(table, [])


def test_shipped_gazetteer_cities():
    cities = gazetteer().cities
    assert len(cities) > 60_000
    assert cities.get("no such town") is None
    assert cities.get("no such town", []) == []
    springfields = cities["springfield"]
    populations = [c.population for c in springfields]
    assert populations == sorted(populations, reverse=True)
    assert {"MA", "IL", "MO", "OR"} <= {c.state for c in springfields}
    # An alias (places.yaml) is a key of its own; it may go first over a table city.
    new_york_city = cities["new york city"][0]
    assert cities["nyc"] == [new_york_city]
    assert cities["manhattan"][0] == new_york_city
    assert cities["kiev"] == [City("Kyiv", "UA", None, 2_952_301)]
    # state_or_city: "New York" the state unless cues make it the city.
    assert gazetteer().state_or_city["new york"][0] == new_york_city
    assert gazetteer().state_or_city["washington"][0] == cities["washington"][0]
    assert cities["washington"][0] == City("Washington", "US", "DC", 689_545)


def test_extraction_finds_a_name_only_the_city_index_knows():
    gaz = gazetteer()
    assert "houston" in gaz.cities
    assert "houston" not in _known_keys(gaz)
    located = locate("Houston council bans police use of facial recognition", "", "", None, None)
    assert located.governments == [Place(level="city", country="US", state="TX", city="Houston")]
