"""What a news item is about: policy or not, the action, whose use, when, and where.

Rules and vocabularies live in ``bot/data/*.yaml``; this package only applies them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path

from bot.data import DATA_DIR, file_digest
from bot.extraction._dates import event_date
from bot.extraction._locate import Located, locate
from bot.extraction._rules import RULE_FILES, ActionRules, action_rules, fold, scope_rules
from bot.models import Article, Extraction, Place
from bot.places import PLACES_FILE

__all__ = ["EXTRACTOR_VERSION", "extract", "mentions_fr"]

_BASE_VERSION = "1"
_CODE_FILES = [
    *Path(__file__).parent.glob("*.py"),
    *(Path(__file__).parent.parent / "places").glob("*.py"),
]
_DATA_FILES = [DATA_DIR / name for name in (*RULE_FILES, PLACES_FILE)]
EXTRACTOR_VERSION: str = f"{_BASE_VERSION}-{file_digest(_CODE_FILES + _DATA_FILES)}"

# The most of each field the extraction ever reads: news puts what matters first, and a
# headline or teaser longer than this is not one.
_MAX_TITLE = 1_000
_MAX_EXCERPT = 5_000
_MAX_BODY = 8_000
# A body read as the lead when an item has no excerpt: up to this many characters.
_LEAD_LIMIT = 400
_MARKUP = re.compile(r"<[@#][!&]?\d+>|<a?:\w+:\d+>|https?://\S+|[*_`~|>#]{1,3}")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]([01]?\d)(?:[/-]([0-3]?\d))?(?:/|-|$)")
_US_EASTERN = dt.timezone(dt.timedelta(hours=-5))


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


def _is_about_fr(rules: ActionRules, fields: dict[str, str]) -> bool:
    """Whether the item mentions facial recognition at all."""
    text = "\n".join(fields.values())
    return any(pattern.search(text) for pattern in rules.fr_terms)


def _action(rules: ActionRules, fields: dict[str, str], located: Located) -> str:
    """The main action: the best-scoring rule label over title, excerpt and body lead."""
    scores: dict[str, float] = {}
    order: dict[str, int] = {}
    actor_in: dict[str, bool] = {}
    folded = {field_name: fold(text) for field_name, text in fields.items()}
    for index, rule in enumerate(rules.rules):
        for field_name, text in fields.items():
            if not text or not rule.matches(text, folded[field_name]):
                continue
            if rule.requires == "government":
                if field_name not in actor_in:
                    actor_in[field_name] = bool(rules.government_actor.search(text)) or (
                        field_name == "title" and located.country_first_in_title
                    )
                if not actor_in[field_name]:
                    continue
            if rule.requires == "company" and field_name not in located.company_fields:
                continue
            scores[rule.label] = (
                scores.get(rule.label, 0.0) + rule.weight * rules.field_weights[field_name]
            )
            order.setdefault(rule.label, index)
    if not scores:
        return "none"
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


def _scope(fields: dict[str, str], action: str, located: Located, main: Place | None) -> str:
    """Whose use the item concerns."""
    rules = scope_rules()
    texts = dict(fields)
    texts["body"] = texts["body"][: rules.body_chars]
    scores = {"police": 0.0, "government": 0.0, "private": 0.0, "all": 0.0}
    folded = {field_name: fold(text) for field_name, text in texts.items()}
    for rule in rules.rules:
        for field_name, text in texts.items():
            if text and rule.matches(text, folded[field_name]):
                scores[rule.label] += rule.weight * rules.field_weights[field_name]
    if action in rules.company_private_actions and "title" in located.company_fields:
        police_in_title = any(
            rule.label == "police" and rule.matches(texts["title"], folded["title"])
            for rule in rules.rules
        )
        if not police_in_title:
            scores["private"] += rules.company_private_bonus * rules.field_weights["title"]
    others = max(scores["police"], scores["government"], scores["private"])
    if scores["all"] > 0 and scores["all"] >= 0.5 * others:
        return "all"
    if scores["police"] > 0 and scores["government"] > 0:
        scores["government"] += scores["police"]
    if others > 0:
        return max(("police", "government", "private"), key=lambda s: scores[s])
    if action in rules.local_government_actions and main is not None:
        return rules.level_defaults.get(main.level, "unknown")
    return "unknown"


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


def _fields(article: Article, rules: ActionRules) -> dict[str, str]:
    """The cleaned title, excerpt (or the body's lead) and body the extraction reads."""
    title = _clean(article.title, _MAX_TITLE)
    excerpt = _clean(article.excerpt, _MAX_EXCERPT)
    body = _clean(article.body, _MAX_BODY)
    if not excerpt and body:
        # No teaser: the body's opening sentences are the lead a reader goes by.
        excerpt, body = _lead(body)
    return {"title": title, "excerpt": excerpt, "body": body[: rules.body_chars]}


def mentions_fr(article: Article) -> bool:
    """Whether the item names facial recognition at all (an FR term of ``actions.yaml`` in
    what the extraction reads): the check that makes an item without one not policy news."""
    rules = action_rules()
    return _is_about_fr(rules, _fields(article, rules))


def extract(article: Article) -> Extraction:
    """Read one article: is it FR policy news, what happened, whose use, when and where."""
    rules = action_rules()
    title = _clean(article.title, _MAX_TITLE)
    excerpt = _clean(article.excerpt, _MAX_EXCERPT)
    body = _clean(article.body, _MAX_BODY)
    if not excerpt and body:
        # No teaser: the body's opening sentences are the lead a reader goes by.
        excerpt, body = _lead(body)
    fields = {"title": title, "excerpt": excerpt, "body": body[: rules.body_chars]}

    located = locate(title, excerpt, body, article.provider_domain, article.url)
    action = _action(rules, fields, located) if _is_about_fr(rules, fields) else "none"
    places = located.ordered(company_policy=action == "company_policy")
    main = places[0] if places else None
    scope = _scope(fields, action, located, main)

    published, latest = _publication(article, main.country if main else None)
    date = event_date(
        [title, excerpt, body[:1500]],
        published,
        fallback_to_published=action in rules.dated_by_publication,
        latest=latest,
    )
    if action == "none":
        date = None
    return Extraction(
        is_policy=action != "none",
        action=action,
        scope=scope,
        event_date=date,
        places=places,
    )
