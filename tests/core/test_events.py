"""The lean tracker reads: events by place with corrections applied, the known-places index."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import string
from pathlib import Path

import pytest

from bot import render
from bot.models import Correction, Place
from bot.service import Banwatch
from bot.store import Store, utcnow
from bot.summary import event_note
from bot.taxonomy import ACTIONS, PENDING_ACTIONS, SCOPES
from bot.tracker import (
    RESETTING_ACTIONS,
    STATUS_KEEPS,
    brief,
    chronological,
    derive_status,
)


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
        # Each place's event count, kept by the same triggers, is the count of its rows.
        counted = dict(
            connection.execute("SELECT place_key, count(*) FROM place_events GROUP BY 1")
        )
        kept = dict(connection.execute("SELECT place_key, events FROM place_versions"))
    finally:
        connection.close()
    assert table == view
    assert {key: n for key, n in kept.items() if n} == counted
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


async def test_a_kept_status_is_worked_out_again_once_its_measure_runs_out(
    db_path, corpus_dir, monkeypatch
):
    app = await _app(db_path, corpus_dir)
    try:
        chicago = (await app.status("Chicago")).events[-1].article_id
        place = (await app.resolve_place("Chicago")).key
        await app.store.save_correction(
            _correction(chicago, action="moratorium_enacted", event_date=dt.date(2026, 1, 5)), None
        )
        # The correction keeps the item's headline, so give the term in a headline of its own.
        monkeypatch.setattr(
            "bot.tracker.measure_end",
            lambda event: dt.date(2027, 1, 5) if event.action == "moratorium_enacted" else None,
        )
        kept = await app.status("Chicago")
        assert (kept.status, kept.ends) == ("moratorium", dt.date(2027, 1, 5))
        assert await app.status("Chicago") is kept

        # Nothing moved the place's version; the day came.
        monkeypatch.setattr("bot.tracker.current_day", lambda: dt.date(2027, 1, 5))
        ran_out = await app.status("Chicago")
        assert ran_out is not kept
        assert (ran_out.status, ran_out.expired_on, ran_out.ends) == (
            "repealed",
            dt.date(2027, 1, 5),
            None,
        )
        assert place == ran_out.jurisdiction.key
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


def _many_events_corpus(directory: Path, files: int, rng: random.Random) -> None:
    """``files`` documents of 5 articles with unrelated headlines: some published on the same
    day, some at the same minute, some undated (the timeline's ties and gaps)."""
    directory.mkdir()

    def headline() -> str:
        words = " ".join(
            "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))
            for _ in range(6)
        )
        # A third tell of loosening: read as a repeal-or-weakening, they keep a ban in force.
        if rng.random() < 0.33:
            return ("Council loosens " + words).capitalize()
        if words[0] in "abc":
            # About one in nine of the others state a term (no further draw, so the
            # histories stay those the test was written with): read as a ban or
            # moratorium, it runs out within the weeks the events span, or after.
            return f"Council approves {len(words.split()[0])}-week moratorium on {words}"
        return words.capitalize()

    def published() -> str:
        if rng.random() < 0.1:
            return ""
        day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 40))
        return f"    publishedDateTime: {day}T{rng.choice(['09:00', '09:00', '17:30'])}:00Z\n"

    for number in range(files):
        related = "".join(
            f'  - title: "{headline()}"\n{published()}'
            f'    webUrl: "https://paper{item}.example.com/{number}/{item}/"\n'
            for item in range(4)
        )
        (directory / f"{number:02d}.md").write_text(
            f'---\ntitle: "{headline()}"\n{published().strip()}\n'
            f'webUrl: "https://example.com/{number}/"\nrelated:\n{related}---\nBody.\n'
        )


