"""Plain-text and JSON renderings of core results, for the console and the command line."""

from __future__ import annotations

import textwrap
from typing import Any

from bot.models import Article, Event
from bot.taxonomy import ACTION_LABELS
from bot.tracker import JurisdictionStatus

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


def date_text(event: Event) -> str:
    """An event's date, or a plain word when it has none."""
    return event.date.isoformat() if event.date else "undated"


def event_line(event: Event, note: str = "") -> str:
    """One timeline entry: date, action, headline, provider, link, and a short summary."""
    label = ACTION_LABELS.get(event.action, event.action)
    provider = f" ({event.provider})" if event.provider else ""
    corrected = " [corrected]" if event.corrected else ""
    link = f"\n      {event.url}" if event.url else ""
    summary = (
        "\n" + textwrap.fill(note, width=96, initial_indent="      ", subsequent_indent="      ")
        if note
        else ""
    )
    return f"  {date_text(event)}  {label}{corrected}: {event.title}{provider}{link}{summary}"


def status_headline(result: JurisdictionStatus) -> str:
    """ "Springfield, MA: Pending (police) since 2020-01-29"."""
    label = STATUS_LABELS.get(result.status, result.status)
    scope = f" ({result.scope})" if result.scope != "unknown" else ""
    since = f" since {result.since.isoformat()}" if result.since else ""
    return f"{result.jurisdiction.display}: {label}{scope}{since}"


def render_status(result: JurisdictionStatus, *, latest: int = 5) -> str:
    """Status, scope, since when, what is pending, and the latest dated sources."""
    lines = [status_headline(result), f"Status: {result.status}  Scope: {result.scope}"]
    if result.pending and result.status != "pending":
        lines.append("Pending beside it:")
        if result.pending_count > latest:
            lines.append(f"  ({result.pending_count - latest} earlier not shown: see the timeline)")
        lines.extend(
            event_line(e, result.notes.get(e.article_id, "")) for e in result.pending[-latest:]
        )
    if result.basis:
        lines.append("Rests on:")
        lines.extend(
            event_line(e, result.notes.get(e.article_id, "")) for e in result.basis[-latest:]
        )
    others = result.others(latest)
    if others:
        lines.append("Other recent events:")
        lines.extend(event_line(e, result.notes.get(e.article_id, "")) for e in others)
    if not result.events:
        lines.append("No policy events are recorded for this place.")
    elif result.event_count > len(result.events):
        lines.append(f"{result.event_count} events in all: see the timeline.")
    return "\n".join(lines)


def render_timeline(result: JurisdictionStatus) -> str:
    """Every dated event of one place, oldest first."""
    if not result.events:
        return f"{result.jurisdiction.display}: no policy events recorded."
    lines = [f"Timeline for {result.jurisdiction.display} (now: {result.status}):"]
    lines.extend(event_line(e, result.notes.get(e.article_id, "")) for e in result.events)
    return "\n".join(lines)


def render_cities(results: list[JurisdictionStatus]) -> str:
    """One line per place."""
    if not results:
        return "No places match."
    return "\n".join(status_headline(result) for result in results)


def article_line(article: Article) -> str:
    """Date, id, headline, provider and link of one article."""
    date = article.published_at.date().isoformat() if article.published_at else "undated"
    reading = article.extraction
    tag = ""
    if reading is not None:
        place = f" {reading.place.display}" if reading.place else ""
        tag = f" [{reading.action}{place}]" if reading.is_policy else " [not policy]"
    provider = f" ({article.provider_name})" if article.provider_name else ""
    link = f"\n      {article.url}" if article.url else ""
    return f"  {date}  {article.id}  {article.title}{provider}{tag}{link}"


def render_articles(articles: list[Article], empty: str = "Nothing found.") -> str:
    """A list of articles, or ``empty``."""
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


def event_json_with_note(event: Event, notes: dict[str, str]) -> dict[str, Any]:
    """An event as JSON, with its source summary when known."""
    data = event_json(event)
    if event.article_id in notes:
        data["summary"] = notes[event.article_id]
    return data


def status_json(result: JurisdictionStatus) -> dict[str, Any]:
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
        # A status answer lists the latest few of each (bot.tracker.brief); the counts say
        # how many there are, and a timeline lists every event.
        "basis": [event_json_with_note(event, result.notes) for event in result.basis],
        "pending": [event_json_with_note(event, result.notes) for event in result.pending],
        "pending_count": result.pending_count,
        "events": [event_json_with_note(event, result.notes) for event in result.events],
        "event_count": result.event_count,
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
        "published": article.published_at.isoformat() if article.published_at else None,
        "provider": article.provider_name,
        "url": article.url,
    }
