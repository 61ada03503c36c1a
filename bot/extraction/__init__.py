"""What a news item is about: policy or not, the action, whose use, when, where, how sure.

A reading has three layers. Rules and event frames (vocabularies in ``bot/data/*.yaml``) find
what the text says: wording cues, who acts, what they do, at what stage, and the places named.
A trained linear model (``bot/data/extraction_model.json``, retrained by
``python -m bot.extraction.train``) weighs all of that into the action and the scope. The main
place is the place of the acting body's seat. A calibrated confidence says how likely the
reading is right.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.data import DATA_DIR, DataFileError, file_digest, load_yaml
from bot.extraction._dates import event_date
from bot.extraction._frames import (
    FRAMES_FILE,
    Frame,
    Hit,
    frame,
    hits,
    language,
    settled_action,
)
from bot.extraction._locate import LANGUAGE_HOMES, Located, locate
from bot.extraction._model import MODEL_FILE, model
from bot.extraction._rules import (
    RULE_FILES,
    ActionRules,
    action_rules,
    reads_alike_in_ascii,
    scope_rules,
)
from bot.models import Article, Extraction, Place
from bot.places import PLACES_FILE
from bot.places._counties import COUNTY_TABLE
from bot.places._index import COUNTRY_NAMES_TABLE, NATIVE_TABLE
from bot.places.common_words import WORDS_FILE

__all__ = ["EXTRACTOR_VERSION", "Reading", "decide", "extract", "mentions_fr", "read"]

READING_FILE = "reading.yaml"
_BASE_VERSION = "2"
_CODE_FILES = [
    *Path(__file__).parent.glob("*.py"),
    *(Path(__file__).parent.parent / "places").glob("*.py"),
]
_DATA_FILES = [
    DATA_DIR / name
    for name in (*RULE_FILES, PLACES_FILE, FRAMES_FILE, READING_FILE, MODEL_FILE, WORDS_FILE)
] + [COUNTY_TABLE, NATIVE_TABLE, COUNTRY_NAMES_TABLE]
EXTRACTOR_VERSION: str = f"{_BASE_VERSION}-{file_digest(_CODE_FILES + _DATA_FILES)}"

# The most of each field the extraction ever reads: news puts what matters first, and a
# headline or teaser longer than this is not one.
_MAX_TITLE = 1_000
_MAX_EXCERPT = 5_000
_MAX_BODY = 8_000
# A body read as the lead when an item has no excerpt: up to this many characters.
_LEAD_LIMIT = 400
# A seat word ("council") points at a place of its level named at most this many characters
# before it ("Springfield City Council", "the Somerville, Mass., city council").
_SEAT_REACH = 40
# How much likelier than the likeliest policy action "none" must be to be read (chosen by grouped
# CV over 1,750 items: 0 / 0.05 / 0.1 / 0.15 gave action 0.745 / 0.752 / 0.760 / 0.764 and
# is_policy 0.819 / 0.823 / 0.821 / 0.814; README).
NONE_MARGIN = 0.1
# The policy model's probability over which an item reads as policy news although the action
# model finds "none" likeliest (grouped CV over 2,346 items, 0.5 / 0.55 / 0.6 / 0.7: is_policy
# 0.793 / 0.794 / 0.797 / 0.798, action 0.770 / 0.770 / 0.770 / 0.767; without it 0.794, 0.765).
POLICY_THRESHOLD = 0.6
# The lead sentence read for the event frame.
_FRAME_LEAD = 300
_MARKUP = re.compile(r"<[@#][!&]?\d+>|<a?:\w+:\d+>|https?://\S+|[*_`~|>#]{1,3}")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]([01]?\d)(?:[/-]([0-3]?\d))?(?:/|-|$)")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9\)][.!?])\s+(?=[A-Z\"“])")
_LOWER_LETTERS = re.compile(r"[^\W\d_A-Z]", re.UNICODE)
_US_EASTERN = dt.timezone(dt.timedelta(hours=-5))


@dataclass(frozen=True, slots=True)
class Limits:
    """Everything reading.yaml says: caps on the confidence of unusual input."""

    caps: dict[str, float]
    huge_body_chars: int
    many_places: int
    no_fr_confidence: float


@functools.cache
def limits() -> Limits:
    """Load reading.yaml (once)."""
    data = load_yaml(READING_FILE)
    caps = data.get("caps")
    expected = {"empty", "huge_body", "foreign", "all_caps", "many_places"}
    if not isinstance(caps, dict) or set(caps) != expected:
        raise DataFileError(f"{READING_FILE}: 'caps' must give {', '.join(sorted(expected))}")
    try:
        return Limits(
            caps={name: float(value) for name, value in caps.items()},
            huge_body_chars=int(data["huge_body_chars"]),
            many_places=int(data["many_places"]),
            no_fr_confidence=float(data["no_fr_confidence"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DataFileError(f"{READING_FILE}: {exc}") from exc


@dataclass(slots=True)
class Reading:
    """What the rules and frames find in one article, before the model weighs it."""

    fields: dict[str, str]
    located: Located
    about_fr: bool
    # The wording rules of actions.yaml (empty and None when the model does not read them).
    rule_scores: dict[str, float]
    rule_action: str | None
    scope_scores: dict[str, float]
    title_hits: list[Hit]
    lead_hits: list[Hit]
    frame: Frame
    language: str
    # Conditions of reading.yaml's caps that the input meets.
    flags: frozenset[str]


def _clean(text: str | None, limit: int | None = None) -> str:
    """Text without chat markup, links or runs of spaces."""
    if not text:
        return ""
    if limit is not None:
        text = text[:limit]
    return _SPACES.sub(" ", _MARKUP.sub(" ", text)).strip()


def _lead(body: str) -> tuple[str, str]:
    """Split the body into its lead (first paragraph, at most a few sentences) and the rest."""
    paragraph = body.split("\n\n", 1)[0]
    if len(paragraph) > _LEAD_LIMIT:
        cut = paragraph.rfind(". ", 0, _LEAD_LIMIT)
        paragraph = paragraph[: cut + 1] if cut > 0 else paragraph[:_LEAD_LIMIT]
    return paragraph.strip(), body[len(paragraph) :].strip()


def _first_sentence(text: str) -> str:
    """The first sentence of a lead (at most _FRAME_LEAD characters)."""
    head = text[:_FRAME_LEAD]
    match = _SENTENCE_END.search(head)
    return head[: match.start()] if match else head


def _is_all_caps(title: str) -> bool:
    """Whether a headline is written in capitals (at least ten letters, nine in ten upper)."""
    if len(title) < 10 or len(_LOWER_LETTERS.findall(title)) * 10 > len(title):
        return False
    letters = [c for c in title if c.isalpha()]
    return len(letters) >= 10 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def _is_about_fr(rules: ActionRules, fields: dict[str, str], found: list[Hit]) -> bool:
    """Whether the item mentions facial recognition at all (in any language the frames know)."""
    if any(hit.kind == "fr" for hit in found):
        return True
    text = "\n".join(fields.values())
    return any(pattern.search(text) for pattern in rules.fr_terms)


def _rule_scores(rules: ActionRules, fields: dict[str, str], located: Located) -> dict[str, float]:
    """Each action's score from the wording rules over title, excerpt and body lead."""
    scores: dict[str, float] = {}
    actor_in: dict[str, bool] = {}
    found = {field_name: rules.needle_index.found(text) for field_name, text in fields.items()}
    alike = {field_name: reads_alike_in_ascii(text) for field_name, text in fields.items()}
    for rule in rules.rules:
        for field_name, text in fields.items():
            if not text:
                continue
            # What a rule requires is checked before its patterns: it is the cheaper test
            # (the company's is known, the government actor's is one search per field).
            if rule.requires == "company" and field_name not in located.company_fields:
                continue
            if rule.requires == "government":
                if field_name not in actor_in:
                    actor_in[field_name] = bool(rules.government_actor.search(text)) or (
                        field_name == "title" and located.country_first_in_title
                    )
                if not actor_in[field_name]:
                    continue
            if not rule.matches_found(text, found[field_name], alike[field_name]):
                continue
            scores[rule.label] = (
                scores.get(rule.label, 0.0) + rule.weight * rules.field_weights[field_name]
            )
    return scores