async def test_a_status_from_its_deciding_events_equals_one_from_every_event(tmp_path):
    """``/status`` reads a few indexed rows (StatusSample), not the place's every event: for
    many random histories it must answer exactly as deriving from all of them does."""
    rng = random.Random(20261122)
    _many_events_corpus(tmp_path / "corpus", 24, rng)
    app = await _app(tmp_path / "many.db", tmp_path / "corpus")
    store = app.store
    try:
        ids = [a.id for a in await store.all_articles()]
        assert len(ids) == 120
        here = Place(level="city", country="US", state="VT", city="Burlington")
        there = Place(level="city", country="US", state="VT", city="Winooski")
        days = [None, *(dt.date(2019, 1, 1) + dt.timedelta(days=d) for d in range(0, 40, 3))]
        statuses = set()
        for round_number in range(30):
            # Each round, every article gets a new reading: mostly few deciding events among
            # many pending ones, as a long campaign has; every third round no measure at all
            # (adoptions only), every sixth nothing pending either.
            weights = [rng.choice([0, 1, 3]) for _ in ACTIONS]
            weights[ACTIONS.index("campaign_or_petition")] = 20
            left_out = set()
            if round_number % 3 == 0:
                # Adoptions stay: with no measure and (every sixth round) nothing pending,
                # they make a place "in use".
                left_out |= RESETTING_ACTIONS - {"use_expanded_or_adopted"}
            if round_number % 6 == 0:
                left_out |= PENDING_ACTIONS
            for action in left_out:
                weights[ACTIONS.index(action)] = 0
            for article_id in ids:
                place = here if rng.random() < 0.8 else there
                await store.save_correction(
                    _correction(
                        article_id,
                        action=rng.choices(ACTIONS, weights)[0],
                        scope=rng.choice(SCOPES),
                        event_date=rng.choice(days),
                        place_key=place.key,
                    ),
                    place,
                )
            for place in (here, there):
                answer = await app.status(place.key)
                every = await store.place_events([place.key])
                expected = brief(derive_status(answer.jurisdiction, every, in_order=True))
                assert answer == expected
                assert answer.event_count == len(every)
                statuses.add(answer.status)
                if any(e.action == "ban_repealed_or_weakened" for e in answer.basis):
                    statuses.add(f"{answer.status}, loosened")
                if answer.expired_on is not None:
                    statuses.add(f"{answer.status}, expired")
        assert {"ban", "moratorium", "restricted", "repealed", "pending", "in_use"} <= statuses
        # Measures kept in force though loosened, and repeals: both paths were taken.
        assert {"moratorium, loosened", "repealed, loosened"} <= statuses
        # Measures that ran out by their stated terms (all of them long before today).
        assert "repealed, expired" in statuses
    finally:
        await store.close()


async def test_a_status_lists_the_latest_events_and_counts_the_rest(tmp_path):
    rng = random.Random(20261122)
    _many_events_corpus(tmp_path / "corpus", 6, rng)
    app = await _app(tmp_path / "many.db", tmp_path / "corpus")
    store = app.store
    try:
        here = Place(level="city", country="US", state="VT", city="Burlington")
        ids = [a.id for a in await store.all_articles()]
        for number, article_id in enumerate(ids):
            action = "ban_enacted" if number == 0 else "campaign_or_petition"
            when = dt.date(2020, 1, 1) + dt.timedelta(days=number)
            await store.save_correction(
                _correction(article_id, action=action, event_date=when, place_key=here.key), here
            )
        answer = await app.status("Burlington, VT")
        assert answer.status == "ban" and answer.since == dt.date(2020, 1, 1)
        assert answer.event_count == len(ids) == 30
        assert answer.pending_count == 29 and len(answer.pending) == STATUS_KEEPS
        assert answer.pending[-1].event_date == dt.date(2020, 1, 30)
        text = render.render_status(answer)
        assert "(24 earlier not shown: see the timeline)" in text
        assert "30 events in all: see the timeline." in text
        data = render.status_json(answer)
        assert (data["event_count"], data["pending_count"]) == (30, 29)
        # The timeline still has every one.
        assert len((await app.timeline("Burlington, VT")).events) == 30
    finally:
        await store.close()


async def test_events_by_place_reads_a_few_places_at_a_time_and_misses_none(db_path, corpus_dir):
    app = await _app(db_path, corpus_dir)
    store = app.store
    try:
        every = await store.place_events()
        keys = [*sorted({e.place_key for e in every}), "city:US:VT:Nowhere"]
        seen = {key: events async for key, events in store.events_by_place(keys, per_read=2)}
        assert list(seen) == keys
        assert seen.pop("city:US:VT:Nowhere") == []
        for key, events in seen.items():
            assert events == [e for e in every if e.place_key == key]
    finally:
        await store.close()


async def test_status_notes_are_stored_with_policy_items_and_follow_their_text(
    db_path, corpus_dir, monkeypatch
):
    app = await _app(db_path, corpus_dir)
    store = app.store
    try:
        events = await store.place_events()
        ids = [e.article_id for e in events]
        stored = await store.article_notes(ids)
        texts = await store.article_texts(ids)
        assert set(stored) == set(ids)  # every tracked policy item was noted when stored
        assert stored == {i: event_note(texts[i]) for i in ids}

        # A status answer takes them as stored: no article text is read.
        async def no_texts(article_ids):
            raise AssertionError(f"read the texts of {article_ids}")

        monkeypatch.setattr(store, "article_texts", no_texts)
        answer = await app.status("Chicago")
        assert answer.notes and all(answer.notes[i] == stored[i] for i in answer.notes)
        monkeypatch.undo()

        # An edited text gets a new note; the old one never shows.
        source = next(p for p in corpus_dir.glob("*.txt") if "Coalition calls" in p.read_text())
        text = source.read_text(encoding="utf-8")
        source.write_text(
            text.replace("Coalition calls", "Coalition urges", 1).replace(
                "working group", "study commission"
            ),
            encoding="utf-8",
        )
        summary = await app.ingest()
        (edited,) = summary.updated
        article = (await store.article_texts([edited]))[edited]
        assert (await store.article_notes([edited]))[edited] == event_note(article)
    finally:
        await store.close()


