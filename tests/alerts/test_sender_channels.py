"""The sender serves each channel on its own: a channel's 429 holds back only that channel."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.alerts.models import AlertMessage, OutboxEntry
from bot.alerts.sender import DeliveryRetry, Sender
from bot.alerts.service import enqueue_guild_notice
from bot.settings import SettingsError, load_settings
from bot.store import Store
from tests.alerts.support import MemoryPoster


class Clock:
    """The sender's wall clock, moved by the test; it starts just after the rows were queued
    (on the real clock), to the second as the outbox stores times."""

    def __init__(self) -> None:
        self.start = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).replace(microsecond=0)
        self.now = self.start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class ChannelLimitedPoster(MemoryPoster):
    """Answers the first post to ``limited`` as Discord does a channel over its 5 per 5 s."""

    def __init__(self, limited: str, retry_after: float) -> None:
        super().__init__()
        self.limited = limited
        self.retry_after = retry_after
        self.attempts: list[str] = []

    async def post(self, entry: OutboxEntry, message: AlertMessage) -> str:
        self.attempts.append(entry.channel_id)
        if entry.channel_id == self.limited and self.retry_after:
            retry_after, self.retry_after = self.retry_after, 0.0
            raise DeliveryRetry("rate limited (channel)", retry_after=retry_after)
        return await super().post(entry, message)


@pytest.fixture
async def store(db_path: Path, migrated_db: Path) -> AsyncIterator[Store]:
    shutil.copyfile(migrated_db, db_path)  # migrated once per session
    async with await Store.open(db_path) as opened:
        for channel in ("busy", "quiet"):
            await opened.add_subscription(
                guild_id="g1", channel_id=channel, channel_kind="text", created_by="u"
            )
        for number in range(3):
            await enqueue_guild_notice(opened, "g1", f"n{number}", f"Notice {number}", "text")
        yield opened


async def test_a_channel_429_holds_that_channel_for_its_retry_after_and_no_other(
    store: Store,
) -> None:
    clock = Clock()
    poster = ChannelLimitedPoster("busy", retry_after=30.0)
    sender = Sender(store, poster, rate=1000.0, backoff_base=0.0, clock=clock)
    # A global hold of 30 s would stall the quiet channel too: the pass must end at once.
    first = await asyncio.wait_for(sender.run_once(), timeout=10)
    assert first.delivered == 3 and first.retried == 1
    assert poster.titles("quiet") == ["Notice 0", "Notice 1", "Notice 2"]
    # The busy channel's later rows did not overtake the one that must wait.
    assert poster.attempts.count("busy") == 1 and "busy" not in poster.posts
    (waiting,) = [e for e in await store.outbox_entries(states=["queued"]) if e.attempts]
    assert waiting.channel_id == "busy" and "rate limited" in (waiting.detail or "")
    assert waiting.next_attempt_at == (clock.start + dt.timedelta(seconds=30)).isoformat(
        timespec="seconds"
    )

    clock.advance(29)  # Retry-After not yet over: nothing is sent to that channel
    assert (await sender.run_once()).delivered == 0
    assert poster.attempts.count("busy") == 1

    clock.advance(2)
    assert (await sender.run_once()).delivered == 3
    assert poster.titles("busy") == ["Notice 0", "Notice 1", "Notice 2"]


async def test_alerts_rate_above_discords_global_limit_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("BANWATCH_ALERTS_RATE", "60")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert str(refused.value).startswith("BANWATCH_ALERTS_RATE must be at most 50")
    assert "got 60" in str(refused.value) and "429" in str(refused.value)
    monkeypatch.setenv("BANWATCH_ALERTS_RATE", "50")
    assert load_settings().alerts_rate == 50