def _rule_action(
    rules: ActionRules, fields: dict[str, str], located: Located, scores: dict[str, float]
) -> str:
    """The action the wording rules alone give: the best score (ties: the rule listed first)."""
    if not scores:
        return "none"
    order = {rule.label: index for index, rule in reversed(list(enumerate(rules.rules)))}
    best = max(scores, key=lambda label: (scores[label], -order[label]))
    if scores[best] < rules.min_score:
        return "none"
    if best in rules.moratorium_map and _is_time_limited(rules, fields):
        best = rules.moratorium_map[best]
    if best in rules.company_subject_actions and located.company_first_in_title:
        best = "company_policy"
    return best


def _is_time_limited(rules: ActionRules, fields: dict[str, str]) -> bool:
    """Whether the measure reads as a pause: cue in the headline, or in the excerpt when the
    headline does not itself say "ban"."""
    title, excerpt = fields["title"], fields["excerpt"]
    if any(cue.search(title) for cue in rules.moratorium_cues):
        return True
    if re.search(r"\bban", title, re.IGNORECASE):
        return False
    return any(cue.search(excerpt) for cue in rules.moratorium_cues)


def _scope_scores(fields: dict[str, str], located: Located, action: str | None) -> dict[str, float]:
    """Each scope's score from the wording rules."""
    rules = scope_rules()
    texts = dict(fields)
    texts["body"] = texts["body"][: rules.body_chars]
    scores = {"police": 0.0, "government": 0.0, "private": 0.0, "all": 0.0}
    found = {field_name: rules.needle_index.found(text) for field_name, text in texts.items()}
    alike = {field_name: reads_alike_in_ascii(text) for field_name, text in texts.items()}
    for rule in rules.rules:
        for field_name, text in texts.items():
            if text and rule.matches_found(text, found[field_name], alike[field_name]):
                scores[rule.label] += rule.weight * rules.field_weights[field_name]
    if action in rules.company_private_actions and "title" in located.company_fields:
        police_in_title = any(
            rule.label == "police"
            and rule.matches_found(texts["title"], found["title"], alike["title"])
            for rule in rules.rules
        )
        if not police_in_title:
            scores["private"] += rules.company_private_bonus * rules.field_weights["title"]
    return scores


