"""Notices for a server's moderators (a feed failing, a feed recovered), posted once each to
the server's log channel (``/config log-channel``), else to the channel the notice names as
its fallback (where the feed was added).

Queued in the store (:meth:`Store.queue_log_notice`, idempotent by key) by whoever has news;
:class:`LogNoticeSender` posts them through a :class:`NoticePoster` (the Discord face's) and
records each one as sent, or why not and when it tries again. A notice for "the home server"
(``guild_id`` None) goes to the home server's log channel.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Protocol

from bot.store import Store
from bot.store._feeds import LogNotice

log = logging.getLogger(__name__)

# A notice that could not be posted is tried again after these many seconds (then the last).
RETRY_SECONDS = (60, 300, 1800, 3600)
NO_CHANNEL = "no log channel is set (/config log-channel) and no fallback channel"
NO_HOME = "no home server: set BANWATCH_HOME_GUILD (the bot is in several servers)"


class NoticeUndeliverable(Exception):
    """The notice could not be posted to that channel now; the message says why."""


class NoticePoster(Protocol):
    """Posts one notice to a channel and returns the message id."""

    async def post(self, channel_id: str, text: str, nonce: str) -> str: ...


def home_guild(configured: int | None, guild_ids: Sequence[int]) -> int | None:
    """The home server: the configured one, else the only server the bot is in."""
    if configured is not None:
        return configured
    return guild_ids[0] if len(guild_ids) == 1 else None


def notice_nonce(notice: LogNotice) -> str:
    """A stable nonce for a notice (Discord drops a second post with the same one)."""
    return f"bwn{notice.id}"[:25]


class LogNoticeSender:
    """Posts pending notices to their server's log channel, once each."""

    def __init__(self, store: Store, poster: NoticePoster) -> None:
        self.store = store
        self.poster = poster

    async def run_once(
        self,
        home_guild_id: int | None,
        *,
        only_guild: str | None = None,
        except_guild: str | None = None,
    ) -> int:
        """Post every notice that is due (of ``only_guild``, or all but ``except_guild``: the
        console's local server has its own); returns how many were posted."""
        posted = 0
        for notice in await self.store.pending_log_notices():
            if (only_guild is not None and notice.guild_id != only_guild) or (
                except_guild is not None and notice.guild_id == except_guild
            ):
                continue
            guild_id = notice.guild_id or (str(home_guild_id) if home_guild_id else None)
            if guild_id is None:
                await self._retry(notice, NO_HOME)
                continue
            channel = await self.store.log_channel(guild_id)
            channel_id = str(channel) if channel else notice.fallback_channel_id
            if channel_id is None:
                await self._retry(notice, NO_CHANNEL)
                continue
            try:
                message_id = await self.poster.post(channel_id, notice.text, notice_nonce(notice))
            except NoticeUndeliverable as exc:
                await self._retry(notice, f"channel {channel_id}: {exc}")
                continue
            await self.store.log_notice_sent(notice.id, channel_id, message_id)
            posted += 1
        return posted

    async def _retry(self, notice: LogNotice, reason: str) -> None:
        delay = RETRY_SECONDS[min(notice.attempts, len(RETRY_SECONDS) - 1)]
        when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay)
        if notice.attempts == 0:
            log.warning("log notice %r not posted yet: %s", notice.key, reason)
        await self.store.log_notice_failed(notice.id, reason, when.isoformat(timespec="seconds"))
