"""Store methods for the tracker's hot paths: policy events per place, the known places.

Status answers and autocomplete run on every keystroke and command, so these read only the
few columns they need (never article bodies) and let the indexes pick the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import aiosqlite

from bot.models import Event, Jurisdiction
from bot.store._base import BaseStore

# An article's effective reading (TAXONOMY: a moderator's correction wins over the extractor),
# with the few article columns an event shows. ``main_place`` is the extractor's first place.
_EVENT_COLUMNS = (
    "SELECT a.id, a.title, a.url, a.provider_name, a.provider_domain, a.published_at,"
    " e.action, e.scope, e.event_date,"
    " c.article_id AS c_id, c.is_policy AS c_is_policy, c.action AS c_action,"
    " c.scope AS c_scope, c.event_date AS c_event_date, c.jurisdiction_key AS c_place,"
    " (SELECT p.jurisdiction_key FROM extraction_places p WHERE p.article_id = a.id"
    "  AND p.rank = 0) AS main_place"
    " FROM articles a JOIN extractions e ON e.article_id = a.id"
    " LEFT JOIN corrections c ON c.article_id = a.id"
)


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

    async def place_events(self, place_keys: Sequence[str] | None = None) -> list[Event]:
        """Policy items as events of their main jurisdiction (corrections applied).

        With ``place_keys``, only the events of those places: articles whose corrected place
        is one of them, or whose first extracted place is and that no correction moved.
        """
        if place_keys is None:
            rows = await self._fetchall(_EVENT_COLUMNS + " WHERE a.retracted_at IS NULL")
            return _events(rows, None)
        keys = list(dict.fromkeys(place_keys))
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = await self._fetchall(
            _EVENT_COLUMNS + f" WHERE a.retracted_at IS NULL AND a.id IN ("
            f" SELECT article_id FROM extraction_places"
            f"  WHERE jurisdiction_key IN ({marks}) AND rank = 0"
            f" UNION SELECT article_id FROM corrections WHERE jurisdiction_key IN ({marks}))",
            [*keys, *keys],
        )
        return _events(rows, set(keys))


def _events(rows: Sequence[aiosqlite.Row], wanted: set[str] | None) -> list[Event]:
    """Events from effective-reading rows; non-policy items and other places left out.

    The same rules as the full reading of an article (``_effective_extractions``).
    """
    events = []
    date_cache: dict[str, dt.date] = {}
    for row in rows:
        (
            article_id,
            title,
            url,
            provider_name,
            provider_domain,
            published_at,
            action,
            scope,
            event_date,
            corrected_id,
            c_is_policy,
            c_action,
            c_scope,
            c_event_date,
            c_place,
            main_place,
        ) = row
        action = c_action or action
        if c_is_policy is not None:
            is_policy = bool(c_is_policy)
            if not is_policy:
                action = "none"
        else:
            is_policy = action != "none"
        place = c_place or main_place
        if not is_policy or place is None:
            continue
        if wanted is not None and place not in wanted:
            continue
        date_text = c_event_date or event_date
        date = None
        if date_text:
            date = date_cache.get(date_text)
            if date is None:
                date = date_cache[date_text] = dt.date.fromisoformat(date_text)
        events.append(
            Event(
                article_id=article_id,
                title=title,
                url=url,
                provider=provider_name or provider_domain,
                published_at=dt.datetime.fromisoformat(published_at) if published_at else None,
                event_date=date,
                action=action,
                scope=c_scope or scope,
                place_key=place,
                corrected=corrected_id is not None,
            )
        )
    return events
