"""The alerts core on a real SQLite file: matching, the outbox, the sender and its failures."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.alerts.models import make_nonce
from bot.alerts.sender import DeliveryBroken, DeliveryRetry, Sender
from bot.alerts.service import Alerts, enqueue_guild_notice, render_text
from bot.service import Banwatch, BanwatchError
from bot.store import Store
from tests.alerts.support import (
    PORTLAND_BAN,
    SPRINGFIELD_BAN,
    SPRINGFIELD_BAN_OTHER_OUTLET,
    MemoryPoster,
    SimulatedKill,
    write_news,
)


@pytest.fixture
async def app(db_path: Path, migrated_db: Path, corpus_dir: Path) -> AsyncIterator[Banwatch]:
    shutil.copyfile(migrated_db, db_path)  # migrated once per session
    async with await Store.open(db_path) as store:
        banwatch = Banwatch(store, corpus_dir)
        await banwatch.ingest()
        yield banwatch


@pytest.fixture
def alerts(app: Banwatch) -> Alerts:
    return Alerts(app)


def sender(app: Banwatch, poster: MemoryPoster, **kwargs: object) -> Sender:
    return Sender(app.store, poster, rate=1000.0, backoff_base=0.0, **kwargs)  # type: ignore[arg-type]


async def drop(app: Banwatch, name: str, news: dict[str, str], **kwargs: str) -> list[str]:
    write_news(app.corpus_dir, name, **news, **kwargs)
    return (await app.ingest()).new


async def test_subscription_starts_from_now_and_matches_only_its_state(
    app: Banwatch, alerts: Alerts
) -> None:
    ma, _ = await alerts.subscribe(
        review="all", guild_id="g1", channel_id="c-ma", actor_id="u", state="MA"
    )
    everything, _ = await alerts.subscribe(
        review="all", guild_id="g1", channel_id="c-all", actor_id="u"
    )
    assert await alerts.scan() == 0  # the seed corpus came before: no flood
    await drop(app, "a.md", SPRINGFIELD_BAN)
    await drop(app, "b.md", PORTLAND_BAN, provider="Oregon Daily", domain="oregon.example")
    assert await alerts.scan() == 3
    poster = MemoryPoster()
    result = await sender(app, poster).run_once()
    assert result.delivered == 3
    assert poster.titles("c-ma") == [SPRINGFIELD_BAN["title"]]
    assert sorted(poster.titles("c-all")) == sorted(
        [SPRINGFIELD_BAN["title"], PORTLAND_BAN["title"]]
    )
    # Nothing is posted twice: a second scan and drain do nothing.
    assert await alerts.scan() == 0
    assert (await sender(app, poster).run_once()).delivered == 0
    portland = next(a for a in await app.store.all_articles() if a.title == PORTLAND_BAN["title"])
    why = dict((s.id, text) for s, text in await alerts.why("g1", portland.id))
    assert why[ma.id].startswith("filtered out: not in state MA")
    assert why[everything.id].startswith("delivered (message m")


async def test_old_items_are_older_than_the_subscription(app: Banwatch, alerts: Alerts) -> None:
    old = (await app.store.all_articles())[0]
    subscription, _ = await alerts.subscribe(
        review="all", guild_id="g1", channel_id="c", actor_id="u"
    )
    answers = dict((s.id, text) for s, text in await alerts.why("g1", old.id))
    assert (
        "older than the subscription" in answers[subscription.id]
        or "filtered out" in (answers[subscription.id])
    )


async def test_backfill_posts_the_n_latest_matches(app: Banwatch, alerts: Alerts) -> None:
    _, queued = await alerts.subscribe(
        review="all", guild_id="g1", channel_id="c", actor_id="u", backfill=2
    )
    assert queued == 2
    poster = MemoryPoster()
    await sender(app, poster).run_once()
    assert len(poster.posts["c"]) == 2


async def test_same_event_from_two_outlets_is_folded(app: Banwatch, alerts: Alerts) -> None:
    await alerts.subscribe(review="all", guild_id="g1", channel_id="c1", actor_id="u")
    await alerts.subscribe(review="all", guild_id="g2", channel_id="c2", actor_id="u")
    await drop(app, "a.md", SPRINGFIELD_BAN)
    await alerts.scan()
    poster = MemoryPoster()
    await sender(app, poster).run_once()
    await drop(
        app, "b.md", SPRINGFIELD_BAN_OTHER_OUTLET, provider="MassLive", domain="masslive.example"
    )
    await alerts.scan()
    result = await sender(app, poster).run_once()
    # Per subscription, never global: each guild got its one post, each one edited.
    assert result.delivered == 0 and result.edited == 2
    assert len(poster.posts["c1"]) == 1 and len(poster.posts["c2"]) == 1
    assert all(message.also_covered == ["MassLive"] for _, message in poster.edits)
    second = next(a for a in await app.store.all_articles() if a.provider_name == "MassLive")
    ((_, answer),) = await alerts.why("g1", second.id)
    assert answer.startswith("duplicate of an earlier post")


async def test_crash_between_sending_and_recording_posts_once(
    app: Banwatch, alerts: Alerts
) -> None:
    await alerts.subscribe(review="all", guild_id="g1", channel_id="c", actor_id="u")
    await drop(app, "a.md", SPRINGFIELD_BAN)
    await alerts.scan()
    poster = MemoryPoster()
    poster.crash_after_post = True
    with pytest.raises(SimulatedKill):
        await sender(app, poster, concurrency=1).run_once()
    pending = await app.store.outbox_entries(states=["queued"])
    assert len(pending) == 1 and pending[0].attempts == 1
    await sender(app, poster).run_once()
    assert len(poster.posts["c"]) == 1
    assert poster.calls == 2
    assert (await app.store.outbox_entries(states=["delivered"]))[0].message_id == "m1"


async def test_rate_limit_and_server_errors_lose_nothing(app: Banwatch, alerts: Alerts) -> None:
    await alerts.subscribe(review="all", guild_id="g1", channel_id="c", actor_id="u")
    await drop(app, "a.md", SPRINGFIELD_BAN)
    await alerts.scan()
    poster = MemoryPoster()
    poster.failures = [DeliveryRetry("rate limited", retry_after=0.0), DeliveryRetry("503")]
    send = sender(app, poster)
    first = await send.run_once()
    assert first.retried == 1
    entry = (await app.store.outbox_entries())[0]
    assert entry.state == "queued" and "rate limited" in entry.detail
    for _ in range(3):
        await send.run_once()
    assert len(poster.posts["c"]) == 1


async def test_broken_channel_marks_subscription_once_and_spares_others(
    app: Banwatch, alerts: Alerts
) -> None:
    gone, _ = await alerts.subscribe(review="all", guild_id="g1", channel_id="gone", actor_id="u")
    await alerts.subscribe(review="all", guild_id="g1", channel_id="fine", actor_id="u")
    await drop(app, "a.md", SPRINGFIELD_BAN)
    await drop(app, "b.md", PORTLAND_BAN, provider="Oregon Daily", domain="oregon.example")
    await alerts.scan()

    class Poster(MemoryPoster):
        async def post(self, entry, message):  # type: ignore[no-untyped-def]
            if entry.channel_id == "gone":
                raise DeliveryBroken("404 Unknown Channel")
            return await super().post(entry, message)

    poster = Poster()
    result = await sender(app, poster).run_once()
    assert len(poster.posts["fine"]) == 2
    assert result.failed == 2
    broken = await app.store.subscription(gone.id)
    assert broken is not None and broken.broken_reason == "404 Unknown Channel"
    audit = [e for e in await app.store.audit_entries("g1") if e.action.endswith("broken")]
    assert len(audit) == 1


async def test_pause_records_paused_and_resume_posts_new_items(
    app: Banwatch, alerts: Alerts
) -> None:
    await alerts.subscribe(review="all", guild_id="g1", channel_id="c", actor_id="u")
    assert await alerts.set_paused("g1", True, "u")
    assert not await alerts.set_paused("g1", True, "u")
    await drop(app, "a.md", SPRINGFIELD_BAN)
    assert await alerts.scan() == 0
    assert (await app.store.outbox_entries())[0].state == "paused"
    await alerts.set_paused("g1", False, "u")
    await drop(app, "b.md", PORTLAND_BAN, provider="Oregon Daily", domain="oregon.example")
    await alerts.scan()
    poster = MemoryPoster()
    await sender(app, poster).run_once()
    assert poster.titles("c") == [PORTLAND_BAN["title"]]


async def test_status_change_subscription(app: Banwatch, alerts: Alerts) -> None:
    status_sub, _ = await alerts.subscribe(
        review="all", guild_id="g1", channel_id="c", actor_id="u", state="MA", mode="status"
    )
    await alerts.scan()
    (new_id,) = await drop(app, "a.md", SPRINGFIELD_BAN)
    await alerts.scan()
    poster = MemoryPoster()
    await sender(app, poster).run_once()
    titles = poster.titles("c")
    assert len(titles) == 1 and titles[0].startswith("Springfield, MA: ")
    assert titles[0].endswith("-> ban")
    entries = await app.store.outbox_entries(subscription_id=status_sub.id)
    states = {e.kind: e.state for e in entries if e.article_id == new_id}
    assert states == {"item": "filtered", "status": "delivered"}


async def test_a_correction_that_changes_a_status_is_alerted_once(
    app: Banwatch, alerts: Alerts
) -> None:
    from bot.articles import Actor, Moderation

    status_sub, _ = await alerts.subscribe(
        review="all", guild_id="g1", channel_id="c", actor_id="u", state="MA", mode="status"
    )
    await alerts.scan()
    poster = MemoryPoster()
    await sender(app, poster).run_once()
    assert poster.titles("c") == []
    [postponed] = await app.search("Choosing Not to Decide")
    moderation = Moderation(app)
    await moderation.correct_article(
        postponed.id, Actor(user_id="9", guild_id="g1"), action="moratorium_enacted"
    )
    await alerts.scan()
    await alerts.scan()  # nothing more: the change is recorded once
    await sender(app, poster).run_once()
    assert poster.titles("c") == ["Springfield, MA: pending -> moratorium"]
    # A correction elsewhere (a place outside the subscription's state) posts nothing here.
    [moscow] = await app.search("Moscow court")
    await moderation.correct_article(moscow.id, Actor(user_id="9"), action="ban_enacted")
    await alerts.scan()
    await sender(app, poster).run_once()
    assert len(poster.titles("c")) == 1
    entries = await app.store.outbox_entries(subscription_id=status_sub.id)
    states = [e.state for e in entries if e.kind == "status" and "Moscow" in e.subject]
    assert states[-1] == "filtered"  # Moscow's change is recorded, as filtered out
    delivered = [e for e in entries if e.kind == "status" and e.state == "delivered"]
    assert len(delivered) == 1


async def test_digest_holds_items_until_its_hour(app: Banwatch, alerts: Alerts) -> None:
    await alerts.subscribe(
        review="all", guild_id="g1", channel_id="c", actor_id="u", mode="digest", digest_hour=18
    )
    await drop(app, "a.md", SPRINGFIELD_BAN)
    await alerts.scan()
    poster = MemoryPoster()
    morning = dt.datetime(2030, 1, 2, 8, tzinfo=dt.UTC)
    evening = dt.datetime(2030, 1, 2, 19, tzinfo=dt.UTC)
    await sender(app, poster, clock=lambda: morning).run_once()
    assert poster.posts == {}
    await sender(app, poster, clock=lambda: evening).run_once()
    await sender(app, poster, clock=lambda: evening).run_once()
    (message,) = [m for _, m in poster.posts["c"]]
    assert message.kind == "digest" and "Springfield" in message.lines[0]


async def test_guild_notice_is_idempotent_and_once_per_channel(
    app: Banwatch, alerts: Alerts
) -> None:
    await alerts.subscribe(review="all", guild_id="g1", channel_id="c", actor_id="u", state="MA")
    await alerts.subscribe(review="all", guild_id="g1", channel_id="c", actor_id="u", state="IL")
    await alerts.subscribe(review="all", guild_id="g2", channel_id="other", actor_id="u")
    store = app.store
    assert await enqueue_guild_notice(store, "g1", "petition:1:100", "100 signatures", "Yes") == 1
    assert await enqueue_guild_notice(store, "g1", "petition:1:100", "100 signatures", "Yes") == 0
    poster = MemoryPoster()
    await sender(app, poster).run_once()
    assert poster.titles("c") == ["100 signatures"] and "other" not in poster.posts


async def test_subscribe_validates_its_options(alerts: Alerts) -> None:
    with pytest.raises(BanwatchError, match="Unknown action"):
        await alerts.subscribe(
            review="all", guild_id="g", channel_id="c", actor_id="u", actions="ban"
        )
    with pytest.raises(BanwatchError, match="mode"):
        await alerts.subscribe(
            review="all", guild_id="g", channel_id="c", actor_id="u", mode="hourly"
        )
    with pytest.raises(BanwatchError, match="backfill"):
        await alerts.subscribe(
            review="all", guild_id="g", channel_id="c", actor_id="u", backfill=500
        )
    with pytest.raises(BanwatchError, match="no alert subscription"):
        await alerts.unsubscribe("g", 99, "u")


async def test_preview_renders_without_posting(app: Banwatch, alerts: Alerts) -> None:
    subscription, _ = await alerts.subscribe(
        review="all", guild_id="g", channel_id="c", actor_id="u"
    )
    previews = await alerts.preview("g", subscription.id)
    assert previews and all(render_text(m).startswith("** ") for m in previews)
    assert await app.store.outbox_entries() == []


def test_nonce_is_stable_and_fits_discord() -> None:
    assert make_nonce(1, "item", "abc") == make_nonce(1, "item", "abc")
    assert make_nonce(1, "item", "abc") != make_nonce(2, "item", "abc")
    assert len(make_nonce(1, "item", "x" * 500)) <= 25


async def test_forum_crash_after_creating_the_thread_posts_once(
    app: Banwatch, alerts: Alerts
) -> None:
    # Two subscriptions on one forum: the same headline twice, told apart by their markers.
    for n in range(2):
        await alerts.subscribe(
            review="all", guild_id="g1", channel_id=f"forum-{n}", actor_id="u", channel_kind="forum"
        )
    await alerts.subscribe(review="all", guild_id="g1", channel_id="text", actor_id="u")
    await drop(app, "a.md", SPRINGFIELD_BAN)
    await alerts.scan()
    poster = MemoryPoster()
    poster.crash_after_post = True  # the first thread is made, then the process dies
    with pytest.raises(SimulatedKill):
        await sender(app, poster, concurrency=1).run_once()
    (unconfirmed,) = [e for e in await app.store.outbox_entries(states=["queued"]) if e.attempts]
    assert unconfirmed.channel_kind == "forum" and unconfirmed.unconfirmed
    assert poster.lookups == []  # a first attempt has nothing to look for

    result = await sender(app, poster).run_once()
    assert result.delivered == 3
    # Found, not made again; only the unconfirmed forum row was looked up.
    assert poster.lookups == [unconfirmed.nonce]
    assert [len(poster.posts[c]) for c in ("forum-0", "forum-1", "text")] == [1, 1, 1]
    recorded = await app.store.outbox_entry(unconfirmed.id)
    assert recorded is not None and recorded.state == "delivered"
    assert recorded.message_id == poster.posts[unconfirmed.channel_id][0][0]
    assert poster.markers[recorded.message_id] == unconfirmed.nonce


async def test_forum_attempt_that_never_arrived_is_made_after_looking(
    app: Banwatch, alerts: Alerts
) -> None:
    await alerts.subscribe(
        review="all", guild_id="g1", channel_id="forum", actor_id="u", channel_kind="forum"
    )
    await drop(app, "a.md", SPRINGFIELD_BAN)
    await alerts.scan()
    poster = MemoryPoster()
    poster.failures = [DeliveryRetry("network error: reset")]  # nothing reached Discord
    send = sender(app, poster)
    assert (await send.run_once()).retried == 1
    # The lookup itself fails once: nothing is created blind, the row waits.
    poster.lookup_failures = [DeliveryRetry("Discord error 502")]
    assert (await send.run_once()).retried == 1
    assert poster.posts == {}
    assert (await send.run_once()).delivered == 1
    assert len(poster.posts["forum"]) == 1 and len(poster.lookups) == 2
    (entry,) = await app.store.outbox_entries(states=["delivered"])
    assert entry.attempts == 3 and entry.message_id == "t1"
