"""Plain-text and JSON renderings of core results, for the console and the command line."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from bot.models import DEFAULT_CONFIDENCE_THRESHOLD, Article, Event, ReviewState
from bot.taxonomy import ACTION_LABELS
from bot.tracker import JurisdictionStatus, loosens

STATUS_LABELS = {
    "ban": "Ban in force",
    "moratorium": "Moratorium in force",
    "restricted": "Restricted (oversight rules in force)",
    "repealed": "Repealed",
    "pending": "Pending",
    "in_use": "In use",
    "no_action": "No action known",
}

HELP_TEXT = """\
banwatch tracks facial-recognition bans, moratoria and the news about them.

  /status place            status of a city, county, state or country, with sources
  /cities [status] [state] places by status (ban, moratorium, restricted, repealed,
                           pending, in_use, no_action), optionally in one state
  /timeline place          the dated events for one place
  /news [place] [days]     latest policy items
  /search query            full-text search of the coverage
  /map [region] [state]    a map of the places by status (us, europe, world; or one state)
  /help                    this screen

Places can be typed as people write them: chicago, "Chicago, IL", Springfield MA."""


_LINK = re.compile(r"\[([^\]]*)\]\(<?([^)>\s]+)>?\)")
_EMPHASIS = re.compile(r"(?<!\\)(\*\*|__|`)(.+?)(?<!\\)\1")
_ESCAPED = re.compile(r"\\([\\*_`~|>#\[\]()<:@-])")


def terminal_text(markdown: str) -> str:
    """Discord markdown as a terminal shows it: bold and code marks dropped, ``[text](url)``
    as ``text (url)``, backslash escapes undone."""
    text = _LINK.sub(lambda match: f"{match.group(1)} ({match.group(2)})", markdown)
    text = _EMPHASIS.sub(lambda match: match.group(2), text)
    return _ESCAPED.sub(lambda match: match.group(1), text)


def plural(count: int, noun: str) -> str:
    """``1 signature``, ``2 signatures``: a count and its noun (plural with an s)."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def date_text(event: Event) -> str:
    """An event's date, or a plain word when it has none."""
    return event.date.isoformat() if event.date else "undated"


UNCONFIRMED_STATUS = (
    "Unconfirmed: this status rests only on news the bot read automatically and is not sure"
    " of. No moderator has checked it yet."
)


def review_mark(state: ReviewState, threshold: float, corrected: bool = False) -> str:
    """ "corrected", "unconfirmed" or "" for an event's reading, in plain words."""
    if state.state == "corrected" or (state.state is None and corrected):
        return "corrected"
    if state.unconfirmed(threshold):
        return "unconfirmed"
    return ""


def action_label(event: Event) -> str:
    """The event's action in words; a repeal-or-weakening whose headline only loosens the
    measure says so (bot.tracker.loosens)."""
    if loosens(event):
        return "Ban loosened"
    return ACTION_LABELS.get(event.action, event.action)


def event_line(
    event: Event,
    note: str = "",
    *,
    review: ReviewState | None = None,
    threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
) -> str:
    """One timeline entry: date, action, headline, provider, link, and a short summary;
    marked [corrected] or [unconfirmed] when its review state is known."""
    label = action_label(event)
    provider = f" ({event.provider})" if event.provider else ""
    mark = review_mark(review, threshold, event.corrected) if review else ""
    if not review and event.corrected:
        mark = "corrected"
    corrected = f" [{mark}]" if mark else ""
    link = f"\n      {event.url}" if event.url else ""
    summary = (
        "\n" + textwrap.fill(note, width=96, initial_indent="      ", subsequent_indent="      ")
        if note
        else ""
    )
    return f"  {date_text(event)}  {label}{corrected}: {event.title}{provider}{link}{summary}"