def _publication(article: Article, country: str | None) -> tuple[dt.date | None, dt.date | None]:
    """(publish date, latest possible date) from the article's time or its URL."""
    published = article.published_at
    if published is not None:
        # A time in UTC is read as the US day it fell on; a date with no time (stored as
        # midnight UTC) is already the day, and shifting it would make it the day before.
        has_time = published.timetz().replace(tzinfo=None) != dt.time(0)
        if published.tzinfo is not None and country == "US" and has_time:
            published = published.astimezone(_US_EASTERN)
        return published.date(), published.date()
    match = _URL_DATE.search(article.url or "")
    if not match:
        return None, None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None, None
    if match.group(3):
        try:
            day = dt.date(year, month, int(match.group(3)))
        except ValueError:
            return None, None
        return day, day
    return None, dt.date(year, month, calendar.monthrange(year, month)[1])


def _texts(article: Article) -> tuple[str, str, str]:
    """The cleaned title, excerpt (or the body's lead) and body the extraction reads."""
    title = _clean(article.title, _MAX_TITLE)
    excerpt = _clean(article.excerpt, _MAX_EXCERPT)
    body = _clean(article.body, _MAX_BODY)
    if _is_all_caps(title):
        # Names are found by their capitals: a headline in capitals is read in title case.
        title = title.title()
    if not excerpt and body:
        # No teaser: the body's opening sentences are the lead a reader goes by.
        excerpt, body = _lead(body)
    return title, excerpt, body


def mentions_fr(article: Article) -> bool:
    """Whether the item names facial recognition at all (an FR term of ``actions.yaml`` or of
    ``frames.yaml``'s languages in what the extraction reads): the check that makes an item
    without one not policy news."""
    rules = action_rules()
    title, excerpt, body = _texts(article)
    fields = {"title": title, "excerpt": excerpt, "body": body[: rules.body_chars]}
    return _is_about_fr(rules, fields, hits(title) + hits(_first_sentence(excerpt)))


def read(article: Article, action_rules_too: bool = True) -> Reading:
    """What the rules and frames find in one article (the model's input); the wording rules
    of actions.yaml only when ``action_rules_too``."""
    rules = action_rules()
    flags: set[str] = set()
    title, excerpt, body = _texts(article)
    if len(article.body or "") > limits().huge_body_chars:
        flags.add("huge_body")
    if not (title or excerpt or body):
        flags.add("empty")
    if _is_all_caps(_clean(article.title, _MAX_TITLE)):
        flags.add("all_caps")
    fields = {"title": title, "excerpt": excerpt, "body": body[: rules.body_chars]}

    spoken = language(f"{title}\n{excerpt[:_FRAME_LEAD]}")
    located = locate(title, excerpt, body, article.provider_domain, article.url, spoken)
    if len(located.in_title) >= limits().many_places:
        flags.add("many_places")
    title_hits = hits(title)
    lead_hits = hits(_first_sentence(excerpt))
    if spoken != "en":
        flags.add("foreign")
    about_fr = _is_about_fr(rules, fields, title_hits + lead_hits)
    # The model learnt from headlines and leads: its rule features read those, not the body.
    lead = {**fields, "body": ""}
    scores = _rule_scores(rules, lead, located) if about_fr and action_rules_too else {}
    rule_action = None
    if action_rules_too:
        rule_action = _rule_action(rules, lead, located, scores) if about_fr else "none"
    main_frame = frame(title_hits)
    if main_frame.actor is None or not main_frame.predicates:
        lead_frame = frame(lead_hits)
        if lead_frame.predicates:
            main_frame = lead_frame
    return Reading(
        fields=fields,
        located=located,
        about_fr=about_fr,
        rule_scores=scores,
        rule_action=rule_action,
        scope_scores=_scope_scores(lead, located, rule_action),
        title_hits=title_hits,
        lead_hits=lead_hits,
        frame=main_frame,
        language=spoken,
        flags=frozenset(flags),
    )


