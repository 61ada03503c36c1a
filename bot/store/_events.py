"""Store methods for the tracker's hot paths: policy events per place, the known places.

Status answers and autocomplete run on every command and keystroke: they read the compact
``place_events`` table (one row per policy item, kept by triggers, clustered by place) and a
cached list of places, never article bodies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import aiosqlite

from bot.models import Article, Event, Jurisdiction
from bot.store._base import BaseStore

# Kept by triggers (migration 008): one row per policy item, by its main place.
_EVENT_COLUMNS = (
    "SELECT article_id, title, url, provider, published_at, event_date, action, scope,"
    " place_key, corrected FROM place_events"
)


# Each place's events in timeline order: the primary key's order, so nothing is sorted.
_IN_ORDER = " ORDER BY place_key, sort_date, sort_time, article_id"


class EventStore(BaseStore):
    """Policy events and jurisdictions, read lean."""

    _jurisdictions_stamp: tuple[int, int] | None = None
    _jurisdictions_cache: tuple[Jurisdiction, ...] | None = None

    async def known_jurisdictions(self) -> tuple[Jurisdiction, ...]:
        """Every jurisdiction some article names, by name; cached until one is added.

        Jurisdictions are only ever inserted (never updated or deleted), so their count and
        largest rowid tell whether the cached list is still whole, in one cheap query.
        """
        row = await self._fetchone("SELECT count(*), coalesce(max(rowid), 0) FROM jurisdictions")
        stamp = (int(row[0]), int(row[1])) if row else (0, 0)
        if self._jurisdictions_cache is None or stamp != self._jurisdictions_stamp:
            rows = await self._fetchall(
                "SELECT key, level, name, state, country FROM jurisdictions ORDER BY name, key"
            )
            self._jurisdictions_cache = tuple(
                Jurisdiction(row[0], row[1], row[2], row[3], row[4]) for row in rows
            )
            self._jurisdictions_stamp = stamp
        # The same tuple until a jurisdiction is added: callers may cache what they derive.
        return self._jurisdictions_cache

    async def place_version(self, place_key: str) -> int:
        """A number that changes whenever the place's events change (0: it never had any)."""
        row = await self._fetchone(
            "SELECT version FROM place_versions WHERE place_key = ?", (place_key,)
        )
        return int(row[0]) if row else 0

    async def article_texts(self, article_ids: Sequence[str]) -> dict[str, Article]:
        """Articles by id with their text only (no reading, no variants): what a summary of
        the source needs, in one query."""
        ids = list(dict.fromkeys(article_ids))[:500]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = await self._fetchall(
            "SELECT id, title, excerpt, body, url, published_at, provider_name,"
            f" provider_domain FROM articles WHERE id IN ({marks})",
            ids,
        )
        return {
            row[0]: Article(
                id=row[0],
                title=row[1],
                excerpt=row[2],
                body=row[3],
                url=row[4],
                published_at=dt.datetime.fromisoformat(row[5]) if row[5] else None,
                provider_name=row[6],
                provider_domain=row[7],
            )
            for row in rows
        }

    async def busiest_places(self, limit: int, min_events: int) -> list[str]:
        """The keys of the places with the most events (at least ``min_events``), most first."""
        rows = await self._fetchall(
            "SELECT place_key FROM place_events GROUP BY place_key HAVING count(*) >= ?"
            " ORDER BY count(*) DESC, place_key LIMIT ?",
            (min_events, limit),
        )
        return [row[0] for row in rows]

    async def place_versions(self) -> dict[str, int]:
        """Every place that has (or had) events, with its version number."""
        rows = await self._fetchall("SELECT place_key, version FROM place_versions")
        return {row[0]: int(row[1]) for row in rows}

    async def place_events(self, place_keys: Sequence[str] | None = None) -> list[Event]:
        """Policy items as events of their main jurisdiction (corrections applied), for the
        places given or for all: grouped by place, each place's in timeline order
        (``bot.tracker.chronological``; publication times are compared to the millisecond)."""
        if place_keys is None:
            return _events(await self._fetchall(_EVENT_COLUMNS + _IN_ORDER))
        keys = list(dict.fromkeys(place_keys))
        if not keys:
            return []
        events = []
        # In slices, to stay under SQLite's limit on bound parameters.
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self._fetchall(
                _EVENT_COLUMNS + f" WHERE place_key IN ({marks})" + _IN_ORDER, chunk
            )
            events += _events(rows)
        return events


def _events(rows: Sequence[aiosqlite.Row]) -> list[Event]:
    """Event objects from ``place_events`` rows (dates parsed once per distinct day)."""
    days: dict[str, dt.date] = {}
    parse_time = dt.datetime.fromisoformat
    events = []
    append = events.append
    for article_id, title, url, provider, published, day, action, scope, place, corrected in rows:
        event_date = None
        if day:
            event_date = days.get(day)
            if event_date is None:
                event_date = days[day] = dt.date.fromisoformat(day)
        # Positional: a busy place has thousands of events, and keywords cost a third more.
        append(
            Event(
                article_id,
                title,
                url,
                provider,
                parse_time(published) if published else None,
                event_date,
                action,
                scope,
                place,
                bool(corrected),
            )
        )
    return events