def status_label(result: JurisdictionStatus) -> str:
    """The status in words; a measure that ran out by its own terms says so ("Moratorium
    expired") rather than "Repealed", which is its status (TAXONOMY.md)."""
    if result.status == "repealed" and result.expired_on is not None and result.basis:
        measure = result.basis[-1].action
        return "Ban expired" if measure == "ban_enacted" else "Moratorium expired"
    return STATUS_LABELS.get(result.status, result.status)


def status_dates(result: JurisdictionStatus) -> str:
    """ " since 2019-10-09 until 2022-10-09": since when, and until when the measure in force
    runs by its own terms."""
    since = f" since {result.since.isoformat()}" if result.since else ""
    until = f" until {result.ends.isoformat()}" if result.ends else ""
    return since + until


def status_headline(result: JurisdictionStatus) -> str:
    """ "Springfield, MA: Pending (police) since 2020-01-29"."""
    scope = f" ({result.scope})" if result.scope != "unknown" else ""
    return f"{result.jurisdiction.display}: {status_label(result)}{scope}{status_dates(result)}"


def render_status(
    result: JurisdictionStatus,
    *,
    latest: int = 5,
    threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
) -> str:
    """Status, scope, since when, what is pending, and the latest dated sources; marked
    unconfirmed where it rests only on uncertain automatic readings (``threshold``)."""
    lines = [status_headline(result), f"Status: {result.status}  Scope: {result.scope}"]
    if result.unconfirmed(threshold):
        lines.append(UNCONFIRMED_STATUS)

    def line(event: Event) -> str:
        return event_line(
            event,
            result.notes.get(event.article_id, ""),
            review=result.review_of(event),
            threshold=threshold,
        )

    if result.pending and result.status != "pending":
        lines.append("Pending beside it:")
        if result.pending_count > latest:
            lines.append(f"  ({result.pending_count - latest} earlier not shown: see the timeline)")
        lines.extend(line(e) for e in result.pending[-latest:])
    if result.basis:
        lines.append("Rests on:")
        lines.extend(line(e) for e in result.basis[-latest:])
    others = result.others(latest)
    if others:
        lines.append("Other recent events:")
        lines.extend(line(e) for e in others)
    if not result.events:
        lines.append(no_events_text(result))
    elif result.event_count > len(result.events):
        lines.append(f"{result.event_count} events in all: see the timeline.")
    return "\n".join(lines)


def no_events_text(result: JurisdictionStatus, shown: int = 20) -> str:
    """What to say of a place with no events: for a state or country, its tracked places."""
    if not result.within:
        return "No policy events are recorded for this place."
    names = ", ".join(j.display for j in result.within[:shown])
    more = f" and {len(result.within) - shown} more" if len(result.within) > shown else ""
    return (
        f"No policy events are recorded for {result.jurisdiction.display} as a whole."
        f" Tracked places in it: {names}{more}."
    )


def render_timeline(
    result: JurisdictionStatus, *, threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
) -> str:
    """Every dated event of one place, oldest first, each uncertain one marked."""
    if not result.events:
        return f"{result.jurisdiction.display}: no policy events recorded."
    now = result.status + (", unconfirmed" if result.unconfirmed(threshold) else "")
    lines = [
        f"Timeline for {result.jurisdiction.display} (now: {now}),"
        " by event date (when each thing happened):"
    ]
    lines.extend(
        event_line(
            e,
            result.notes.get(e.article_id, ""),
            review=result.review_of(e),
            threshold=threshold,
        )
        for e in result.events
    )
    return "\n".join(lines)


UNCONFIRMED_MARK = "unconfirmed"


def render_cities(
    results: list[JurisdictionStatus], threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
) -> str:
    """One line per place; a status resting only on uncertain automatic readings is marked
    (``threshold``), with the mark explained once below the list."""
    if not results:
        return "No places match."
    lines = [
        status_headline(result)
        + (f"  [{UNCONFIRMED_MARK}]" if result.unconfirmed(threshold) else "")
        for result in results
    ]
    if any(line.endswith(f"[{UNCONFIRMED_MARK}]") for line in lines):
        lines += ["", f"[{UNCONFIRMED_MARK}] {UNCONFIRMED_STATUS.removeprefix('Unconfirmed: ')}"]
    return "\n".join(lines)


