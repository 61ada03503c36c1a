"""A scan over many unseen items goes in chunks, and re-derives only places that changed.

A bot first started on a big corpus has every item unseen: the scan must neither hold them
all in memory nor read them one by one (160 s and 411 MB at 100,000 articles before), and
chunking must not change what is recorded, even when the process dies between chunks.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import bot.alerts.service as alerts_service
from bot.alerts.service import Alerts
from bot.service import Banwatch
from bot.store import Store
from bot.store._alerts import TRACKER_REVISION_SQL, UNSEEN_ARTICLES_SQL
from tests.alerts.support import PORTLAND_BAN, SPRINGFIELD_BAN, SimulatedKill, write_news
from tests.conftest import SEEDS_DIR

# Policy items in several places besides the two bans, so chunks hold items of many kinds.
OTHER_NEWS = [
    (
        "Boston City Council debates a facial recognition ordinance",
        "BOSTON (AP) — Councilors in Boston debated an ordinance on police use of facial"
        " recognition technology on Tuesday. No vote was taken.",
    ),
    (
        "Worcester council postpones vote on facial recognition ban",
        "WORCESTER, Mass. — The Worcester City Council postponed its vote on a ban of"
        " facial recognition until next month.",
    ),
    (
        "Salem police adopt facial recognition software",
        "SALEM, Ore. — Salem police began using facial recognition software this week"
        " under a new contract.",
    ),
    (
        "Coalition petitions Denver mayor to ban facial recognition",
        "DENVER — A coalition of 40 groups petitioned the Denver mayor to ban facial"
        " recognition by city agencies.",
    ),
]

Recorded = set[tuple[int, str, str, str, str]]
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+(\+00:00|Z)?")


async def _scan_scenario(
    tmp_path: Path, name: str, *, kill_at_call: int | None = None
) -> tuple[Recorded, int]:
    """Seed corpus ingested but never matched, three subscriptions, six new items; one scan
    (killed at the given write, then redone). Returns the outbox and the writes made."""
    corpus = tmp_path / name / "corpus"
    shutil.copytree(SEEDS_DIR, corpus)
    async with await Store.open(tmp_path / name / "alerts.db") as store:
        app = Banwatch(store, corpus)
        await app.ingest()
        alerts = Alerts(app)
        await alerts.subscribe(review="all", guild_id="g1", channel_id="c-all", actor_id="u")
        await alerts.subscribe(
            review="all", guild_id="g1", channel_id="c-ma", actor_id="u", state="MA"
        )
        await alerts.subscribe(
            review="all", guild_id="g1", channel_id="c-st", actor_id="u", state="MA", mode="status"
        )
        write_news(corpus, "a.md", **SPRINGFIELD_BAN)
        write_news(corpus, "b.md", **PORTLAND_BAN, provider="Oregon Daily", domain="or.example")
        for number, (title, excerpt) in enumerate(OTHER_NEWS):
            write_news(
                corpus,
                f"other{number}.md",
                title=title,
                excerpt=excerpt,
                provider=f"Paper {number}",
                domain=f"paper{number}.example",
            )
        assert len((await app.ingest()).new) == 6

        writes = 0
        record = store.record_alert_scan

        async def counted(*args: object, **kwargs: object) -> int:
            nonlocal writes
            writes += 1
            if writes == kill_at_call:
                raise SimulatedKill("killed between two chunks")
            return await record(*args, **kwargs)  # type: ignore[arg-type]

        store.record_alert_scan = counted  # type: ignore[method-assign]
        if kill_at_call is not None:
            with pytest.raises(SimulatedKill):
                await alerts.scan()
        await alerts.scan()
        assert await store.unprocessed_alert_articles() == {}
        assert await alerts.scan() == 0  # nothing left, nothing twice
        entries = await store.outbox_entries(limit=10_000)
        # The details name when a subscription began, which differs from run to run.
        return {
            (e.subscription_id, e.kind, e.subject, e.state, TIMESTAMP.sub("<time>", e.detail))
            for e in entries
        }, writes


async def test_a_scan_in_chunks_records_what_one_pass_does(tmp_path, monkeypatch):
    whole, one_write = await _scan_scenario(tmp_path, "whole")
    assert one_write == 1
    assert {state for _, _, _, state, _ in whole} >= {"queued", "filtered", "before_subscription"}
    assert any(kind == "status" for _, kind, _, _, _ in whole)

    monkeypatch.setattr(alerts_service, "SCAN_CHUNK", 3)
    chunked, writes = await _scan_scenario(tmp_path, "chunked")
    assert writes >= 4
    assert chunked == whole


@pytest.mark.parametrize("kill_at_call", [1, 2, 4, -1])
async def test_a_scan_killed_between_chunks_loses_and_repeats_nothing(
    tmp_path, monkeypatch, kill_at_call
):
    whole, _ = await _scan_scenario(tmp_path, "whole")
    monkeypatch.setattr(alerts_service, "SCAN_CHUNK", 3)
    _, writes = await _scan_scenario(tmp_path, "count")
    # -1: killed at the last chunk's write, the one with every status and the revision.
    kill_at = writes if kill_at_call == -1 else kill_at_call
    killed, _ = await _scan_scenario(tmp_path, f"killed{kill_at}", kill_at_call=kill_at)
    assert killed == whole


async def test_a_scan_with_no_subscriptions_only_marks_items_seen(db_path, corpus_dir):
    async with await Store.open(db_path) as store:
        app = Banwatch(store, corpus_dir)
        await app.ingest()
        read = []
        real = store.get_articles

        async def spy(ids):
            read.append(ids)
            return await real(ids)

        store.get_articles = spy  # type: ignore[method-assign]
        assert await store.unprocessed_alert_articles()
        assert await Alerts(app).scan() == 0
        assert await store.unprocessed_alert_articles() == {}
        assert read == []  # nothing to match them against: not one article read


async def test_a_scan_works_out_again_only_the_places_whose_events_changed(db_path, corpus_dir):
    async with await Store.open(db_path) as store:
        app = Banwatch(store, corpus_dir)
        await app.ingest()
        alerts = Alerts(app)
        await alerts.subscribe(
            review="all", guild_id="g1", channel_id="c", actor_id="u", state="MA", mode="status"
        )
        asked: list[object] = []
        real = store.place_events

        async def spy(keys=None):
            asked.append(None if keys is None else sorted(keys))
            return await real(keys)

        store.place_events = spy  # type: ignore[method-assign]
        await alerts.scan()
        assert asked  # the first scan works out every place (none was known to it)
        asked.clear()

        write_news(corpus_dir, "a.md", **SPRINGFIELD_BAN)
        await app.ingest()
        assert await alerts.scan() == 1  # Springfield: pending -> ban
        assert asked == [["city:US:MA:Springfield"]]
        asked.clear()
        await alerts.scan()
        assert asked == []  # nothing new: nothing read


async def test_an_item_restored_to_the_corpus_before_it_was_matched_is_still_alerted(
    db_path, corpus_dir
):
    async with await Store.open(db_path) as store:
        app = Banwatch(store, corpus_dir)
        await app.ingest()
        alerts = Alerts(app)
        await alerts.subscribe(review="all", guild_id="g1", channel_id="c", actor_id="u")
        await alerts.scan()
        path = write_news(corpus_dir, "a.md", **SPRINGFIELD_BAN)
        (new_id,) = (await app.ingest()).new
        text = path.read_text(encoding="utf-8")
        path.unlink()
        await app.ingest()  # gone before the alerts saw it: retracted
        write_news(corpus_dir, "b.md", **PORTLAND_BAN, provider="Oregon Daily", domain="or.example")
        await app.ingest()
        assert await alerts.scan() == 1  # Portland; the alerts' mark is now past Springfield
        path.write_text(text, encoding="utf-8")
        await app.ingest()  # restored
        assert list(await store.unprocessed_alert_articles()) == [new_id]
        assert await alerts.scan() == 1
        assert await alerts.scan() == 0


def test_the_every_second_checks_read_only_what_changed(db_path):
    """The send loop checks for new items and moderators' changes every second: neither
    check may read the whole articles table (170 ms at 100,000 articles)."""
    import asyncio
    import sqlite3

    async def migrate() -> None:
        async with await Store.open(db_path):
            pass

    asyncio.run(migrate())
    connection = sqlite3.connect(db_path)
    try:
        checks = [UNSEEN_ARTICLES_SQL, TRACKER_REVISION_SQL]
        for sql in checks:
            plan = " | ".join(row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql))
            assert "SCAN a" not in plan.split(" | ") and "SCAN articles" not in plan, plan
    finally:
        connection.close()
