"""Alerts that recover: a rejected item fails alone, edits back off, no twin subscriptions,
broken subscriptions re-checked and cleared, one notice each way."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.alerts.models import AlertMessage, OutboxEntry
from bot.alerts.sender import (
    MAX_ATTEMPTS,
    DeliveryBroken,
    DeliveryRejected,
    DeliveryRetry,
    Sender,
)
from bot.alerts.service import Alerts
from bot.service import Banwatch, BanwatchError
from bot.store import Store
from tests.alerts.support import PORTLAND_BAN, SPRINGFIELD_BAN, MemoryPoster, write_news


@pytest.fixture
async def app(db_path: Path, tmp_path: Path) -> AsyncIterator[Banwatch]:
    corpus = tmp_path / "news"
    corpus.mkdir()
    async with await Store.open(db_path) as store:
        yield Banwatch(store, corpus)


@pytest.fixture
def alerts(app: Banwatch) -> Alerts:
    return Alerts(app)


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


async def drop(app: Banwatch, name: str, news: dict[str, str], **kwargs: str) -> None:
    write_news(app.corpus_dir, name, **news, **kwargs)
    await app.ingest()


async def test_a_4xx_fails_that_item_only_and_the_next_item_is_posted(
    app: Banwatch, alerts: Alerts
) -> None:
    subscription, _ = await alerts.subscribe(guild_id="g1", channel_id="c", actor_id="u")
    await drop(app, "a.md", SPRINGFIELD_BAN)
    await alerts.scan()
    poster = MemoryPoster()
    poster.failures = [DeliveryRejected("400 Invalid Form Body")]
    send = Sender(app.store, poster, rate=1000.0, backoff_base=0.0)
    result = await send.run_once()
    assert result.failed == 1
    [failed] = await app.store.outbox_entries()
    assert failed.state == "failed" and "400 Invalid Form Body" in failed.detail
    current = await app.store.subscription(subscription.id)
    assert current is not None and current.broken_at is None
    await drop(app, "b.md", PORTLAND_BAN, provider="Oregon Daily", domain="oregon.example")
    await alerts.scan()
    await send.run_once()
    assert poster.titles("c") == [PORTLAND_BAN["title"]]


async def test_a_failing_edit_backs_off_like_a_post_and_gives_up(
    app: Banwatch, alerts: Alerts
) -> None:
    await alerts.subscribe(guild_id="g1", channel_id="c", actor_id="u")
    await drop(app, "a.md", SPRINGFIELD_BAN)
    await alerts.scan()
    clock = Clock()

    class Poster(MemoryPoster):
        async def edit(self, entry: OutboxEntry, message: AlertMessage) -> None:
            self.edits.append((entry.message_id or "", message))
            raise DeliveryRetry("503")

    poster = Poster()
    send = Sender(app.store, poster, rate=1000.0, backoff_base=1.0, clock=clock)
    await send.run_once()
    [posted] = await app.store.outbox_entries()
    async with app.store.transaction() as db:  # its "also covered by" line grew
        await db.execute("UPDATE alert_outbox SET needs_edit = 1 WHERE id = ?", (posted.id,))
    for _ in range(5):  # every second, as the send loop runs
        await send.run_once()
    assert len(poster.edits) == 1  # backing off: 1 s, then 2, 4 ...
    for _ in range(200):
        clock.now += dt.timedelta(seconds=301)
        await send.run_once()
    assert len(poster.edits) == MAX_ATTEMPTS  # then it gives up
    assert await app.store.pending_edits() == []


async def test_the_same_channel_and_filters_twice_is_refused(alerts: Alerts) -> None:
    first, _ = await alerts.subscribe(guild_id="g1", channel_id="c", actor_id="u", state="MA")
    with pytest.raises(BanwatchError, match=f"#{first.id}"):
        await alerts.subscribe(guild_id="g1", channel_id="c", actor_id="u2", state="ma")
    # Other filters, another channel or another server are other subscriptions.
    await alerts.subscribe(guild_id="g1", channel_id="c", actor_id="u", state="NY")
    await alerts.subscribe(guild_id="g1", channel_id="d", actor_id="u", state="MA")
    await alerts.subscribe(guild_id="g2", channel_id="c", actor_id="u", state="MA")


class ReachablePoster(MemoryPoster):
    """A poster whose channels can be made unreachable."""

    def __init__(self) -> None:
        super().__init__()
        self.unreachable: set[str] = set()

    async def post(self, entry: OutboxEntry, message: AlertMessage) -> str:
        if entry.channel_id in self.unreachable:
            raise DeliveryBroken("403 Missing Access")
        return await super().post(entry, message)

    async def reachable(self, channel_id: str) -> bool:
        return channel_id not in self.unreachable


class NoticePoster:
    """Where the log channel's notices go: (channel, text) in order."""

    def __init__(self) -> None:
        self.notices: list[tuple[str, str]] = []

    async def post(self, channel_id: str, text: str, nonce: str) -> str:
        self.notices.append((channel_id, text))
        return f"n{len(self.notices)}"


@pytest.mark.parametrize("log_channel", [None, "900"])
async def test_a_broken_subscription_is_rechecked_cleared_and_told_once_each_way(
    app: Banwatch, alerts: Alerts, log_channel: str | None
) -> None:
    if log_channel:
        await app.config.set_log_channel("g1", log_channel, actor_id="u")
    subscription, _ = await alerts.subscribe(
        guild_id="g1", channel_id="news", actor_id="u", created_in="901"
    )
    poster = ReachablePoster()
    poster.unreachable.add("news")
    send = alerts.sender(poster, rate=1000.0, backoff_base=0.0)
    told = NoticePoster()
    notices = app.config.notice_sender(told)
    await drop(app, "a.md", SPRINGFIELD_BAN)
    await alerts.scan()
    await send.run_once()
    await notices.run_once(None)
    broken = await app.store.subscription(subscription.id)
    assert broken is not None and broken.broken_at is not None
    where = log_channel or "901"
    assert [channel for channel, _ in told.notices] == [where]
    assert "#news" in told.notices[0][1] and "403" in told.notices[0][1]

    assert await alerts.recheck(send, guild_id="g1") == []  # still unreachable: still broken
    poster.unreachable.clear()
    assert [s.id for s in await alerts.recheck(send, guild_id="g1")] == [subscription.id]
    await notices.run_once(None)
    current = await app.store.subscription(subscription.id)
    assert current is not None and current.broken_at is None
    assert len(told.notices) == 2 and told.notices[1][0] == where
    assert "works again" in told.notices[1][1]
    assert await alerts.recheck(send, guild_id="g1") == []  # nothing more to say
    await notices.run_once(None)
    assert len(told.notices) == 2

    await drop(app, "b.md", PORTLAND_BAN, provider="Oregon Daily", domain="oregon.example")
    await alerts.scan()
    await send.run_once()
    assert poster.titles("news") == [PORTLAND_BAN["title"]]
