"""Which jurisdictions an item is about: read place names like a reader, weigh the evidence."""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.data import DATA_DIR
from bot.extraction._frames import is_lexicon_word
from bot.extraction._rules import Provider, provider_rules
from bot.models import Place
from bot.places import City, Gazetteer, gazetteer, name_key
from bot.places.common_words import WORDS_FILE

# A word, with the apostrophes (and the ʻokina) written inside names: "O'Fallon", "Hawaiʻi".
_TOKEN = re.compile(r"[A-Za-z\u00C0-\u024F]+(?:[.'’‘ʻʼ&][A-Za-z\u00C0-\u024F]+)*\.?")
# Lower-case words inside a name ("Rio Grande do Sul", "Castilla y León").
_CONNECTORS = frozenset(
    {"of", "de", "del", "la", "le", "on", "upon", "the", "and", "sur", "am", "do", "da", "dos",
     "das", "y"}
)  # fmt: skip
_MAX_WORDS = 4

# Field weights of a mention; the excerpt's first sentence counts like a second headline.
_FIELD_WEIGHT = {"title": 3.0, "dateline": 2.0, "lead": 2.0, "excerpt": 1.0, "body": 0.3}
_LEAD_CHARS = 220
# How much of the body is read for titled people's names.
_PEOPLE_CHARS = 3000