async def test_items_without_a_current_note_are_noted_by_the_next_ingest(
    db_path, corpus_dir, monkeypatch
):
    """A database from before notes were stored, a new NOTE_VERSION, or an item made policy
    news by a correction: answers work the note out meanwhile, the next ingest stores it."""
    app = await _app(db_path, corpus_dir)
    store = app.store
    try:
        ids = [e.article_id for e in await store.place_events()]
        connection = sqlite3.connect(db_path)
        with connection:  # as a database from before notes were stored
            connection.execute("DELETE FROM article_notes")
            connection.execute("DELETE FROM store_meta")
        connection.close()
        answer = await app.status("Chicago")
        assert answer.notes  # worked out from the texts
        summary = await app.ingest()
        assert summary.noted == len(ids)
        assert "Summarised" in summary.render()
        assert set(await store.article_notes(ids)) == set(ids)
        assert (await app.ingest()).noted == 0

        import bot.store._notes as articles_module

        monkeypatch.setattr(articles_module, "NOTE_VERSION", articles_module.NOTE_VERSION + 1)
        assert await store.article_notes(ids) == {}  # an older version's notes are not used
        assert (await app.ingest()).noted == len(ids)
    finally:
        await store.close()


async def test_a_rescan_does_not_look_for_missing_notes_and_a_correction_brings_its_own(
    db_path, corpus_dir, monkeypatch
):
    """The look for items without a note reads every event (6 s from a cold disk at
    100,000 articles): it runs once per NOTE_VERSION, not on the bot's every re-scan; an
    item a correction makes policy news gets its note as the correction is stored."""
    app = await _app(db_path, corpus_dir)
    store = app.store
    try:
        looked = []
        real = store.events_needing_notes

        async def spy(**kwargs):
            looked.append(kwargs)
            return await real(**kwargs)

        monkeypatch.setattr(store, "events_needing_notes", spy)
        await app.ingest()
        assert looked == []

        tracked = {e.article_id for e in await store.place_events()}
        [launch] = [a for a in await store.all_articles() if a.id not in tracked][:1]
        chicago = Place(level="city", country="US", state="IL", city="Chicago")
        await store.save_correction(
            _correction(launch.id, is_policy=True, action="ban_proposed", place_key=chicago.key),
            chicago,
        )
        text = (await store.article_texts([launch.id]))[launch.id]
        assert (await store.article_notes([launch.id])) == {launch.id: event_note(text)}
    finally:
        await store.close()


async def test_every_places_status_is_worked_out_ahead_with_its_summaries(
    db_path, corpus_dir, monkeypatch
):
    app = await _app(db_path, corpus_dir)
    fresh = Banwatch(await Store.open(db_path), corpus_dir)
    try:
        busiest = await app.store.place_versions(busiest=1000)
        counts = [len(await app.store.place_events([key])) for key in busiest]
        assert len(busiest) >= 5 and counts == sorted(counts, reverse=True) and counts[-1] > 0

        assert await app.keep_statuses() == len(busiest)

        samples, texts = [], []
        real_sample, real_notes = app.store.status_sample, app.store.article_notes

        async def sampling(key, keep, unless_version=None):
            version, sample = await real_sample(key, keep, unless_version=unless_version)
            samples.append(sample)
            return version, sample

        async def noting(ids):
            texts.append(list(ids))
            return await real_notes(ids)

        monkeypatch.setattr(app.store, "status_sample", sampling)
        monkeypatch.setattr(app.store, "article_notes", noting)
        for key in busiest:
            kept = await app.status(key)
            # Answered from what was worked out ahead: no sample read, no summary looked up,
            # and the same answer a bot that did nothing ahead gives.
            assert kept == await fresh.status(key)
            led_with = [*kept.basis[-3:], *kept.pending[-3:]]
            assert all(e.article_id in kept.notes for e in led_with)
        assert samples == [None] * len(busiest)
        assert any(result.notes for _, result in app._status_cache.values())
        assert all(ids == [] for ids in texts)
    finally:
        await app.store.close()
        await fresh.store.close()


async def test_only_the_busiest_places_are_worked_out_ahead_when_there_are_too_many(
    db_path, corpus_dir, monkeypatch
):
    import bot.service as service_module

    app = await _app(db_path, corpus_dir)
    try:
        monkeypatch.setattr(service_module, "STATUS_CACHE_PLACES", 2)
        assert await app.keep_statuses() == 2
        every = await app.store.place_versions()
        sizes = {key: len(await app.store.place_events([key])) for key in every}
        kept = set(app._status_cache)
        assert min(sizes[key] for key in kept) >= max(
            size for key, size in sizes.items() if key not in kept
        )
    finally:
        await app.store.close()