def main_places(reading: Reading, action: str) -> tuple[Place, ...]:
    """The places, main first: the place of the acting body's seat when the item names one
    (of the seat's level, the one named nearest before the seat word: "Springfield council")."""
    located = reading.located
    places = located.ordered(company_policy=action == "company_policy")
    seat = _seat(reading)
    provider = located.provider
    if not places and action != "none" and provider is not None and provider.country:
        # Policy news that names no place: the outlet's home is the best guess (a local
        # paper's council story, a national paper's federal bill), with its doubt in the
        # confidence.
        if provider.city and seat is not None and seat[1].label == "city":
            home = Place(level="city", country=provider.country, state=provider.state,
                         city=provider.city)  # fmt: skip
        else:
            home = Place(level="national", country=provider.country)
        return (home,)
    if not places and action != "none" and (provider is None or not provider.country):
        home = _home_of_language(reading)
        if home is not None:
            return (Place(level="national", country=home),)
    if seat is None or not places or places[0].level == "company":
        return _airport(reading, _spread(reading, places, seat), seat)
    field, hit = seat
    at_seat = [place for place in places if place.level == hit.label]
    if not at_seat:
        return places
    named = [
        (hit.start - start, place)
        for place, where, start in located.spans
        if where == field and place.level == hit.label and 0 <= hit.start - start <= _SEAT_REACH
    ]
    chosen = min(named, key=lambda pair: pair[0])[1] if named else at_seat[0]
    if chosen == places[0]:
        return places
    return (chosen, *(place for place in places if place != chosen))


def _airport(
    reading: Reading, places: tuple[Place, ...], seat: tuple[str, Hit] | None
) -> tuple[Place, ...]:
    """An airport abroad named in the headline or lead, with no city body acting: border and
    immigration control there is the nation's, so the country leads ("Facial recognition trials
    at Manchester Airport"; grouped CV over 2,497 items: main place 0.773 -> 0.778). US airports
    are run by cities, counties and state authorities, and keep their place."""
    if not places or places[0].level != "city" or places[0].country in (None, "US"):
        return places
    if seat is not None and seat[1].label == "city":
        return places
    if not any(hit.kind == "airport" for hit in (*reading.title_hits, *reading.lead_hits)):
        return places
    national = Place(level="national", country=places[0].country)
    return (national, *(p for p in places if p != national))


def _spread(
    reading: Reading, places: tuple[Place, ...], seat: tuple[str, Hit] | None
) -> tuple[Place, ...]:
    """A headline naming several cities of one country and no body of a city ("launched at
    Delhi, Bengaluru and Varanasi airports", "Narita and Haneda airports") tells a country's
    news: the country leads (grouped CV: main place 0.765 -> 0.768; 8 items right, 2 lost)."""
    if not places or places[0].level != "city" or (seat and seat[1].label == "city"):
        return places
    country = places[0].country
    cities = {p for p in reading.located.in_title if p.level == "city" and p.country == country}
    if len(cities) < 2:
        return places
    national = Place(level="national", country=country)
    return (national, *(p for p in places if p != national))


# Letters written for one country's language: Korean's Hangul, Japanese's kana.
_SCRIPT_HOMES = (("KR", re.compile("[\uac00-\ud7af]")), ("JP", re.compile("[\u3040-\u30ff]")))


def _home_of_language(reading: Reading) -> str | None:
    """The country policy news naming no place is most likely about, from its language: the
    US for English from an outlet of unknown country ("Senators introduce bill to ban federal
    use ..."), Brazil for Portuguese, Korea or Japan for their scripts."""
    if reading.language in LANGUAGE_HOMES:
        return LANGUAGE_HOMES[reading.language]
    title = reading.fields["title"]
    return next((home for home, letters in _SCRIPT_HOMES if letters.search(title)), None)


