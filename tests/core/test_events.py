"""The lean tracker reads: events by place with corrections applied, the known-places index."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bot.models import Correction, Place
from bot.service import Banwatch
from bot.store import Store, utcnow
from bot.tracker import chronological


async def _app(db_path: Path, corpus_dir: Path) -> Banwatch:
    store = await Store.open(db_path)
    app = Banwatch(store, corpus_dir)
    await app.ingest()
    return app


def _correction(article_id: str, **fields: object) -> Correction:
    return Correction(article_id=article_id, corrected_by="mod", corrected_at=utcnow(), **fields)


async def test_place_events_match_the_full_reading_of_every_article(db_path, corpus_dir):
    app = await _app(db_path, corpus_dir)
    store = app.store
    try:
        articles = await store.all_articles()
        policy = [a for a in articles if a.extraction and a.extraction.is_policy]
        moved, unmarked, relabelled = policy[0], policy[1], policy[2]
        boston = Place(level="city", country="US", state="MA", city="Boston")
        await store.save_correction(_correction(moved.id, place_key=boston.key), boston)
        await store.save_correction(_correction(unmarked.id, is_policy=False), None)
        await store.save_correction(
            _correction(relabelled.id, action="ban_enacted", event_date=dt.date(2020, 6, 1)),
            None,
        )
        await _store_order_is_timeline_order(store)
        every = await store.place_events()
        readings = await store.get_articles([a.id for a in articles])
        expected = {
            a.id: a.extraction
            for a in readings.values()
            if not a.retracted and a.extraction and a.extraction.is_policy and a.extraction.place
        }
        assert {e.article_id for e in every} == set(expected)
        for event in every:
            reading = expected[event.article_id]
            assert (event.action, event.scope, event.event_date, event.place_key) == (
                reading.action,
                reading.scope,
                reading.event_date,
                reading.place.key,
            )
        assert unmarked.id not in {e.article_id for e in every}
        by_id = {e.article_id: e for e in every}
        assert by_id[moved.id].place_key == boston.key and by_id[moved.id].corrected
        assert by_id[relabelled.id].action == "ban_enacted"
        assert by_id[relabelled.id].event_date == dt.date(2020, 6, 1)

        # By place: exactly the events whose main place it is, the moved one only in Boston.
        for key in {e.place_key for e in every} | {moved.extraction.place.key}:
            one = await store.place_events([key])
            assert sorted(e.article_id for e in one) == sorted(
                e.article_id for e in every if e.place_key == key
            )
        assert [e.article_id for e in await store.place_events([boston.key])] == [moved.id]
        assert await store.place_events([]) == []
    finally:
        await store.close()


async def test_known_jurisdictions_are_cached_until_one_is_added(db_path, corpus_dir):
    app = await _app(db_path, corpus_dir)
    store = app.store
    try:
        first = await store.known_jurisdictions()
        assert await store.known_jurisdictions() is first
        choices = await app.place_choices("spring")
        assert choices and choices[0].label.startswith("Springfield")

        somewhere = Place(level="city", country="US", state="VT", city="Montpelier")
        article = (await store.all_articles())[0]
        await store.save_correction(_correction(article.id, place_key=somewhere.key), somewhere)
        second = await store.known_jurisdictions()
        assert second is not first and somewhere.key in {j.key for j in second}
        # The service's index follows: the new place is offered and resolves at once.
        assert [c.value for c in await app.place_choices("montpel")] == [somewhere.key]
        assert (await app.resolve_place("montpelier")).key == somewhere.key
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("typed", "first"),
    [("", None), ("chic", "Chicago, IL"), ("chicgo", "Chicago, IL"), ("IL", None)],
)
async def test_autocomplete_ranks_prefix_then_substring_then_typos(
    db_path, corpus_dir, typed, first
):
    app = await _app(db_path, corpus_dir)
    try:
        choices = await app.place_choices(typed)
        labels = [c.label for c in choices]
        assert labels, typed
        if first:
            assert labels[0] == first
        if not typed:
            assert labels == sorted(labels)
        assert len(labels) == len(set(c.value for c in choices)) <= 25
    finally:
        await app.store.close()


def _table_matches_view(db_path: Path) -> None:
    """The trigger-kept table holds exactly what the effective reading of every article says."""
    connection = sqlite3.connect(db_path)
    try:
        table = set(connection.execute("SELECT * FROM place_events").fetchall())
        view = set(connection.execute("SELECT * FROM effective_events").fetchall())
    finally:
        connection.close()
    assert table == view
    assert table  # the corpus has policy items


async def _store_order_is_timeline_order(store: Store) -> None:
    """The store hands each place's events in chronological() order (nothing re-sorts them)."""
    every = await store.place_events()
    for key in {event.place_key for event in every}:
        events = await store.place_events([key])
        assert events == chronological(events)
        assert events == [event for event in every if event.place_key == key]


