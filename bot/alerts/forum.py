"""Finding a forum post an earlier, unconfirmed attempt may have created.

Discord has no nonce for ``POST /channels/{forum}/threads``: if banwatch dies after Discord
created the thread but before recording it, a plain resend would post the item twice. So every
forum post carries a marker made from the outbox row's nonce (the embed footer), and before
creating a thread again for a row whose earlier attempt's outcome is unknown, the sender looks
for it: threads of that forum owned by the bot, titled like the post and created since that
attempt (active ones first, then recently archived ones), whose starter message carries the
marker. The title only narrows the search; the marker decides, so two subscriptions posting
the same headline into one forum never take each other's thread.

The search is written against :class:`ForumApi` (three read-only Discord routes), so it is
tested without Discord; ``cogs/alerts/_delivery.py`` implements it with discord.py's public API.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

log = logging.getLogger(__name__)

DISCORD_EPOCH_MS = 1_420_070_400_000
# Our clock and Discord's may disagree: look this far before the recorded attempt.
CLOCK_SLACK = dt.timedelta(minutes=10)
# Discord's maximum page of archived threads, and how many pages one search may read.
ARCHIVED_PAGE = 100
MAX_ARCHIVED_PAGES = 20


def forum_marker(nonce: str) -> str:
    """The footer text of a forum post: short, readable, unique to the outbox row."""
    return f"banwatch · ref {nonce}"


def snowflake_time(snowflake: int | str) -> dt.datetime:
    """When Discord made an id (a thread's id is its creation time)."""
    milliseconds = (int(snowflake) >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(milliseconds / 1000, dt.UTC)


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def thread_created(thread: dict[str, Any]) -> dt.datetime:
    """A thread's creation time: its ``create_timestamp``, else its id."""
    metadata = thread.get("thread_metadata") or {}
    return _parse_time(metadata.get("create_timestamp")) or snowflake_time(thread["id"])


def _same_name(a: str | None, b: str) -> bool:
    return " ".join((a or "").split()).casefold() == " ".join(b.split()).casefold()


def candidate_threads(
    threads: Iterable[dict[str, Any]],
    *,
    forum_id: str,
    owner_id: str,
    name: str,
    since: dt.datetime,
) -> list[dict[str, Any]]:
    """Threads that may be the post: in ``forum_id``, by the bot, titled ``name``, new enough.

    Oldest first: if an earlier attempt created one, it is the one to keep.
    """
    found = [
        thread
        for thread in threads
        if str(thread.get("parent_id")) == forum_id
        and str(thread.get("owner_id")) == owner_id
        and _same_name(thread.get("name"), name)
        and thread_created(thread) >= since
    ]
    return sorted(found, key=lambda thread: int(thread["id"]))


def has_marker(message: dict[str, Any] | None, nonce: str) -> bool:
    """Whether a starter message is banwatch's post for the outbox row with ``nonce``."""
    if not message:
        return False
    marker = forum_marker(nonce)
    for embed in message.get("embeds") or []:
        if ((embed.get("footer") or {}).get("text") or "").strip() == marker:
            return True
    return False


class ForumApi(Protocol):
    """The Discord reads the search needs; each raises the sender's DeliveryRetry/Broken."""

    async def active_threads(self, guild_id: str) -> list[dict[str, Any]]:
        """``GET /guilds/{guild}/threads/active``: its ``threads``."""
        ...

    async def archived_threads(
        self, forum_id: str, before: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], bool]:
        """``GET /channels/{forum}/threads/archived/public``: ``threads`` and ``has_more``."""
        ...

    async def starter_message(self, thread_id: str) -> dict[str, Any] | None:
        """The thread's first message (its id is the thread's), None if it is gone."""
        ...


async def find_forum_post(
    api: ForumApi,
    *,
    guild_id: str,
    forum_id: str,
    owner_id: str,
    name: str,
    nonce: str,
    attempted_at: str,
    pace: Callable[[], Awaitable[None]],
) -> str | None:
    """The id of the thread an unconfirmed attempt created for ``nonce``, or None.

    ``pace`` is awaited before every request (the sender's rate pacer). The answer is None
    only once every active thread and every thread archived since the attempt was checked.
    """
    since = (_parse_time(attempted_at) or dt.datetime.now(dt.UTC)) - CLOCK_SLACK
    checked: set[str] = set()

    async def first_match(threads: list[dict[str, Any]]) -> str | None:
        for thread in candidate_threads(
            threads, forum_id=forum_id, owner_id=owner_id, name=name, since=since
        ):
            thread_id = str(thread["id"])
            if thread_id in checked:
                continue
            checked.add(thread_id)
            await pace()
            if has_marker(await api.starter_message(thread_id), nonce):
                return thread_id
        return None

    await pace()
    found = await first_match(await api.active_threads(guild_id))
    if found is not None:
        return found
    # A moderator may have closed it already: archived threads come newest-archived first.
    before: str | None = None
    for _ in range(MAX_ARCHIVED_PAGES):
        await pace()
        threads, has_more = await api.archived_threads(forum_id, before, ARCHIVED_PAGE)
        found = await first_match(threads)
        if found is not None:
            return found
        stamps = [
            _parse_time((t.get("thread_metadata") or {}).get("archive_timestamp")) for t in threads
        ]
        oldest = min((s for s in stamps if s is not None), default=None)
        if not has_more or not threads or oldest is None or oldest < since:
            return None
        before = oldest.isoformat()
    log.warning(
        "alerts: stopped looking for forum post %s after %d pages of archived threads",
        nonce,
        MAX_ARCHIVED_PAGES,
    )
    return None
