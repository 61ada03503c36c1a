"""Store methods for the tracker's hot paths: policy events per place, the known places.

Status answers and autocomplete run on every command and keystroke: they read the compact
``place_events`` table (one row per policy item, kept by triggers, found by place through
narrow indexes) and a cached list of places, never article bodies.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import AsyncIterator, Sequence

from bot.models import Article, Event, Jurisdiction
from bot.places import PlaceQuery
from bot.store._base import BaseStore
from bot.taxonomy import PENDING_ACTIONS
from bot.tracker import (
    DECIDING_ACTIONS,
    MEASURE_ACTIONS,
    REPEAL_ACTION,
    RESETTING_ACTIONS,
    TERM_HINTS,
    StatusSample,
)

# Kept by triggers (migration 008): one row per policy item, by its main place.
_EVENT_COLUMNS = (
    "SELECT article_id, title, url, provider, published_at, event_date, action, scope,"
    " place_key, corrected FROM place_events"
)


# Each place's events in timeline order: the order of the index place_events_timeline
# (migration 021), so nothing is sorted.
_IN_ORDER = " ORDER BY place_key, sort_date, sort_time, article_id"
_NEWEST_FIRST = " ORDER BY sort_date DESC, sort_time DESC, article_id DESC"
_OLDEST_FIRST = " ORDER BY sort_date, sort_time, article_id"
# The event columns preceded by the timeline position (sort_date, sort_time, article_id).
_SAMPLE_COLUMNS = "SELECT sort_date, sort_time, article_id, " + _EVENT_COLUMNS.removeprefix(
    "SELECT "
)
_PENDING_MARKS = ",".join("?" * len(PENDING_ACTIONS))


# store_meta keys of read place queries: the prefix, the gazetteer's version, the text typed.
_PLACE_QUERY_KEY = "place_query"


class EventStore(BaseStore):
    """Policy events and jurisdictions, read lean."""

    _jurisdictions_stamp: int | None = None

    async def read_place_query(self, version: str, typed: str) -> PlaceQuery | None:
        """How ``typed`` was read as a place by the gazetteer of ``version``, if it was."""
        row = await self._fetchone(
            "SELECT value FROM store_meta WHERE key = ?",
            (f"{_PLACE_QUERY_KEY}:{version}:{typed}",),
        )
        if row is None:
            return None
        name, state, country, level = json.loads(row[0])
        return PlaceQuery(name=name, state=state, country=country, level=level)

    async def save_place_query(self, version: str, typed: str, query: PlaceQuery) -> None:
        """Remember how ``typed`` reads as a place; readings of other versions are dropped."""
        value = json.dumps([query.name, query.state, query.country, query.level])
        async with self.transaction() as db:
            await db.execute(
                "DELETE FROM store_meta WHERE substr(key, 1, ?) = ? AND substr(key, 1, ?) != ?",
                (
                    len(_PLACE_QUERY_KEY) + 1,
                    f"{_PLACE_QUERY_KEY}:",
                    len(_PLACE_QUERY_KEY) + len(version) + 2,
                    f"{_PLACE_QUERY_KEY}:{version}:",
                ),
            )
            await db.execute(
                "INSERT INTO store_meta (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (f"{_PLACE_QUERY_KEY}:{version}:{typed}", value),
            )

    _jurisdictions_cache: tuple[Jurisdiction, ...] | None = None

    async def known_jurisdictions(self) -> tuple[Jurisdiction, ...]:
        """Every jurisdiction some article names, by name; cached until one is added.

        Jurisdictions are only ever inserted (never updated or deleted), each with a rowid
        above all before it, so the largest rowid tells whether the cached list is still
        whole: one B-tree descent, where a count read every page of the table (up to 6 ms of
        a status answer when they came from the disk).
        """
        row = await self._fetchone("SELECT coalesce(max(rowid), 0) FROM jurisdictions")
        stamp = int(row[0]) if row else 0
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

    async def status_sample(
        self, place_key: str, keep: int, *, unless_version: int | None = None
    ) -> tuple[int, StatusSample | None]:
        """The place's version and the few events that decide its status (see
        :class:`bot.tracker.StatusSample`), read together in one snapshot; no sample (None)
        when the version is still ``unless_version`` (the caller's answer is current).

        A dozen index look-ups, however many events the place has: a busy place's status
        no longer reads (and builds) thousands of events.
        """
        return await self._read_sync(_status_sample, place_key, keep, unless_version)

    async def place_versions(self, busiest: int | None = None) -> dict[str, int]:
        """Every place that has (or had) events, with its version number; or only the
        ``busiest`` places, those with the most events first."""
        if busiest is None:
            rows = await self._fetchall("SELECT place_key, version FROM place_versions")
        else:
            rows = await self._fetchall(
                "SELECT place_key, version FROM place_versions WHERE events > 0"
                " ORDER BY events DESC, place_key LIMIT ?",
                (busiest,),
            )
        return {row[0]: int(row[1]) for row in rows}

    async def events_by_place(
        self, place_keys: Sequence[str], per_read: int = 200
    ) -> AsyncIterator[tuple[str, list[Event]]]:
        """(place key, its events in timeline order) for each of ``place_keys`` (those with
        none included), read ``per_read`` places at a time: working through every place
        never holds every event (66,000 at 100,000 articles, ~50 MB)."""
        keys = list(dict.fromkeys(place_keys))
        for start in range(0, len(keys), per_read):
            chunk = keys[start : start + per_read]
            by_place: dict[str, list[Event]] = {key: [] for key in chunk}
            for event in await self.place_events(chunk):
                by_place[event.place_key].append(event)
            for key in chunk:
                yield key, by_place[key]

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


def _status_sample(
    connection: sqlite3.Connection, place_key: str, keep: int, unless_version: int | None
) -> tuple[int, StatusSample | None]:
    """:meth:`EventStore.status_sample` on the store's plain connection."""
    # A read transaction, so the version and the rows agree (inside a transaction already
    # open on the connection, its view is already one snapshot).
    owns_transaction = not connection.in_transaction
    if owns_transaction:
        connection.execute("BEGIN")
    try:
        row = connection.execute(
            "SELECT version, events FROM place_versions WHERE place_key = ?", (place_key,)
        ).fetchone()
        version, event_count = (int(row[0]), int(row[1])) if row else (0, 0)
        if version == unless_version:
            return version, None
        return version, _read_status_sample(connection, place_key, keep, event_count)
    finally:
        if owns_transaction:
            connection.execute("COMMIT")


def _read_status_sample(
    connection: sqlite3.Connection, place_key: str, keep: int, event_count: int
) -> StatusSample:
    def rows(sql: str, params: Sequence[object]) -> list[tuple]:
        return connection.execute(_SAMPLE_COLUMNS + sql, params).fetchall()

    found: dict[str, tuple] = {}
    # The newest event of each deciding action (index place_events_action: one seek each).
    cut: tuple[str, str, str] | None = None
    for action in sorted(DECIDING_ACTIONS):
        # Every repeal-or-weakening: whether each one loosens or ends the measure is read from
        # its headline (bot.tracker.loosens), so "the newest one" is not enough; a place has few.
        limit = "" if action == REPEAL_ACTION else " LIMIT 1"
        for newest in rows(
            " WHERE place_key = ? AND action = ?" + _NEWEST_FIRST + limit, (place_key, action)
        ):
            found[newest[2]] = newest
            if action in RESETTING_ACTIONS and (cut is None or newest[:3] > cut):
                cut = newest[:3]
    # Every ban and moratorium whose headline may state a term: a term stated once stands
    # when a later item tells of the same measure without it (bot.tracker.measure_end).
    hints = " OR ".join(["title LIKE ?"] * len(TERM_HINTS))
    for action in sorted(MEASURE_ACTIONS):
        # By the (place, action) index: the planner would walk all of a busy place's events.
        found.update(
            (event[2], event)
            for event in rows(
                f" INDEXED BY place_events_action WHERE place_key = ? AND action = ? AND ({hints})",
                (place_key, action, *TERM_HINTS),
            )
        )
    # Pending events after the newest resetting one: the oldest dated, the latest ``keep``.
    after = f" WHERE place_key = ? AND action IN ({_PENDING_MARKS})"
    params: list[object] = [place_key, *sorted(PENDING_ACTIONS)]
    if cut is not None:
        after += " AND (sort_date, sort_time, article_id) > (?, ?, ?)"
        params += cut
    (pending_count,) = connection.execute(
        "SELECT count(*) FROM place_events" + after, params
    ).fetchone()
    if pending_count:
        for sample in (
            rows(after + " AND sort_date > ''" + _OLDEST_FIRST + " LIMIT 1", params),
            rows(after + _NEWEST_FIRST + " LIMIT ?", [*params, keep]),
        ):
            found.update((event[2], event) for event in sample)
    # The latest events of any kind, which an answer lists as recent.
    found.update(
        (event[2], event)
        for event in rows(" WHERE place_key = ?" + _NEWEST_FIRST + " LIMIT ?", (place_key, keep))
    )
    ordered = sorted(found.values(), key=lambda event: event[:3])
    return StatusSample(
        events=_events([event[3:] for event in ordered]),
        event_count=int(event_count),
        pending_count=int(pending_count),
    )


def _events(rows: Sequence[Sequence]) -> list[Event]:
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
