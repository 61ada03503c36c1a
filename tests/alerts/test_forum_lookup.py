"""Looking for a forum thread an unconfirmed attempt may have created (bot.alerts.forum)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.alerts.forum import (
    CLOCK_SLACK,
    DISCORD_EPOCH_MS,
    candidate_threads,
    find_forum_post,
    forum_marker,
    has_marker,
    snowflake_time,
)

FORUM, OTHER_FORUM, BOT, MEMBER, GUILD = "100", "200", "42", "43", "7"
ATTEMPT = dt.datetime(2024, 3, 5, 12, 0, tzinfo=dt.UTC)
TITLE = "Springfield City Council votes to ban police use of facial recognition"


def snowflake(moment: dt.datetime, sequence: int = 0) -> str:
    return str(((int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22) | sequence)


def thread(
    sequence: int,
    *,
    created: dt.datetime = ATTEMPT + dt.timedelta(seconds=1),
    parent: str = FORUM,
    owner: str = BOT,
    name: str = TITLE,
    archived_at: dt.datetime | None = None,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"archived": archived_at is not None, "locked": False}
    if archived_at is not None:
        metadata["archive_timestamp"] = archived_at.isoformat()
    return {
        "id": snowflake(created, sequence),
        "type": 11,
        "parent_id": parent,
        "owner_id": owner,
        "name": name,
        "thread_metadata": metadata,
    }


class FakeForum:
    """Discord's three read routes over a list of threads and their starter messages."""

    def __init__(self, threads: list[dict[str, Any]], markers: dict[str, str]) -> None:
        self.threads = threads
        self.markers = markers  # thread id -> nonce in its starter message's footer
        self.requests: list[str] = []

    async def active_threads(self, guild_id: str) -> list[dict[str, Any]]:
        self.requests.append(f"active {guild_id}")
        return [t for t in self.threads if not t["thread_metadata"]["archived"]]

    async def archived_threads(
        self, forum_id: str, before: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], bool]:
        self.requests.append(f"archived {forum_id} before={before}")
        archived = sorted(
            (
                t
                for t in self.threads
                if t["thread_metadata"]["archived"] and t["parent_id"] == forum_id
            ),
            key=lambda t: t["thread_metadata"]["archive_timestamp"],
            reverse=True,
        )
        if before is not None:
            cutoff = dt.datetime.fromisoformat(before)
            archived = [
                t
                for t in archived
                if dt.datetime.fromisoformat(t["thread_metadata"]["archive_timestamp"]) < cutoff
            ]
        return archived[:limit], len(archived) > limit

    async def starter_message(self, thread_id: str) -> dict[str, Any] | None:
        self.requests.append(f"message {thread_id}")
        nonce = self.markers.get(thread_id)
        if nonce is None:
            return None
        return {
            "id": thread_id,
            "embeds": [{"title": TITLE, "footer": {"text": forum_marker(nonce)}}],
        }


async def find(api: FakeForum, nonce: str, paced: list[int] | None = None) -> str | None:
    async def pace() -> None:
        if paced is not None:
            paced.append(len(api.requests))

    return await find_forum_post(
        api,
        guild_id=GUILD,
        forum_id=FORUM,
        owner_id=BOT,
        name=TITLE,
        nonce=nonce,
        attempted_at=ATTEMPT.isoformat(),
        pace=pace,
    )


def test_snowflake_time_reads_a_thread_id() -> None:
    assert snowflake_time(snowflake(ATTEMPT)) == ATTEMPT


def test_marker_is_exact() -> None:
    message = {"embeds": [{"footer": {"text": forum_marker("bwabc")}}]}
    assert has_marker(message, "bwabc")
    assert not has_marker(message, "bwab")
    assert not has_marker({"embeds": [{"title": "x"}]}, "bwabc")
    assert not has_marker(None, "bwabc")


async def test_the_marker_decides_between_two_threads_with_the_same_headline() -> None:
    # Two subscriptions post the same item into one forum: same title, same bot, same forum.
    first, second = thread(1), thread(2)
    api = FakeForum([first, second], {first["id"]: "bwsubone", second["id"]: "bwsubtwo"})
    assert await find(api, "bwsubtwo") == second["id"]
    assert await find(api, "bwsubone") == first["id"]
    assert await find(api, "bwsubthree") is None


async def test_threads_of_another_forum_owner_title_or_time_are_not_candidates() -> None:
    nonce = "bwmine"
    decoys = [
        thread(1, parent=OTHER_FORUM),
        thread(2, owner=MEMBER),
        thread(3, name="Portland votes to ban facial recognition"),
        thread(4, created=ATTEMPT - CLOCK_SLACK - dt.timedelta(seconds=1)),
    ]
    assert not candidate_threads(
        decoys, forum_id=FORUM, owner_id=BOT, name=TITLE, since=ATTEMPT - CLOCK_SLACK
    )
    api = FakeForum(decoys, {t["id"]: nonce for t in decoys})
    assert await find(api, nonce) is None
    # No starter message was fetched for any of them.
    assert not [r for r in api.requests if r.startswith("message")]
    # Within the clock slack (our clock ahead of Discord's) a thread still counts.
    early = thread(5, created=ATTEMPT - CLOCK_SLACK + dt.timedelta(seconds=1))
    assert await find(FakeForum([early], {early["id"]: nonce}), nonce) == early["id"]


async def test_an_archived_thread_is_found_page_by_page() -> None:
    nonce = "bwclosed"
    later = ATTEMPT + dt.timedelta(minutes=5)
    # 150 other threads of the bot's, archived after ours: ours is on the second page.
    others = [
        thread(10 + n, name=f"other {n}", archived_at=later + dt.timedelta(seconds=n))
        for n in range(150)
    ]
    ours = thread(1, archived_at=later - dt.timedelta(seconds=1))
    api = FakeForum([*others, ours], {ours["id"]: nonce})
    paced: list[int] = []
    assert await find(api, nonce, paced) == ours["id"]
    assert [r.split(" before=")[0] for r in api.requests] == [
        f"active {GUILD}",
        f"archived {FORUM}",
        f"archived {FORUM}",
        f"message {ours['id']}",
    ]
    # Every request was paced, right before it went out.
    assert paced == [0, 1, 2, 3]


async def test_archived_pages_stop_once_they_reach_before_the_attempt() -> None:
    # 150 threads archived before the attempt (minus the slack): none can be the post, and
    # has_more is true, yet one page is enough to know it.
    long_ago = ATTEMPT - dt.timedelta(days=2)
    old = [
        thread(n, created=long_ago, archived_at=long_ago + dt.timedelta(seconds=n))
        for n in range(150)
    ]
    api = FakeForum(old, {t["id"]: "bwnew" for t in old})
    assert await find(api, "bwnew") is None
    assert api.requests == [f"active {GUILD}", f"archived {FORUM} before=None"]
