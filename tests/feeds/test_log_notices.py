"""Notices to a server's log channel: posted once, to the log channel or the fallback."""

from __future__ import annotations

from bot.log_notices import (
    NO_CHANNEL,
    LogNoticeSender,
    NoticeUndeliverable,
    home_guild,
)
from bot.store import Store


class Poster:
    def __init__(self) -> None:
        self.posts: list[tuple[str, str, str]] = []
        self.refuse: set[str] = set()

    async def post(self, channel_id: str, text: str, nonce: str) -> str:
        if channel_id in self.refuse:
            raise NoticeUndeliverable("403 Missing Access")
        self.posts.append((channel_id, text, nonce))
        return str(len(self.posts))


def test_home_guild() -> None:
    assert home_guild(5, [1, 2]) == 5
    assert home_guild(None, [7]) == 7
    assert home_guild(None, [1, 2]) is None and home_guild(None, []) is None


async def test_notices_go_to_the_log_channel_once(store: Store) -> None:
    poster = Poster()
    sender = LogNoticeSender(store, poster)
    assert await store.queue_log_notice(None, "feed:1:failing:x", "Feed #1 is failing")
    assert not await store.queue_log_notice(None, "feed:1:failing:x", "Feed #1 is failing")
    await store.set_log_channel(10, 99, actor_id=1)
    assert await sender.run_once(10) == 1
    assert await sender.run_once(10) == 0
    [(channel, text, nonce)] = poster.posts
    assert channel == "99" and text == "Feed #1 is failing" and nonce.startswith("bwn")
    [notice] = await store.log_notices()
    assert notice.sent_at and notice.error is None


async def test_without_a_log_channel_the_fallback_then_a_retry(store: Store) -> None:
    poster = Poster()
    sender = LogNoticeSender(store, poster)
    await store.queue_log_notice(None, "a", "to the fallback", fallback_channel_id="42")
    await store.queue_log_notice(None, "b", "nowhere to go")
    assert await sender.run_once(10) == 1
    assert poster.posts[0][0] == "42"
    waiting = [n for n in await store.log_notices() if not n.sent_at]
    assert [n.error for n in waiting] == [NO_CHANNEL]
    assert await store.pending_log_notices() == []  # tried again later, not every second


async def test_a_refused_channel_is_retried_later(store: Store) -> None:
    poster = Poster()
    poster.refuse.add("99")
    await store.set_log_channel(10, 99, actor_id=1)
    await store.queue_log_notice(None, "a", "text")
    assert await LogNoticeSender(store, poster).run_once(10) == 0
    [notice] = await store.log_notices()
    assert notice.error == "channel 99: 403 Missing Access" and notice.attempts == 1