def article_line(article: Article) -> str:
    """Date, id, headline, provider and link of one article."""
    date = (
        f"published {article.published_at.date().isoformat()}"
        if article.published_at
        else "publication date unknown"
    )
    reading = article.extraction
    tag = ""
    if reading is not None:
        place = f" {reading.place.display}" if reading.place else ""
        tag = f" [{reading.action}{place}]" if reading.is_policy else " [not policy]"
    provider = f" ({article.provider_name})" if article.provider_name else ""
    link = f"\n      {article.url}" if article.url else ""
    return f"  {date}  {article.id}  {article.title}{provider}{tag}{link}"


def render_articles(articles: list[Article], empty: str = "Nothing found.") -> str:
    """A list of articles, or ``empty``; each dated by its publication."""
    if not articles:
        return empty
    return "\n".join(article_line(article) for article in articles)


def event_json(event: Event) -> dict[str, Any]:
    """An event as JSON."""
    return {
        "article_id": event.article_id,
        "date": event.date.isoformat() if event.date else None,
        "action": event.action,
        "scope": event.scope,
        "title": event.title,
        "provider": event.provider,
        "url": event.url,
        "corrected": event.corrected,
    }


def event_json_with_note(
    event: Event, notes: dict[str, str], reviews: dict[str, ReviewState] | None = None
) -> dict[str, Any]:
    """An event as JSON, with its source summary and review state when known."""
    data = event_json(event)
    if event.article_id in notes:
        data["summary"] = notes[event.article_id]
    if reviews is not None and event.article_id in reviews:
        state = reviews[event.article_id]
        data["review"] = state.state or "automatic"
        data["confidence"] = state.confidence
    return data


def status_json(
    result: JurisdictionStatus, *, threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
) -> dict[str, Any]:
    """A status answer as JSON."""
    place = result.jurisdiction
    return {
        "place": place.display,
        "key": place.key,
        "level": place.level,
        "state": place.state,
        "country": place.country,
        "status": result.status,
        "scope": result.scope,
        "since": result.since.isoformat() if result.since else None,
        # The measure in force ends on this day by its own terms ("three-year moratorium").
        "ends": result.ends.isoformat() if result.ends else None,
        # Set when the status is "repealed" because the last measure ran out on this day.
        "expired_on": result.expired_on.isoformat() if result.expired_on else None,
        # A status answer lists the latest few of each (bot.tracker.brief); the counts say
        # how many there are, and a timeline lists every event.
        "basis": [
            event_json_with_note(event, result.notes, result.reviews) for event in result.basis
        ],
        "pending": [
            event_json_with_note(event, result.notes, result.reviews) for event in result.pending
        ],
        "pending_count": result.pending_count,
        "events": [
            event_json_with_note(event, result.notes, result.reviews) for event in result.events
        ],
        "event_count": result.event_count,
        # True when the status rests only on automatic readings less sure than the threshold.
        "unconfirmed": result.unconfirmed(threshold),
    }


def article_json(article: Article) -> dict[str, Any]:
    """An article with its reading, in the shape of ``banwatch extract --json``."""
    reading = article.extraction
    return {
        "id": article.id,
        "title": article.title,
        "is_policy": reading.is_policy if reading else None,
        "jurisdictions": [place.to_json() for place in reading.places] if reading else [],
        "action": reading.action if reading else None,
        "scope": reading.scope if reading else None,
        "date": reading.event_date.isoformat() if reading and reading.event_date else None,
        "confidence": reading.confidence if reading else None,
        "published": article.published_at.isoformat() if article.published_at else None,
        "provider": article.provider_name,
        "url": article.url,
    }