async def test_triggers_keep_place_events_true_through_every_kind_of_change(db_path, corpus_dir):
    app = await _app(db_path, corpus_dir)
    store = app.store
    try:
        _table_matches_view(db_path)
        policy = [a for a in await store.all_articles() if a.extraction.is_policy]
        target = policy[0]
        key = target.extraction.place.key
        before = await store.place_version(key)

        elsewhere = Place(level="city", country="US", state="VT", city="Burlington")
        await store.save_correction(_correction(target.id, place_key=elsewhere.key), elsewhere)
        _table_matches_view(db_path)
        assert await store.place_version(key) > before
        assert await store.place_version(elsewhere.key) > 0

        await store.save_correction(_correction(policy[1].id, is_policy=False), None)
        _table_matches_view(db_path)
        await store.retract_article(policy[2].id, "duplicate of another story")
        _table_matches_view(db_path)
        assert policy[2].id not in {e.article_id for e in await store.place_events()}

        # A re-read by a newer extractor rewrites readings and places.
        await store.save_extractions(
            [(policy[3].id, policy[3].extraction)], extractor_version="test-next"
        )
        _table_matches_view(db_path)

        # An edited corpus file: the article's headline changes, the event follows.
        source = next(p for p in corpus_dir.glob("*.txt") if "Coalition calls" in p.read_text())
        source.write_text(
            source.read_text(encoding="utf-8").replace("Coalition calls", "Coalition urges", 1),
            encoding="utf-8",
        )
        await app.ingest()
        _table_matches_view(db_path)
        titles = {e.title for e in await store.place_events()}
        assert any(title.startswith("Coalition urges") for title in titles)
        await _store_order_is_timeline_order(store)
    finally:
        await store.close()


async def test_status_answers_are_kept_until_the_places_events_change(db_path, corpus_dir):
    app = await _app(db_path, corpus_dir)
    try:
        first = await app.status("Chicago")
        assert await app.status("chicago, IL") is first  # kept: nothing changed

        # A change made by another process (another connection) is seen at once.
        other = await Store.open(db_path)
        try:
            event = first.events[-1]
            await other.save_correction(_correction(event.article_id, action="ban_enacted"), None)
        finally:
            await other.close()
        second = await app.status("Chicago")
        assert second is not first
        assert second.status == "ban"
        assert second.basis[-1].article_id == event.article_id
        assert await app.status("Chicago") is second
    finally:
        await app.store.close()


async def test_cities_follow_a_change_after_answering_from_kept_statuses(db_path, corpus_dir):
    app = await _app(db_path, corpus_dir)
    try:
        before = {r.jurisdiction.key: r.status for r in await app.cities()}
        assert "ban" not in before.values()
        chicago = await app.status("Chicago")
        await app.store.save_correction(
            _correction(chicago.events[-1].article_id, action="ban_enacted"), None
        )
        after = {r.jurisdiction.key: r.status for r in await app.cities()}
        assert after[chicago.jurisdiction.key] == "ban"
        assert {k: v for k, v in after.items() if k != chicago.jurisdiction.key} == {
            k: v for k, v in before.items() if k != chicago.jurisdiction.key
        }
        assert [r.jurisdiction.key for r in await app.cities(status="ban")] == [
            chicago.jurisdiction.key
        ]
    finally:
        await app.store.close()


async def test_prepare_works_out_the_busiest_places_before_anyone_asks(
    db_path, corpus_dir, monkeypatch
):
    import bot.service as service_module

    app = await _app(db_path, corpus_dir)
    try:
        monkeypatch.setattr(service_module, "PREPARED_MIN_EVENTS", 1)
        prepared = await app.prepare()
        busiest = await app.store.busiest_places(30, 1)
        assert prepared == len(busiest) >= 2
        counts = [len(await app.store.place_events([key])) for key in busiest]
        assert counts == sorted(counts, reverse=True)

        reads = []
        real = app.store.place_events

        async def counting(keys=None):
            reads.append(keys)
            return await real(keys)

        monkeypatch.setattr(app.store, "place_events", counting)
        answer = await app.status(busiest[0])
        assert reads == []  # answered from what prepare() worked out
        assert answer.events and answer.jurisdiction.key == busiest[0]
    finally:
        await app.store.close()