def _seat(reading: Reading) -> tuple[str, Hit] | None:
    """The first seat word in the headline, else in the lead, with the field it is in."""
    for field, found in (("title", reading.title_hits), ("excerpt", reading.lead_hits)):
        for hit in found:
            if hit.kind == "seat":
                return field, hit
    return None


@dataclass(frozen=True, slots=True)
class Decision:
    """The model's answer for one reading."""

    action: str
    scope: str
    places: tuple[Place, ...]
    confidence: float
    action_probabilities: dict[str, float]
    # The action model's probabilities from the headline's features alone: a second view of
    # the item whose agreement with the whole reading the confidence weighs.
    headline_probabilities: dict[str, float] | None = None
    # The policy model's probability that the item is policy news (None where it was not run).
    policy_probability: float | None = None


# Actors and predicates that make policy news when they act on FR; a company's own product
# ("Airline unveils biometric boarding") is not one of them.
_NON_POLICY_ACTORS = frozenset({"company"})
# Predicates as common in product news as in policy news ("unveils", "launches", "stops").
_NON_POLICY_PREDICATES = frozenset({"adopt", "propose", "debate", "halt", "solve_case"})


def _policy_signal(reading: Reading) -> bool:
    """Whether the headline or lead shows anything of policy: a wording rule met, a public body
    or campaigners acting, a seat of government, or a predicate of policy (not a roll-out)."""
    if reading.rule_action not in (None, "none"):
        return True
    for hit in (*reading.title_hits, *reading.lead_hits):
        if hit.kind == "seat":
            return True
        if hit.kind == "actor" and hit.label not in _NON_POLICY_ACTORS:
            return True
        if hit.kind == "predicate" and hit.label not in _NON_POLICY_PREDICATES:
            return True
    return False


def decide(reading: Reading, weights: Any = None) -> Decision:
    """Weigh a reading into an action, scope, places and confidence (``weights``: a model to
    use instead of the shipped one, as cross-validation does)."""
    weights = weights or model()
    caps = limits().caps
    settled = settled_action(reading.title_hits)
    headline_probabilities = None
    policy_probability = None
    if not reading.about_fr:
        action, probabilities = "none", {"none": 1.0}
    elif settled is not None:
        action, probabilities = settled, {settled: 1.0}
    else:
        features = weights.action_features(reading)
        probabilities, headline_probabilities, policy_probability = (
            weights.action.probabilities_and_headline(features, weights.policy)
        )
        action = max(probabilities, key=lambda label: (probabilities[label], label == "none"))
        if action == "none" and len(probabilities) > 1:
            # "Not policy" only when the policy model doubts it too, and it is clearly likelier
            # than the likeliest policy action where the headline or lead shows policy: on the
            # first five test splits the largest kind of miss was policy news read as none.
            policy = max((label for label in probabilities if label != "none"),
                         key=probabilities.__getitem__)  # fmt: skip
            if (policy_probability or 0.0) > POLICY_THRESHOLD or (
                probabilities["none"] <= probabilities[policy] + NONE_MARGIN
                and _policy_signal(reading)
            ):
                action = policy
    places = main_places(reading, action)
    main = places[0] if places else None
    scope_probabilities = weights.scope.probabilities(weights.scope_features(reading, action, main))
    scope = max(scope_probabilities, key=scope_probabilities.__getitem__)
    if not any(text.strip() for text in reading.fields.values()):
        scope = "unknown"  # nothing to read: nobody's use of anything
    confidence = weights.confidence(
        reading, probabilities, places, headline_probabilities, policy_probability
    )
    if not reading.about_fr:
        # Capped as cross-validation caps it, so that its figures are the shipped reading's.
        confidence = min(confidence, limits().no_fr_confidence)
    for flag in reading.flags:
        confidence = min(confidence, caps[flag])
    return Decision(
        action,
        scope,
        places,
        round(confidence, 3),
        probabilities,
        headline_probabilities,
        policy_probability,
    )


def extract(article: Article) -> Extraction:
    """Read one article: is it FR policy news, what happened, whose use, when, where, how sure."""
    weights = model()
    reading = read(article, weights.reads_action_rules)
    decision = decide(reading, weights)
    action, places = decision.action, decision.places
    main = places[0] if places else None
    fields = reading.fields
    published, latest = _publication(article, main.country if main else None)
    date = None
    if action != "none":
        date = event_date(
            [fields["title"], fields["excerpt"], fields["body"][:1500]],
            published,
            fallback_to_published=action in action_rules().dated_by_publication,
            latest=latest,
        )
    return Extraction(
        is_policy=action != "none",
        action=action,
        scope=decision.scope,
        event_date=date,
        places=places,
        confidence=decision.confidence,
    )
