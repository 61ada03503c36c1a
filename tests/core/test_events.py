"""The lean tracker reads: events by place with corrections applied, the known-places index."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.models import Correction, Place
from bot.service import Banwatch
from bot.store import Store, utcnow


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