# Words after a place that make it the subject ("Boston bans", "Chicago police", "NJ lawmakers").
_SUBJECT_AFTER = re.compile(
    r"^\W{0,3}(?:(?:'s|’s)\s+)?(?:[A-Z][a-z]+\s+){0,1}(?:city\s+council|council|mayor|police|pd\b|"
    r"lawmakers|legislat\w+|gov\.|governor|assembly|senate|officials|voters|residents|"
    r"town\s+meeting|town|city|county\s+council|supervisors|commission\w*|votes?\b|voted|bans?\b|"
    r"banned|approves?|approved|passes|passed|becomes|moves|considers?|delays?|postpones?|"
    r"to\s+(?:vote|consider|ban)|court|regulator|watchdog|government|schools?|airports?|transit|"
    r"sheriff|force|authorities|lifts?|repeals?|adopts?|expands?|rolls?|sues|sued|settles?|"
    r"attorney\s+general|ag\b|privacy|data\s+protection|parliament|ministry|department|could|will|"
    r"is|has|joins)",
    re.IGNORECASE,
)
_SUBJECT_BEFORE = re.compile(
    r"(?:city\s+of|town\s+of|state\s+of|county\s+of|\bin|across|throughout|for|mayor\s+of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# Places that only describe something else: a company's home, a newspaper, a university.
_DESCRIPTOR_AFTER = re.compile(
    r"^(?:,?\s*[A-Z][a-z]{1,5}\.)?\s*-\s*based|^\s+(?:University|College|Times|Post|Tribune|Globe|"
    r"Herald|Journal|Chronicle|Sun|Star|Public\s+Media|Magazine|Business\s+Journal|Gazette|"
    r"Register|Courier|Daily|Press|Examiner|Inquirer|Bee|Dispatch|Observer|Reporter|"
    # A court's seat is not the jurisdiction ruled on; a "Chicago woman" is a person.
    r"High\s+Court|Crown\s+Court|Magistrates|"
    r"(?-i:man|woman|men|women|resident|couple|family|teen|teenager|mother|father|student|native))\b",
)
_DESCRIPTOR_BEFORE = re.compile(
    r"(?:University\s+of|College\s+of|native\s+of|\bcourt\s+in|\bjudge\s+in|\bjury\s+in)\s+$"
    # A legislator's party and home ("Sen. Ed Markey (D-Mass.)", "Phil Ting (D-San Francisco)"):
    # who the person is, not where the news happens.
    r"|\((?-i:D|R|I|Dem|Rep|Ind)\.?\s?[-–]\s?$"
    # A landmark for where a smaller place lies ("Somerville, a suburb of Boston", "Bucheon,
    # near Seoul"): the smaller place is the news.
    r"|\b(?:suburbs?\s+of|near|nearby|outside(?:\s+of)?|(?:north|south|east|west)\s+of|"
    r"miles\s+from|(?:km|kilometres|kilometers)\s+from)\s+$",
    re.IGNORECASE,
)
# Words of state politics: a story datelined in a capital with these is about the state.
_STATE_POLITICS = re.compile(
    r"\bGov\.|\b(?:governor|legislature|legislators|General\s+Assembly|statehouse|State\s+House|"
    r"state\s+(?:law|bill|senate|house|lawmakers?|legislators?|police|attorney\s+general))\b",
    re.IGNORECASE,
)
# Words of national politics: a story datelined in a national capital with these is about the
# country ("NEW DELHI — The National Crime Records Bureau ...", "CANBERRA — The parliamentary
# committee ...").
_NATIONAL_POLITICS = re.compile(
    r"\b(?:national|nationwide|federal|parliament\w*|cabinet|prime\s+minister|across\s+the\s+"
    r"country|government(?:'s|’s)|the\s+government)\b",
    re.IGNORECASE,
)
# Words of a province's or (non-US) state's politics: a story datelined in its capital with these
# is about the province ("VICTORIA, B.C. — The province's privacy commissioner ...").
_PROVINCE_POLITICS = re.compile(
    r"\b(?:province(?:'s|’s)?|provincial(?!\s+capital)|premier|statewide|state\s+government|the\s+state(?:'s|’s))\b",
    re.IGNORECASE,
)
# Words of a state's own action where no place is named ("Attorney General Ken Paxton sued ...",
# "the state's biometric privacy law"): the outlet's or residents' state is the place.
_STATE_ACTOR = re.compile(
    r"\b(?:Attorney\s+General|AG|Gov\.|Governor|the\s+state(?:'s|’s)|statewide|state\s+law|"
    r"legislature)\b"
)
# A national government's own words ("Minister for Justice", "the interior ministry"), also in
# the other languages the extraction reads ("Ministério da Justiça", "Ministerio del Interior",
# "ministère de l'Intérieur", "Ministero dell'Interno", "Bundesinnenministerium", "Secretaria
# Nacional", "governo federal"). Germany's Länder have interior ministries of their own, so
# only the federal ("Bundes-") one counts there.
_NATIONAL_MINISTRY = re.compile(
    r"\b(?:[Mm]inister\s+for|(?:justice|interior|home)\s+minist\w+|ministry\s+of|Home\s+Office"
    r"|minist[ée]rio\s+d[aoe]s?|ministerio\s+de(?:l)?|minist[èe]re\s+de|ministero\s+d"
    r"|bundes\w*ministeri\w*|bundesregierung|secretar[ií]a\s+nacional"
    r"|governo\s+federal|gobierno\s+(?:nacional|federal))",
    re.IGNORECASE,
)
# At least this many places below one country, none in the headline: the story is national
# ("vans for forces including Greater Manchester, West Yorkshire, Bedfordshire ...").
_MANY_PLACES = 3
_NAMED_AS_PLACE = re.compile(r"\b(?:city|town|village|mayor)\s+of\s+$", re.IGNORECASE)
# A person named with a title ("Gov. Charlie Baker", "Mayor LaToya Cantrell"): the surname is
# not a place anywhere in the same item ("Baker signs police reform bill").
_TITLED_PERSON = re.compile(
    r"\b(?:Gov\.|Governor|Lt\.\s+Gov\.|Sen\.|Senator|Rep\.|Representative|Mayor|President|"
    r"Attorney\s+General|Commissioner|Councilor|Councillor|Councilman|Councilwoman|Alderman|"
    r"Judge|Justice|Chief|Minister|Secretary|Superintendent|Sheriff|Mr\.|Ms\.|Mrs\.|Dr\.)"
    r"\s+(?:[A-Z][a-z]+\.?\s+|[A-Z]\.\s*){0,3}(?P<surname>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b"
)
_DATELINE = re.compile(
    r"^\s*\(?(?P<city>[A-Z][A-Z.'’ -]{2,40}?)\)?(?:,\s*(?P<state>[A-Z][A-Za-z. ]{1,24}?))?\s*"
    r"(?:\([^)]{1,40}\))?\s*(?:--|[-–—:]|(?<=\))\s)"
)
# A single-word town smaller than this whose name the item also writes in lower case is read
# as the common noun ("Airport", "Homeland").
_COMMON_NOUN_POPULATION = 100_000
_LOWER_WORD = re.compile(r"(?<![\w'’.-])[a-z]{4,}(?![\w'’-])")
_NEXT_WORD = re.compile(r" ([A-Z][a-z]+)\b")
# An article elided before a name in French and Italian: "l'", "d'", "qu'", "dell'", "nell'".
_ELIDED = re.compile("(?:[LlDd]|[Qq]u|[DdNnSs]ell|[Aa]ll|[Dd]all)['’](?=[A-ZÀ-ÖØ-Þ])")
# Words of the scripts whose cities the native table names: Cyrillic, Korean, Chinese characters.
_SCRIPT_WORD = re.compile("[\u0400-\u04ff]+|[\uac00-\ud7af]+|[\u4e00-\u9fff\u3040-\u30ff]+")
_HANGUL_LETTER = re.compile("[\uac00-\ud7af]")
_HANZI_LETTER = re.compile("[\u4e00-\u9fff\u3040-\u30ff]")
# Capitalised words that follow a place in running text without making a name with it.
_FUNCTION_WORDS = frozenset(
    {"and", "or", "but", "the", "on", "in", "for", "to", "of", "says", "said", "has", "have",
     "is", "was", "will", "would", "could", "also", "after", "before", "last", "this", "next",
     "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)  # fmt: skip
# A city's own bodies, written after "<Name> City" ("Madison City Council").
_CITY_BODY = re.compile(
    r"(?:Council|Councils|Hall|Commission|Commissioners|Manager|Attorney|Clerk|Board|Schools|"
    r"Police|Officials|Administrator|Auditor|Controller|Government)$"
)
# Words that make a town's own body of the word after them ("Las Vegas Metropolitan Police",
# "Teaneck Township Council", "Northampton Borough Council"): the name before them is the
# town's, not part of a longer name, and the body is not London's Metropolitan Police.
# ("Regional" and "District" are left out: "York Regional Police" and "Durham Regional
# Police" are Ontario's regions', not York's or Durham's.)
_LOCAL_BODY_KINDS = frozenset({"Metropolitan", "Municipal", "Township", "Borough", "Shire"})


def _capitalised(word: str) -> bool:
    """Whether a word is written as a name: capitalised, or a capitalised name after an elided
    article ("d'Ivoire", "d'Amsterdam", "l'Italie", "nell'Emilia")."""
    # The apostrophe first: most words hold none, and the pattern would be tried on each.
    return word[0].isupper() or (("'" in word or "’" in word) and bool(_ELIDED.match(word)))


def _local_body_follows(text: str, at: int) -> bool:
    """Whether a town's body ("Council", "Police", "Department", ...) is the next word from
    ``at``."""
    match = _NEXT_WORD.match(text, at)
    return bool(match) and (
        match.group(1) == "Department" or bool(_CITY_BODY.match(match.group(1)))
    )


# A legal form after a name makes it a company's ("Metro Inc.", "Acme S.A.").
_COMPANY_DESIGNATOR = re.compile(
    r"^,?\s+(?:Inc|Incorporated|Corp|Corporation|Ltd|Limited|LLC|GmbH|plc|PLC|Pty|"
    r"S\.A\.|N\.V\.|B\.V\.|S\.p\.A\.)(?!\w)"
)
# An exact accented spelling all but settles which place is meant: a writer who types
# "Bogotá" means the capital, whatever else in the text points at the US.
_ACCENT_MATCH = 10.0
# Below this population a town needs evidence (its state or country named, the outlet's home)
# unless the item names it strongly; locate() drops it otherwise.
_SMALL_TOWN = 250_000
# A town abroad named in news of another language counts only with evidence below this size
# (a capital or metropolis is named in every language's news).
_FOREIGN_TOWN = 1_000_000
# A town abroad under this size named in the headline of news whose language has one home but
# no table of countries (English), with nothing else pointing at its country, needs evidence as
# a town named elsewhere does: "Can", "Real", "Success", "Hart", "Oliver", "Sim" and "Kim" in
# English headlines are words and names, not Çan (TR), Real (PT), Success (AU), Hart (AT),
# Oliver (CA), Sim (RU) and Kim (IN). Grouped CV over 3,076 items: 17 readings' first place
# changed (most of them not policy news, whose places the figures do not score); is_policy
# 0.810 -> 0.812, action 0.791 -> 0.793, the places unchanged, scope 0.765 -> 0.761 (churn).
_HEADLINE_TOWN_ABROAD = 50_000
# A town shared by several countries leans to the one whose news the item's language mostly
# is, as a town three times the size would ("Santa Cruz" in English news: California's, not
# the Philippines'; grouped CV over 2,497 items: main place 0.7726 -> 0.7732, 0.5 no better).
_HOME_PRIOR = 0.2
# Any letter or digit: none before a word makes it the first of its text.
_WORD_BEFORE = re.compile(r"\w")
_QUALIFIER = re.compile(r"^,?\s+(?P<q>[A-Z][A-Za-z.]*(?:\s+[A-Z][A-Za-z.]*)?)")


@dataclass(slots=True)
class Mention:
    """One place-like name in the text, with what it could be."""

    kind: str
    candidates: list[Place]
    field: str
    start: int
    weight: float
    populations: list[int] = field(default_factory=list)
    attached_state: str | None = None
    attached_country: str | None = None
    strong: bool = False
    # The name as written when it carries letters beyond ASCII ("Bogotá"), else None.
    accented: str | None = None


# Languages whose news is mostly one country's (not Spanish, French, German or Dutch, each the
# language of several countries' news): Portuguese is Brazil's far more often than Portugal's.
LANGUAGE_HOMES = {
    "en": "US", "pt": "BR", "it": "IT", "sv": "SE", "da": "DK", "no": "NO", "fi": "FI",
    "pl": "PL", "cs": "CZ", "id": "ID",
}  # fmt: skip


@dataclass(slots=True)
class Evidence:
    """Weighed hints at which state and country the item is about."""

    states: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    countries: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    provider: Provider | None = None
    # The country whose news the item's language mostly is (LANGUAGE_HOMES).
    home: str | None = None


@dataclass(slots=True)
class Located:
    """The places found (government ones ranked, companies by first mention) and company hints."""

    governments: list[Place]
    companies: list[Place]
    company_first_in_title: bool
    company_fields: frozenset[str]
    # The kind of place or company the headline opens with ("Shanghai introduces ..."), if any.
    title_opens_with: str | None = None
    # A national outlet's country (bbc.co.uk: GB): where a company's non-policy news happens.
    outlet_country: str | None = None
    # How much the text weighs for each government place (the evidence its rank rests on).
    weights: dict[Place, float] = field(default_factory=dict)
    # The government places the headline names.
    in_title: frozenset[Place] = frozenset()
    # Where each government place is named in the headline or teaser: (place, field, start).
    spans: tuple[tuple[Place, str, int], ...] = ()
    # How many places each government place's name could have been (Springfield: many).
    choices: dict[Place, int] = field(default_factory=dict)
    # The outlet's home, when providers.yaml or its domain tells it.
    provider: Provider | None = None

    @property
    def country_first_in_title(self) -> bool:
        """The headline opens with a country or federal body ("France set to roll out ..."):
        the country itself acts, so the headline names a government actor."""
        return self.title_opens_with in ("country", "national")

    def ordered(self, company_policy: bool) -> tuple[Place, ...]:
        """All places, main first: a company only leads when the news is its own policy."""
        if company_policy and self.companies:
            places = self.companies[:1] + self.governments + self.companies[1:]
        elif self.governments:
            places = self.governments + self.companies
        elif self.companies:
            country = self.outlet_country or self.companies[0].country
            national = [Place(level="national", country=country)] if country else []
            places = national + self.companies
        elif self.outlet_country:
            # Nothing named but a national outlet's regulator or minister: that country's news.
            places = [Place(level="national", country=self.outlet_country)]
        else:
            places = []
        return tuple(dict.fromkeys(places))[:8]


def _url_part(url: str, part: str) -> str:
    """One part of a URL ("netloc", "path"); empty for a URL urllib cannot split ("http://[x")."""
    try:
        return getattr(urlsplit(url), part)
    except ValueError:
        return ""


def provider_home(domain: str | None, url: str | None) -> Provider | None:
    """The outlet's home from providers.yaml or its country-code domain."""
    host = (domain or "").strip().lower()
    if not host and url:
        host = _url_part(url, "netloc").lower()
    host = host.split(":")[0].removeprefix("www.")
    if not host:
        return None
    rules = provider_rules()
    labels = host.split(".")
    for i in range(len(labels) - 1):
        home = rules.providers.get(".".join(labels[i:]))
        if home:
            return home
    tld = labels[-1]
    if len(tld) == 2 and tld not in rules.generic_country_tlds:
        code = "GB" if tld == "uk" else tld.upper()
        if code in gazetteer().country_names:
            return Provider(country=code)
    return _named_home(labels[-2] if len(labels) > 1 else labels[0])


# Country names that are everyday English words or names: an outlet called "turkeyhunter" or
# "jordanrun" is not named after the country.
_WORD_COUNTRIES = frozenset({"chad", "turkey", "jordan", "guinea", "jersey", "niger"})


@functools.cache
def _home_prefixes() -> dict[str, tuple[tuple[str, Provider], ...]]:
    """The names an outlet's domain can start with, as a domain writes them (letters only,
    lower case), by their first four letters, longest first, each with the home it names: a
    large city, a US state, a country or its demonym. Of one name, a US state comes before a
    country ("georgiarecorder") and a city before both ("washingtonpost" is the capital's)."""
    gaz = gazetteer()

    def squeeze(name: str) -> str:
        return re.sub(r"[^a-z]", "", name_key(name))

    homes: dict[str, Provider] = {}
    for iso, name in gaz.country_names.items():
        homes[squeeze(name)] = Provider(country=iso)
    for demonym, iso in gaz.demonyms.items():
        homes.setdefault(squeeze(demonym), Provider(country=iso))
    for code, name in gaz.state_names.items():
        homes[squeeze(name)] = Provider(state=code, country="US")
    for city in gaz.large_cities:
        homes[squeeze(city.name)] = Provider(state=city.state, city=city.name, country=city.country)
    kept = [(k, home) for k, home in homes.items() if len(k) >= 4 and k not in _WORD_COUNTRIES]
    by_start: dict[str, list[tuple[str, Provider]]] = defaultdict(list)
    for key, home in sorted(kept, key=lambda pair: -len(pair[0])):
        by_start[key[:4]].append((key, home))
    return {start: tuple(pairs) for start, pairs in by_start.items()}


@functools.lru_cache(maxsize=4096)
def _named_home(label: str) -> Provider | None:
    """The home an outlet's domain is named after: "fijitimes" Fiji, "texastribune" Texas,
    "bostonglobe" Boston ("indianapolisrecorder" is Indianapolis's, not India's)."""
    label = label.replace("-", "")
    pairs = _home_prefixes().get(label[:4], ())
    return next((home for key, home in pairs if label.startswith(key)), None)


@functools.cache
def common_words() -> frozenset[str]:
    """Town names news writes as everyday words (bot/places/common_words.py makes the list)."""
    path = DATA_DIR / WORDS_FILE
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _is_title_case(title: str) -> bool:
    """Whether a headline capitalises its words (then capitals do not mark names)."""
    words = [word for word in title.split() if len(word) > 3 and word[0].isalpha()]
    return bool(words) and sum(word[0].isupper() for word in words) >= 0.8 * len(words)


def _qualifier(gaz: Gazetteer, text: str) -> tuple[str | None, str | None, int]:
    """Read the words after "City, " as (state, country, characters read)."""
    match = _QUALIFIER.match(text)
    if not match:
        return None, None, 0
    words = match.group("q").split()
    for size in (2, 1):
        if len(words) < size:
            continue
        raw = " ".join(words[:size])
        used = match.start("q") + len(raw)
        if raw.endswith("-based"):
            raw = raw[: -len("-based")]
        key = name_key(raw)
        bare = raw.rstrip(".")
        if bare.isupper() and len(bare) == 2 and bare in gaz.state_names:
            return bare, "US", used
        if key in gaz.states:
            return gaz.states[key], "US", used
        if key in gaz.ap_abbreviations:
            return gaz.ap_abbreviations[key], "US", used
        region = gaz.regions.get(key)
        if region and region.kind == "state":
            return region.code or region.name, region.country, used
        if key in gaz.countries and len(raw) > 2:
            return None, gaz.countries[key], used
    return None, None, 0


def _context_weight(text: str, start: int, end: int) -> float:
    """How strongly the words around a name make it the item's subject (0 if a descriptor)."""
    after = text[end : end + 40]
    before = text[max(0, start - 25) : start]
    if _DESCRIPTOR_AFTER.match(after) or _DESCRIPTOR_BEFORE.search(before):
        return 0.0
    if _SUBJECT_AFTER.match(after):
        return 2.0
    if _SUBJECT_BEFORE.search(before):
        return 1.5
    return 1.0


_KNOWN_KEYS: dict[int, frozenset[str]] = {}


def _known_keys(gaz: Gazetteer) -> frozenset[str]:
    """Every key a name can be looked up by, but a city's: most windows of capitalised words are
    no name, and rejecting them early keeps long texts fast.

    City keys are left to ``gaz.cities`` itself: copied here they took 4 MB.
    """
    known = _KNOWN_KEYS.get(id(gaz))
    if known is None:
        indexes = (
            gaz.states, gaz.countries, gaz.regions, gaz.companies, gaz.counties,
            gaz.state_hints, gaz.state_laws, gaz.ap_abbreviations, gaz.state_or_city,
        )  # fmt: skip
        keys = set().union(*indexes)
        keys |= {code.lower() for code in gaz.standalone_codes}
        keys |= {code.lower() for code in gaz.state_codes}
        keys |= set(gaz.demonyms) | {f"{demonym}s" for demonym in gaz.demonyms}
        known = _KNOWN_KEYS[id(gaz)] = frozenset(keys)
    return known


class _Scanner:
    """Finds place mentions in one text field."""

    def __init__(self, gaz: Gazetteer, evidence: Evidence) -> None:
        self.gaz = gaz
        self.evidence = evidence
        self.mentions: list[Mention] = []
        self.people: frozenset[str] = frozenset()
        # A dict's view of the city keys: tested at dict speed, not through a method.
        self.city_keys = gaz.cities.keys()
        self.known = _known_keys(gaz)
        # Text already read as part of a name ("Portland, Or."): not a name of its own.
        self.skip_to = 0
        # The item's title, excerpt and body (its first _PEOPLE_CHARS): what lower_words reads.
        self.texts: tuple[str, ...] = ()
        self.title_case = False
        # German news: the countries whose towns' adjectives ("Berliner") name them.
        self.adjective_countries: frozenset[str] = frozenset()
        # The countries whose news is written in the item's language (none for English).
        self.language_countries: frozenset[str] = frozenset()
        # Countries as the item's language names them ("Alemania": DE), by name key.
        self.foreign_countries: dict[str, str] = {}

    @functools.cached_property
    def lower_words(self) -> frozenset[str]:
        """Words the item writes in lower case: a small town's name among them is a common noun
        (read when first asked: few items name a small town)."""
        return frozenset(word for text in self.texts for word in _LOWER_WORD.findall(text))

    def scan(self, text: str, field_name: str, lead_chars: int = 0) -> None:
        """Add the mentions in ``text``; the first ``lead_chars`` count as the lead."""
        tokens = list(_TOKEN.finditer(text))
        self.skip_to = 0
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.start() < self.skip_to:
                i += 1
                continue
            raw = token.group(0)
            # The first letter before _capitalised(): this loop runs once per word of every field.
            if not raw[0].isupper() and not _capitalised(raw):
                # "gardaí": a few names count in lower case too.
                if name_key(raw) in self.gaz.lowercase_names:
                    self._lookup(raw, text, token.start(), token.end(), field_name, lead_chars, 1)
                i += 1
                continue
            if raw in _LOCAL_BODY_KINDS and self._local_body_of_previous(text, tokens, i):
                i += 1  # "Las Vegas Metropolitan Police": not London's "Metropolitan Police"
                continue
            used = self._window(text, tokens, i, field_name, lead_chars)
            i += max(used, 1)
        pattern, letters = self.gaz.native_pattern, self.gaz.native_letters
        # One quick pass for a name's first letter before the slower search of the names.
        if (
            pattern is not None
            and letters is not None
            and not text.isascii()
            and letters.search(text)
        ):
            for match in pattern.finditer(text):
                known = self.gaz.native_names[match.group(0)]
                self._lookup(known, text, match.start(), match.end(), field_name, lead_chars, 1)
        if self.gaz.script_names and not text.isascii():
            self._scan_scripts(text, field_name, lead_chars)

    def _scan_scripts(self, text: str, field_name: str, lead_chars: int) -> None:
        """Cities named in their own script (the native table): a Cyrillic word or two words,
        a Korean word's beginning ("군산시에서"), or Chinese and Japanese characters ending in
        "市" (city) inside a run of them."""
        names = self.gaz.script_names
        words = list(_SCRIPT_WORD.finditer(text))
        read_to = 0  # the end of the last name found: its second word is not read again
        for i, word in enumerate(words):
            run, base = word.group(0), word.start()
            if base < read_to:
                continue
            spans: list[tuple[int, int]] = []
            if _HANGUL_LETTER.match(run):
                size = next((n for n in range(min(len(run), 8), 1, -1) if run[:n] in names), 0)
                if size:
                    spans.append((base, base + size))
            elif _HANZI_LETTER.match(run):
                for at in (k + 1 for k, letter in enumerate(run) if letter == "市"):
                    size = next(
                        (n for n in range(min(at, 5), 1, -1) if run[at - n : at] in names), 0
                    )
                    if size:
                        spans.append((base + at - size, base + at))
            else:
                following = words[i + 1] if i + 1 < len(words) else None
                if (
                    following
                    and text[word.end() : following.start()] in (" ", "-")
                    and text[base : following.end()] in names
                ):
                    spans.append((base, following.end()))
                if not spans and run in names:
                    spans.append((base, word.end()))
            for start, end in spans:
                self._lookup(names[text[start:end]], text, start, end, field_name, lead_chars, 1)
                read_to = max(read_to, end)

    def _window(
        self, text: str, tokens: list[re.Match[str]], i: int, field_name: str, lead_chars: int
    ) -> int:
        """Try the longest name starting at token i; return how many tokens it used."""
        for size in (2, 1):
            # "Met police", "Metropolitan police": a force's name with a lower-case "police".
            if i + size < len(tokens) and tokens[i + size].group(0) == "police":
                window = tokens[i : i + size + 1]
                gaps = [text[a.end() : b.start()] for a, b in itertools.pairwise(window)]
                start, end = window[0].start(), window[-1].end()
                raw = text[start:end]
                if (
                    all(t.group(0)[0].isupper() for t in window[:-1])
                    and all(gap == " " for gap in gaps)
                    and self._lookup(raw, text, start, end, field_name, lead_chars, size + 1)
                ):
                    return size + 1
        for size in range(min(_MAX_WORDS, len(tokens) - i), 0, -1):
            window = tokens[i : i + size]
            last = window[-1].group(0)
            # The first letter before _capitalised(): most words of a window are capitalised.
            if not last[0].isupper() and not _capitalised(last):
                continue
            if any(
                not t.group(0)[0].isupper()
                and not _capitalised(t.group(0))
                and t.group(0).lower() not in _CONNECTORS
                for t in window
            ):
                continue
            gaps = [text[a.end() : b.start()] for a, b in itertools.pairwise(window)]
            if any(gap not in (" ", "-") for gap in gaps):
                continue
            start, end = window[0].start(), window[-1].end()
            raw = text[start:end]
            if size > 1 and self._city_body_follows(text, tokens, i, size):
                continue
            if self._lookup(raw, text, start, end, field_name, lead_chars, size):
                return size
            if (
                self.adjective_countries
                and size <= 2
                and raw.endswith("er")
                and self._place_adjective(raw, text, start, end, field_name, lead_chars, size)
            ):
                return size
        return 1

    def _place_adjective(
        self, raw: str, text: str, start: int, end: int, field_name: str, lead_chars: int, size: int
    ) -> bool:
        """A German adjective of a town ("Berliner Polizei", "Luzerner Stadtrat", "Münchner",
        "Zürcher"): the town, where it lies in a German-speaking country."""
        stem = raw[:-2]
        forms = [stem, f"{stem}en", f"{stem[:-1]}en"]
        if stem.endswith("ch"):
            forms.append(f"{stem[:-2]}ich")  # Zürcher: Zürich
        for name in forms:
            cities = [
                city
                for city in self.gaz.cities.get(name_key(name), [])
                if city.country in self.adjective_countries
            ]
            if cities:
                weight = self._weight(field_name, start, lead_chars) * _context_weight(
                    text, start, end
                )
                self._add_city(cities, field_name, start, end, weight, text, size, forced=True)
                return True
        return False

    def _city_body_follows(self, text: str, tokens: list[re.Match[str]], i: int, size: int) -> bool:
        """Whether "<Name> City" is better read as <Name> and its city's body: "Madison City
        Council", "Columbia City Council" (the council of Columbia), where the name alone is a
        far larger city than "<Name> City" — not "Jersey City Council" or "Carson City Council"."""
        window = tokens[i : i + size]
        if window[-1].group(0) != "City" or i + size >= len(tokens):
            return False
        if not _CITY_BODY.match(tokens[i + size].group(0)):
            return False
        shorter = text[window[0].start() : window[-2].end()]
        longer = text[window[0].start() : window[-1].end()]

        def largest(name: str) -> int:
            cities = self.gaz.cities.get(name_key(name), [])
            return max((city.population for city in cities), default=-1)

        # Ten times larger: "Columbia" (SC) over "Columbia City" (WA), not "Carson" (CA, 93,000)
        # over "Carson City" (NV, 58,000), the capital whose council it is.
        return largest(shorter) > 10 * max(largest(longer), 0)

    @staticmethod
    def _local_body_of_previous(text: str, tokens: list[re.Match[str]], i: int) -> bool:
        """Whether token i opens the body of the name right before it: "Metropolitan" in "Las
        Vegas Metropolitan Police" (not "The Metropolitan Police"); the caller has checked that
        token i is one of _LOCAL_BODY_KINDS."""
        if i == 0:
            return False
        before = tokens[i - 1]
        return (
            text[before.end() : tokens[i].start()] == " "
            and before.group(0)[0].isupper()
            and before.group(0).lower() not in _FUNCTION_WORDS
            and _local_body_follows(text, tokens[i].end())
        )

    def _capitalised_elsewhere(self, raw: str) -> bool:
        """Whether the excerpt or body writes ``raw`` as a name too (then it is one)."""
        pattern = re.compile(rf"(?<![\w'’.-]){re.escape(raw)}(?![\w'’-])")
        return any(pattern.search(text) for text in self.texts[1:])

    def _part_of_name(self, text: str, end: int, field_name: str) -> bool:
        """Whether the capitalised word right after ``end`` makes one name with the word before
        it ("MS Celeb"): neither a place nor a word of who acts or what they do. A headline in
        title case capitalises every word, so there this tells nothing."""
        if field_name == "title" and self.title_case:
            return False
        match = _NEXT_WORD.match(text, end)
        if not match:
            return False
        word = match.group(1)
        if word in _LOCAL_BODY_KINDS and _local_body_follows(text, match.end()):
            return False  # "Teaneck Township Council": the town's council
        key = name_key(word)
        place = (key in self.city_keys or key in self.known) and key not in self.gaz.not_places
        return not (place or is_lexicon_word(word)) and word.lower() not in _FUNCTION_WORDS

    def _weight(self, field_name: str, start: int, lead_chars: int) -> float:
        """The base weight of a mention at ``start`` in a field."""
        if field_name == "excerpt" and start < lead_chars:
            return _FIELD_WEIGHT["lead"]
        return _FIELD_WEIGHT[field_name]

    def _lookup(
        self, raw: str, text: str, start: int, end: int, field_name: str, lead_chars: int, size: int
    ) -> bool:
        """Record a mention if ``raw`` names something; return whether it did."""
        gaz = self.gaz
        key = name_key(raw)
        elided = _ELIDED.match(raw) if "'" in raw or "’" in raw else None
        if elided and key not in self.city_keys and key not in self.known:
            # "l'Italie", "d'Amsterdam", "dell'Italia": the name after an elided article.
            after_article = elided.end()
            return self._lookup(raw[after_article:], text, start + after_article, end,
                                field_name, lead_chars, size)  # fmt: skip
        if key in self.foreign_countries:
            # A country as the item's language names it ("Alemania", "Niemcy").
            iso = self.foreign_countries[key]
            weight = self._weight(field_name, start, lead_chars) * _context_weight(text, start, end)
            place = Place(level="national", country=iso)
            self._add(Mention("country", [place], field_name, start, weight))
            self.evidence.countries[iso] += weight
            return True
        # Most calls land here with no name: rejected on two set look-ups, before any work.
        if not key or (key not in self.city_keys and key not in self.known):
            return False
        if size == 1 and key in self.people:
            return True
        base = self._weight(field_name, start, lead_chars)
        context = _context_weight(text, start, end)
        weight = base * context
        after = text[end : end + 30]

        if key in gaz.state_or_city:
            city, cue = gaz.state_or_city[key]
            if cue.match(after.lstrip(" ,")) or cue.search(text[max(0, start - 15) : start]):
                self._add_city([city], field_name, start, end, weight, text, size, forced=True)
            else:
                self._add_state(gaz.states.get(key) or city.state or "", field_name, start, weight)
            return True
        if key in gaz.states and not (key in gaz.countries and key not in gaz.state_over_country):
            self._add_state(gaz.states[key], field_name, start, weight)
            return True
        if key in gaz.ap_abbreviations and ("." in raw[:-1] or len(key) >= 4):
            self._add_state(gaz.ap_abbreviations[key], field_name, start, weight)
            return True
        bare = raw.rstrip(".")
        if size == 1 and bare.isupper() and "." not in raw and bare in gaz.state_codes:
            return self._add_state_code(bare, text, start, end, field_name, weight)
        if size == 1 and bare.isupper() and bare in gaz.standalone_codes and "." not in raw:
            if self.language_countries and "US" not in self.language_countries:
                return False  # "SP" or "MG" in Portuguese news is no US state's code
            if self._part_of_name(text, end, field_name):
                return True  # "MS Celeb", "PA Consulting": letters of a name, not a state
            self._add_state(bare, field_name, start, weight)
            return True
        # Short names ("ACT", "US", "NEC") are acronyms: "Act" or "us" is not one.
        acronym_ok = len(key) > 3 or raw.replace(".", "").isupper()
        region = gaz.regions.get(key) if acronym_ok else None
        cities = gaz.cities.get(key, [])
        # "the city of Nice" is a place even though "Nice" usually is not.
        if (
            size == 1
            and (key in gaz.not_places or (len(key) <= 2 and not raw.isupper()))
            and not _NAMED_AS_PLACE.search(text[max(0, start - 20) : start])
        ):
            # The words of not_places are English ones: in French news "Nice" is the city.
            # Outside the US, a town of the item's language's own countries stays a town.
            home = [c for c in cities if c.country != "US" and c.country in self.language_countries]
            cities = home if key in gaz.not_places and len(key) > 2 else []
        if region:
            mention = Mention("region", [region.to_place()], field_name, start, weight, [0])
            if region.kind == "county" and cities:
                # Completed before it is kept: a descriptor (weight 0) is not kept, and then
                # the last mention kept is another one (or none at all).
                mention.candidates += [c.to_place() for c in cities]
                mention.populations += [c.population for c in cities]
                mention.kind = "city"
            self._add(mention)
            self.evidence.countries[region.country] += weight * 0.5
            return True
        if key in gaz.countries and acronym_ok:
            if raw in ("US", "U.S.") and after.startswith("$"):
                return True
            iso = gaz.countries[key]
            self._add(
                Mention(
                    "country", [Place(level="national", country=iso)], field_name, start, weight
                )
            )
            self.evidence.countries[iso] += weight
            return True
        if key.endswith((" county", " parish")) and key in gaz.counties:
            name = " ".join(w.capitalize() for w in key.split())
            states = gaz.counties[key]
            places = [Place(level="county", country="US", state=s, county=name) for s in states]
            state, _, used = _qualifier(gaz, after)
            self.skip_to = end + used
            mention = Mention(
                "county",
                places,
                field_name,
                start,
                weight,
                [gaz.county_populations.get((key, s), 0) for s in states],
                attached_state=state,
                strong=True,
            )
            self._add(mention)
            if state:
                self.evidence.states[state] += weight
            return True
        company = gaz.companies.get(key) if acronym_ok else None
        if company and raw[0].isupper():
            self._add(Mention("company", [company.to_place()], field_name, start, base))
            return True
        if cities and size == 1 and raw.isupper() and len(raw) <= 4:
            # "GAO", "UN": an acronym, not the town that shares its letters (aliases such as
            # "NYC" name another city and stay).
            cities = [c for c in cities if name_key(c.name) != key]
        if cities and _COMPANY_DESIGNATOR.match(after):
            return False  # "Metro Inc.", "Springfield Ltd": a company's name, not the town
        if cities and size == 1:
            before = re.search(r"([A-Z][a-z]+)\s+$", text[max(0, start - 20) : start])
            if before and name_key(before.group(1)) in gaz.demonyms:
                return False  # "Canadian Tire", "Australian Open": a name, not a place
        if cities and size == 1 and not _qualifier(gaz, after)[2]:
            named = _NAMED_AS_PLACE.search(text[max(0, start - 20) : start])
            # "Banning", "Sue": a word of what happens, not the town of that name. A force's
            # name ("NYPD", "LAPD") is a word of who acts and names its city all the same.
            if is_lexicon_word(raw) and not named and any(name_key(c.name) == key for c in cities):
                return False
            largest = max(c.population for c in cities)
            if largest < _COMMON_NOUN_POPULATION and key in self.lower_words:
                return False  # "Airport", "Homeland": the item uses the word as a common noun
            if (
                field_name == "title"
                # A headline's first word is capitalised whatever it is, in any language.
                and (self.title_case or not _WORD_BEFORE.search(text, 0, start))
                and largest < _SMALL_TOWN
                and key in common_words()
                and not self._capitalised_elsewhere(raw)
            ):
                # "TikTok Hit With Suit": a title-case word, not Hīt (Iraq); "Nuevo protocolo
                # ...": Spanish "new", not Nuevo (California).
                return False
            if self._part_of_name(text, end, field_name):
                return False  # "Homeland Security", "Bedford Hills Correctional": a name
        if cities:
            following = re.match(r"^\s([A-Z][a-z]+)", after)
            if (
                size == 1
                and key in gaz.person_first_names
                and following
                # "Madison City Council", "Austin police": the town's body, not a surname.
                and not _CITY_BODY.match(following.group(1))
                and following.group(1) not in ("City", "County", "Mayor", "Town", "Village")
            ):
                return False
            self._add_city(cities, field_name, start, end, weight, text, size)
            return True
        if key not in gaz.demonyms and key.endswith("s") and key[:-1] in gaz.demonyms:
            key = key[:-1]  # "Australians" as "Australian"
        if key in gaz.demonyms and not any(
            text[start:].lower().startswith(e) for e in gaz.demonym_exceptions
        ):
            iso = gaz.demonyms[key]
            self._add(
                Mention(
                    "demonym",
                    [Place(level="national", country=iso)],
                    field_name,
                    start,
                    weight * 0.5,
                )
            )
            self.evidence.countries[iso] += weight * 0.5
            return True
        if key in gaz.state_laws:
            # A suit or settlement under a state's law is that state's matter.
            self._add_state(gaz.state_laws[key], field_name, start, weight)
            return True
        if key in gaz.state_hints:
            self.evidence.states[gaz.state_hints[key]] += base * 0.5
            return True
        return False

    def _add_state_code(
        self, code: str, text: str, start: int, end: int, field_name: str, weight: float
    ) -> bool:
        """Record a two-letter code of another country's state ("SC" in Brazilian news): read
        in news of that country's languages; a code that is also a US state's ("WA") is either,
        whichever the rest of the item supports (the US first, when nothing does)."""
        shared = code in self.gaz.standalone_codes
        us_read = shared and (not self.language_countries or "US" in self.language_countries)
        abroad = [
            place
            for place in self.gaz.state_codes[code]
            if shared or place.country in self.language_countries
        ]
        candidates = [Place(level="state", country="US", state=code)] if us_read else []
        candidates += abroad
        if not candidates:
            return False
        if self._part_of_name(text, end, field_name):
            return True  # "MS Celeb", "PA Consulting": letters of a name, not a state
        if len(candidates) == 1 and us_read:
            self._add_state(code, field_name, start, weight)
            return True
        self._add(Mention("state", candidates, field_name, start, weight))
        if len(candidates) == 1:
            self.evidence.countries[candidates[0].country or ""] += weight * 0.5
        return True

    def _add_state(self, code: str, field_name: str, start: int, weight: float) -> None:
        """Record a US state (or a region given by code)."""
        if not code:
            return
        self._add(
            Mention(
                "state", [Place(level="state", country="US", state=code)], field_name, start, weight
            )
        )
        self.evidence.states[code] += weight
        self.evidence.countries["US"] += weight * 0.5

    def _add_city(
        self,
        cities: list[City],
        field_name: str,
        start: int,
        end: int,
        weight: float,
        text: str,
        size: int,
        forced: bool = False,
    ) -> None:
        """Record a city name, narrowed by a following ", State" when there is one."""
        state, country, used = _qualifier(self.gaz, text[end : end + 30])
        self.skip_to = max(self.skip_to, end + used)
        boosted = weight > self._weight(field_name, start, _LEAD_CHARS)
        raw = text[start:end]
        # "Metrô" found as Metro (Indonesia), "Paraná" as Paranã: a writer who puts accents on
        # a name the town does not have means something else, so only evidence keeps it.
        misspelt = not raw.isascii() and not any(
            c.name.casefold() == raw.casefold() for c in cities
        )
        strong = not misspelt and (
            forced or size > 1 or bool(state or country) or field_name == "title" or boosted
        )
        mention = Mention(
            "city",
            [c.to_place() for c in cities],
            field_name,
            start,
            weight,
            [c.population for c in cities],
            state,
            country,
            strong,
            accented=raw if not raw.isascii() else None,
        )
        self._add(mention)
        if state:
            self.evidence.states[state] += weight
        if country:
            self.evidence.countries[country] += weight

    def _add(self, mention: Mention) -> None:
        """Keep a mention unless it is only a descriptor (weight 0)."""
        if mention.weight > 0:
            self.mentions.append(mention)


def _dateline(gaz: Gazetteer, text: str, scanner: _Scanner) -> int:
    """Read a dateline ("SPRINGFIELD, Mass. (WWLP) –") as a city mention; return its length."""
    match = _DATELINE.match(text)
    if not match:
        return 0
    city_text = match.group("city").strip(" -")
    if not city_text.replace(" ", "").replace(".", "").isupper():
        return 0
    key = name_key(city_text)
    cities = gaz.cities.get(key, [])
    state = country = None
    if match.group("state"):
        state, country, _ = _qualifier(gaz, ", " + match.group("state"))
    if key in gaz.state_or_city and not cities:
        cities = [gaz.state_or_city[key][0]]
    if not cities:
        return 0
    mention = Mention(
        "city",
        [c.to_place() for c in cities],
        "dateline",
        0,
        _FIELD_WEIGHT["dateline"],
        [c.population for c in cities],
        state,
        country,
        strong=True,
    )
    scanner.mentions.append(mention)
    if state:
        scanner.evidence.states[state] += _FIELD_WEIGHT["dateline"]
    if country:
        scanner.evidence.countries[country] += _FIELD_WEIGHT["dateline"]
    return match.end()


def _resolve(mention: Mention, evidence: Evidence) -> Place | None:
    """Pick the mention's most likely place by state, country, outlet and size."""
    candidates = mention.candidates
    if mention.attached_state or mention.attached_country:
        narrowed = [
            (p, pop)
            for p, pop in zip(
                candidates, mention.populations or [0] * len(candidates), strict=False
            )
            if (mention.attached_state is None or p.state == mention.attached_state)
            and (mention.attached_country is None or p.country == mention.attached_country)
        ]
        if narrowed:
            return max(narrowed, key=lambda item: item[1])[0]
        # "Roma, Garante ...": a name followed by another country (or state) than any of its
        # towns' is none of them (Roma, Lesotho), whatever else the item names.
        return None
    if len(candidates) == 1:
        return candidates[0]
    provider = evidence.provider
    best: tuple[float, Place] | None = None
    populations = mention.populations or [0] * len(candidates)
    for place, population in zip(candidates, populations, strict=False):
        score = 5 * evidence.states.get(place.state or "", 0.0)
        score += 2 * evidence.countries.get(place.country or "", 0.0)
        if (
            provider
            and provider.city
            and place.city == provider.city
            and (provider.state in (None, place.state))
        ):
            score += 6
        score += 0.4 * math.log10(population + 10)
        if place.country == evidence.home:
            score += _HOME_PRIOR
        if mention.accented and place.city and place.city.casefold() == mention.accented.casefold():
            # "Bogotá" written with its accent is the capital, not Bogota, New Jersey.
            score += _ACCENT_MATCH
        if best is None or score > best[0]:
            best = (score, place)
    return best[1] if best else None


def _has_evidence(place: Place, evidence: Evidence) -> bool:
    """Whether anything besides the name itself supports this place."""
    provider = evidence.provider
    if provider and provider.city == place.city and provider.state in (None, place.state):
        return True
    return evidence.states.get(place.state or "", 0.0) > 0


def _town_alone(mention: Mention, place: Place, evidence: Evidence) -> bool:
    """Whether a town is named with nothing pointing at it: no state or country beside the
    name, none named elsewhere in the item, no other evidence."""
    return (
        mention.kind == "city"
        and place.level == "city"
        and not (mention.attached_state or mention.attached_country)
        and not evidence.countries.get(place.country or "")
        and not _has_evidence(place, evidence)
    )


def _specific(place: Place, parent: Place) -> bool:
    """Whether ``place`` lies inside ``parent`` (a city or county in a state or country)."""
    if place.level in ("city", "county") and parent.level == "state":
        return place.state == parent.state and place.country == parent.country
    if place.level in ("city", "county", "state") and parent.level == "national":
        return place.country == parent.country
    return False


@functools.cache
def _state_slugs() -> dict[str, str]:
    """US states as a URL writes them ("new-york", "virginia"), with their codes."""
    return {
        re.sub(r"[^a-z]+", "-", name.lower()).strip("-"): code
        for code, name in gazetteer().state_names.items()
    }


def _state_section(url: str | None) -> str | None:
    """The US state a story's URL files it under ("/news/local/texas/..."), if any: a folder
    of its path named as a state, not the story's own slug (its last part)."""
    if not url:
        return None
    folders = _url_part(url, "path").lower().split("/")[1:-1]
    slugs = _state_slugs()
    return next((slugs[folder] for folder in folders if folder in slugs), None)


def locate(
    title: str,
    excerpt: str,
    body: str,
    provider_domain: str | None,
    url: str | None,
    language: str = "en",
) -> Located:
    """Find the item's places; the main jurisdiction first (see TAXONOMY.md for levels).
    ``language``: the item's language, whose countries a town named in it should be of."""
    gaz = gazetteer()
    spoken_in = gaz.language_countries.get(language)
    evidence = Evidence(
        provider=provider_home(provider_domain, url), home=LANGUAGE_HOMES.get(language)
    )
    if evidence.provider:
        if evidence.provider.state:
            evidence.states[evidence.provider.state] += 2.0
        if evidence.provider.country:
            evidence.countries[evidence.provider.country] += 2.0
    section = _state_section(url)
    if section and not (evidence.provider and evidence.provider.state):
        # "pilotonline.com/government/virginia/...": the outlet files the story under its
        # state, as good as knowing the outlet's home (on 21 labelled items with such a
        # section, 20 were labelled with that state and the other with none).
        evidence.states[section] += 2.0
        evidence.countries["US"] += 2.0
    scanner = _Scanner(gaz, evidence)
    scanner.language_countries = spoken_in or frozenset()
    scanner.foreign_countries = gaz.foreign_countries.get(language, {})
    if language == "de":
        scanner.adjective_countries = spoken_in or frozenset()
    scanner.texts = (title, excerpt, body[:_PEOPLE_CHARS])
    scanner.people = frozenset(
        name_key(match.group("surname"))
        for text in scanner.texts
        for match in _TITLED_PERSON.finditer(text)
    )
    scanner.title_case = _is_title_case(title)
    scanner.scan(title, "title")
    skip = _dateline(gaz, excerpt, scanner)
    scanner.scan(excerpt[skip:], "excerpt", lead_chars=_LEAD_CHARS)
    if body:
        skip_body = _dateline(gaz, body, scanner) if not skip else 0
        scanner.scan(body[skip_body:], "body")

    scores: dict[Place, float] = defaultdict(float)
    first_seen: dict[Place, tuple[int, int]] = {}
    fields_of: dict[Place, set[str]] = defaultdict(set)
    order = {"title": 0, "dateline": 1, "excerpt": 2, "body": 3}
    spans: list[tuple[Place, str, int]] = []
    choices: dict[Place, int] = {}
    for mention in scanner.mentions:
        if mention.kind == "state" and len(mention.candidates) > 1:
            # A code two countries' states share ("WA"): settled first, by the rest of the
            # item, then evidence for the other names as a state named in full would be.
            chosen = _resolve(mention, evidence)
            if chosen is not None:
                evidence.states[chosen.state or ""] += mention.weight
                evidence.countries[chosen.country or ""] += mention.weight * 0.5
    for mention in scanner.mentions:
        place = _resolve(mention, evidence)
        if place is None:
            continue
        if place.level == "city" and place.country in gaz.city_states:
            place = Place(level="national", country=place.country)  # Hong Kong: one place
        # A town needs evidence; a county or region sharing its name ("Essex Police": the
        # county, not Essex, Maryland) is evidence of itself.
        if (
            mention.kind == "city"
            and place.level == "city"
            and not mention.strong
            and not _has_evidence(place, evidence)
        ):
            population = max(mention.populations or [0])
            if population < _SMALL_TOWN:
                continue
        alone = _town_alone(mention, place, evidence)
        population = max(mention.populations or [0])
        if (
            alone
            and not spoken_in
            and evidence.home
            and mention.field == "title"
            and place.country != evidence.home
            # A town places.yaml lists by hand (a London borough) has no population: kept.
            and 0 < population < _HEADLINE_TOWN_ABROAD
        ):
            continue  # "Can" and "Sim" in English headlines: not Çan (TR), Sim (RU)
        if alone and spoken_in and place.country not in spoken_in and population < _FOREIGN_TOWN:
            continue  # "Kita" in Indonesian news, "Roma" in Italian: not Kita (JP), Roma (LS)
        scores[place] += mention.weight
        first_seen.setdefault(place, (order[mention.field], mention.start))
        fields_of[place].add(mention.field)
        choices[place] = max(choices.get(place, 0), len(mention.candidates))
        if mention.field in ("title", "excerpt") and place.level != "company":
            offset = skip if mention.field == "excerpt" else 0
            spans.append((place, mention.field, mention.start + offset))

    companies = [p for p in scores if p.level == "company"]
    governments = [p for p in scores if p.level != "company"]
    governments.sort(key=lambda p: (-scores[p], first_seen[p]))
    companies.sort(key=lambda p: (first_seen[p], -scores[p]))

    lead = f"{title}\n{excerpt[:_LEAD_CHARS]}"
    if not governments and (_STATE_ACTOR.search(lead) or _STATE_POLITICS.search(lead)):
        # "Attorney General Donovan sues Clearview AI" in a Vermont paper: the state's action.
        state, weight = max(evidence.states.items(), key=lambda kv: kv[1], default=(None, 0.0))
        if state and weight >= 2.0:
            place = Place(level="state", country="US", state=state)
            governments = [place]
            fields_of[place] = {"excerpt"}
            scores[place] = weight
    if governments:
        top = governments[0]
        below = [
            p
            for p in governments
            if p.level == top.level and p.country == top.country and "title" not in fields_of[p]
        ]
        if (
            top.level in ("city", "county", "state")
            and top.country
            and len(below) >= _MANY_PLACES
            and not any("title" in fields_of[p] for p in governments)
        ):
            country = Place(level="national", country=top.country)
            governments = [country, *(p for p in governments if p != country)]
        elif (
            top.level == "city"
            and top.country == "US"
            and top.state
            and fields_of[top] == {"dateline"}
            and _STATE_POLITICS.search(f"{title}\n{excerpt[:_LEAD_CHARS]}")
        ):
            # "BOSTON — Gov. Charlie Baker signed ...": the capital is only where it was reported.
            state = Place(level="state", country="US", state=top.state)
            governments = [state, *(p for p in governments if p != state)]
        elif (
            top.level == "city"
            and fields_of[top] == {"dateline"}
            and top.city is not None
            and gaz.capitals.get(top.country) == name_key(top.city)
            and _NATIONAL_POLITICS.search(f"{title}\n{excerpt[:_LEAD_CHARS]}")
        ):
            country = Place(level="national", country=top.country)
            governments = [country, *(p for p in governments if p != country)]
        elif (
            top.level == "city"
            and top.country != "US"
            and top.state
            and fields_of[top] == {"dateline"}
            and _PROVINCE_POLITICS.search(lead)
        ):
            # "VICTORIA, B.C. — The province's commissioner ...": the province's news.
            state = Place(level="state", country=top.country, state=top.state)
            governments = [state, *(p for p in governments if p != state)]
        elif (
            top.level == "city"
            and "title" not in fields_of[top]
            and top.city is not None
            and gaz.capitals.get(top.country) == name_key(top.city)
            and _NATIONAL_MINISTRY.search(lead)
        ):
            # "The interior ministry in Vienna said ...": the capital stands for the government.
            country = Place(level="national", country=top.country)
            governments = [country, *(p for p in governments if p != country)]
        elif top.level in ("state", "national"):
            state_news = _STATE_POLITICS.search(f"{title}\n{excerpt[:_LEAD_CHARS]}")
            inner = [
                p
                for p in governments[1:]
                if _specific(p, top)
                and scores[p] >= 0.5 * scores[top]
                # A capital named only in the dateline of a governor's story is where it was filed.
                and not (state_news and fields_of[p] == {"dateline"})
                # "The interior ministry in Vienna": the capital of a minister's story is the seat.
                and not (
                    top.level == "national"
                    and p.city is not None
                    and "title" not in fields_of[p]
                    and gaz.capitals.get(top.country) == name_key(p.city)
                    and _NATIONAL_MINISTRY.search(lead)
                )
            ]
            if inner:
                governments.remove(inner[0])
                governments.insert(0, inner[0])

    title_mentions = sorted(
        (m for m in scanner.mentions if m.field == "title"), key=lambda m: m.start
    )
    return Located(
        governments=governments,
        companies=companies,
        company_first_in_title=bool(title_mentions) and title_mentions[0].kind == "company",
        company_fields=frozenset(m.field for m in scanner.mentions if m.kind == "company"),
        title_opens_with=title_mentions[0].kind
        if title_mentions and title_mentions[0].start == 0
        else None,
        outlet_country=_outlet_country(evidence.provider),
        provider=evidence.provider,
        weights={place: scores[place] for place in governments},
        in_title=frozenset(p for p in governments if "title" in fields_of[p]),
        spans=tuple(spans),
        choices={place: choices.get(place, 1) for place in governments},
    )


def _outlet_country(provider: Provider | None) -> str | None:
    """The country of an outlet known only by its country (a national outlet), else None."""
    if provider is None or provider.state or provider.city:
        return None
    return provider.country
