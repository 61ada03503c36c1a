"""Reading a place as people type it: "chicago", "Springfield MA", "King County, Wash."."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.places._gazetteer import country_code, country_name, gazetteer, state_code
from bot.places._index import name_key


@dataclass(frozen=True, slots=True)
class PlaceQuery:
    """A place as a user typed it: a name, maybe narrowed by a state (USPS or region) or country."""

    name: str
    state: str | None = None
    country: str | None = None
    level: str | None = None


def _qualifier(text: str) -> tuple[str | None, str | None]:
    """Read a trailing qualifier as (state, country); (None, None) if it is neither."""
    code = state_code(text)
    if code:
        gaz = gazetteer()
        if code in gaz.state_names:
            return code, "US"
        region = gaz.regions.get(name_key(code))
        return code, region.country if region else None
    country = country_code(text)
    if country:
        return None, country
    return None, None


def _canonical_city(name: str, state: str | None, country: str | None) -> str:
    """The gazetteer's spelling of a city name, if it knows one matching the qualifiers."""
    for city in gazetteer().cities.get(name_key(name), []):
        if (state is None or city.state == state) and (country is None or city.country == country):
            return city.name
    return name


def parse_place_query(text: str) -> PlaceQuery:
    """Read a place as users type it: "chicago", "Springfield MA", "King County, Wash.", "NJ"."""
    cleaned = re.sub(r"\s+", " ", text).strip(" ,;")
    if not cleaned:
        raise ValueError("empty place name")
    head, _, tail = cleaned.partition(",")
    head, tail = head.strip(), tail.strip()
    state = country = None
    if tail:
        state, country = _qualifier(tail)
        if state is None and country is None:
            head = cleaned
    elif not _is_whole_place(head):
        words = head.split(" ")
        for size in (3, 2, 1):
            if len(words) > size:
                maybe_state, maybe_country = _qualifier(" ".join(words[-size:]))
                if maybe_state or maybe_country:
                    head, state, country = " ".join(words[:-size]), maybe_state, maybe_country
                    break
    return _resolve_query(head, state, country)


def _is_whole_place(text: str) -> bool:
    """Whether the text as a whole names a state, region, country or city (e.g. "New Jersey")."""
    gaz = gazetteer()
    key = name_key(text)
    return (
        key in gaz.states
        or key in gaz.regions
        or key in gaz.countries
        or key in gaz.cities
        or key in gaz.state_or_city
    )


def _resolve_query(head: str, state: str | None, country: str | None) -> PlaceQuery:
    """Classify the name part of a query as county, state, country or city."""
    gaz = gazetteer()
    key = name_key(head)
    if key.endswith((" county", " parish")):
        name = " ".join(word.capitalize() for word in key.split())
        return PlaceQuery(name=name, state=state, country=country or "US", level="county")
    if state is None and country is None:
        code = state_code(head)
        if (
            code
            and code in gaz.state_names
            and (len(head) > 2 or code in gaz.standalone_codes or head.isupper())
        ):
            return PlaceQuery(name=gaz.state_names[code], state=code, country="US", level="state")
        region = gaz.regions.get(key)
        if region:
            place = region.to_place()
            return PlaceQuery(
                name=region.name,
                state=place.state,
                country=region.country,
                level=place.level,
            )
        iso = country_code(head)
        if iso:
            return PlaceQuery(name=country_name(iso) or head, country=iso, level="national")
    candidates = gaz.cities.get(key, [])
    if state is None and country is None and len(candidates) == 1:
        only = candidates[0]
        return PlaceQuery(name=only.name, state=only.state, country=only.country, level="city")
    name = _canonical_city(head, state, country)
    if name == head:
        name = " ".join(w if w[:1].isupper() else w.capitalize() for w in head.split(" "))
    if state and country is None:
        country = "US" if state in gaz.state_names else None
    return PlaceQuery(name=name, state=state, country=country, level="city")
