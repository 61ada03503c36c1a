"""Migration 020: tables an ingest appends to, found through narrow indexes (issue 18)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import bot.ingest as ingest_module
from bot.extraction import EXTRACTOR_VERSION
from bot.ingest import ingest_corpus
from bot.store import Store
from bot.store._base import value_key
from tests.core.ingest_corpora import LAYOUT_BEFORE_020, LAYOUT_BEFORE_021

ROWS = {
    "article_variants": "SELECT article_id, kind, value FROM article_variants ORDER BY rowid",
    "article_sources": "SELECT article_id, source_path, position FROM article_sources"
    " ORDER BY rowid",
    "article_notes": "SELECT article_id, version, note FROM article_notes ORDER BY article_id",
    "extractions": "SELECT * FROM extractions ORDER BY article_id",
    "extraction_places": "SELECT article_id, rank, jurisdiction_key FROM extraction_places"
    " ORDER BY article_id, rank",
    "place_events": "SELECT place_key, sort_date, sort_time, article_id, action, scope,"
    " event_date, published_at, title, url, provider, corrected FROM place_events"
    " ORDER BY article_id",
}


@pytest.fixture
async def store(db_path: Path):
    async with await Store.open(db_path) as opened:
        yield opened


def _rows(connection: sqlite3.Connection) -> dict[str, list[tuple]]:
    return {name: connection.execute(sql).fetchall() for name, sql in ROWS.items()}


def _plan(connection: sqlite3.Connection, sql: str, params: tuple = ()) -> str:
    return " / ".join(row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, params))


async def test_migration_020_keeps_every_row_in_arrival_order(
    db_path: Path, corpus_dir: Path
) -> None:
    async with await Store.open(db_path) as store:
        await ingest_corpus(store, corpus_dir)
        found = await store.get_articles([a.id for a in await store.all_articles()])
    connection = sqlite3.connect(db_path)
    with connection:
        connection.executescript(LAYOUT_BEFORE_020)
    before = _rows(connection)
    assert all(before.values()), "the seed corpus fills every table"
    connection.close()

    async with await Store.open(db_path) as store:
        assert await store.schema_version() >= 20
        # Looked up through the new indexes, every article reads as it did.
        assert await store.get_articles(list(found)) == found
        # Stored again unchanged, no variant or source is added twice.
        for path in corpus_dir.iterdir():
            path.write_bytes(path.read_bytes() + b"\n")
        await ingest_corpus(store, corpus_dir)
    connection = sqlite3.connect(db_path)
    after = _rows(connection)
    assert after["article_variants"] == before["article_variants"]
    assert after["article_sources"] == before["article_sources"]
    assert after["article_notes"] == before["article_notes"]
    for name in ("extractions", "extraction_places", "place_events"):
        # Timestamps aside (the files were stored again).
        assert [row[:5] for row in after[name]] == [row[:5] for row in before[name]], name
    # Every variant and canonical URL carries its key.
    keys = connection.execute("SELECT value, value_key FROM article_variants").fetchall()
    assert all(key == value_key(value) for value, key in keys)
    canonical = connection.execute(
        "SELECT canonical_url, canonical_key FROM articles WHERE canonical_url IS NOT NULL"
    ).fetchall()
    assert canonical and all(key == value_key(url) for url, key in canonical)
    tables = dict(
        connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN"
            " ('article_variants', 'article_sources', 'article_notes')"
        ).fetchall()
    )
    assert not any("PRIMARY KEY" in sql or "WITHOUT ROWID" in sql for sql in tables.values())
    indexes = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert not indexes & {"articles_canonical_url", "articles_provider", "article_variants_value"}
    # What the old keys kept unique, unique indexes keep.
    unique = {
        row[1]: [column[2] for column in connection.execute(f"PRAGMA index_info({row[1]})")]
        for table in ("article_variants", "article_sources", "article_notes", "articles")
        for row in connection.execute(f"PRAGMA index_list({table})")
        if row[2]
    }
    # (021 then keys an article's variants by its rowid: tests/core/test_arrival_keys.py.)
    assert unique["article_variants_article"] == ["article_rowid", "kind", "value_key"]
    assert unique["article_sources_file"] == ["source_path", "position", "article_id"]
    assert unique["article_notes_article"] == ["article_id"]
    assert unique["articles_canonical_key"] == ["canonical_key"]
    connection.close()


async def test_look_ups_by_article_and_by_url_use_the_narrow_indexes(
    store: Store, db_path: Path, corpus_dir: Path
) -> None:
    await ingest_corpus(store, corpus_dir)
    connection = sqlite3.connect(db_path)
    by_url = _plan(
        connection,
        "SELECT article_id FROM article_variants WHERE value_key = ? AND kind = 'url'"
        " AND value = ? LIMIT 1",
        (1, "x"),
    )
    assert "USING INDEX article_variants_url (value_key=?)" in by_url
    by_canonical = _plan(
        connection,
        "SELECT id FROM articles WHERE canonical_key = ? AND canonical_url = ?",
        (1, "x"),
    )
    assert "USING INDEX articles_canonical_key (canonical_key=?)" in by_canonical
    for sql, index in [
        ("SELECT note FROM article_notes WHERE article_id = ?", "article_notes_article"),
        ("SELECT action FROM extractions WHERE article_id = ?", "extractions_article"),
    ]:
        assert f"INDEX {index} (article_id=?)" in _plan(connection, sql, ("x",)), sql
    # Migration 021: found by the article's rowid, which grows with arrival.
    for sql, index in [
        ("SELECT value FROM article_variants WHERE article_rowid = ?", "article_variants_article"),
        (
            "SELECT source_path FROM article_sources WHERE article_rowid = ?",
            "article_sources_article",
        ),
        (
            "SELECT jurisdiction_key FROM extraction_places WHERE article_rowid = ?",
            "extraction_places_article",
        ),
    ]:
        assert f"INDEX {index} (article_rowid=?)" in _plan(connection, sql, (1,)), sql
    connection.close()


async def test_a_story_under_a_stored_canonical_url_is_the_same_story(
    store: Store, corpus_dir: Path
) -> None:
    await ingest_corpus(store, corpus_dir)
    article = next(a for a in await store.all_articles() if a.url)
    (corpus_dir / "zz_same_url.md").write_text(
        f'---\ntitle: "A wholly different headline"\nwebUrl: "{article.url}?utm_source=x"\n'
        "publishedDateTime: 2019-05-05T00:00:00Z\n---\nBody.\n"
    )
    summary = await ingest_corpus(store, corpus_dir)
    assert summary.new == [] and summary.merged == 1
    assert "A wholly different headline" in await store.article_titles(article.id)


async def test_a_story_seen_again_adds_only_its_new_variants(
    store: Store, corpus_dir: Path
) -> None:
    await ingest_corpus(store, corpus_dir)
    articles = await store.all_articles()
    canoe = next(a for a in articles if "Zuckerberg" in a.title)
    titles, urls = await store.article_titles(canoe.id), canoe.variants
    # The same story in a new file, under one known URL and one new one.
    (corpus_dir / "zz_again.md").write_text(
        f'---\ntitle: "{titles[0]}"\nwebUrl: "{urls[0]}"\n'
        f"publishedDateTime: 2020-01-01T00:00:00Z\n---\nBody.\n"
    )
    await ingest_corpus(store, corpus_dir)
    again = await store.get_article(canoe.id)
    assert again is not None
    assert await store.article_titles(canoe.id) == titles
    assert sorted(again.variants) == sorted(urls)


async def test_readings_are_current_only_when_every_article_has_one_by_this_extractor(
    store: Store, db_path: Path, corpus_dir: Path
) -> None:
    await ingest_corpus(store, corpus_dir)
    assert await store.readings_current(EXTRACTOR_VERSION)
    assert not await store.readings_current("an older extractor")
    connection = sqlite3.connect(db_path)
    with connection:
        article_id = connection.execute("SELECT article_id FROM extractions LIMIT 1").fetchone()[0]
        connection.execute(
            "UPDATE extractions SET extractor_version = 'old' WHERE article_id = ?", (article_id,)
        )
    assert not await store.readings_current(EXTRACTOR_VERSION)
    with connection:
        connection.execute("DELETE FROM extractions WHERE article_id = ?", (article_id,))
    assert not await store.readings_current(EXTRACTOR_VERSION)
    connection.close()
    # The next ingest reads that article again, and then all are current.
    summary = await ingest_corpus(store, corpus_dir)
    assert summary.reextracted == 1
    assert await store.readings_current(EXTRACTOR_VERSION)


def _merge_settings(db_path: Path) -> dict[str, int]:
    connection = sqlite3.connect(db_path)
    settings = dict(connection.execute("SELECT k, v FROM articles_fts_config").fetchall())
    connection.close()
    return {name: settings.get(name) for name in ("automerge", "crisismerge")}


async def test_a_big_ingest_leaves_text_merges_to_its_end_and_puts_the_settings_back(
    store: Store, db_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_module, "DEFER_TEXT_MERGES_FILES", 1)
    during: list[dict[str, int]] = []
    record_files = store.record_files

    async def recording(*args: object, **kwargs: object) -> object:
        during.append(_merge_settings(db_path))
        return await record_files(*args, **kwargs)

    monkeypatch.setattr(store, "record_files", recording)
    await ingest_corpus(store, corpus_dir)
    assert during and all(s == {"automerge": 0, "crisismerge": 64} for s in during)
    assert _merge_settings(db_path) == {"automerge": 4, "crisismerge": 16}
    # One segment after the merge at the end: every search reads each word's postings once.
    assert [a.id for a in await store.search_articles("Clearview")]
    # Settings left by an ingest that was stopped midway: the next ingest restores them.
    monkeypatch.setattr(ingest_module, "DEFER_TEXT_MERGES_FILES", 10_000)
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 0)")
    connection.close()
    await ingest_corpus(store, corpus_dir)
    assert _merge_settings(db_path)["automerge"] == 4


async def test_notes_worked_out_where_files_are_read_are_the_notes_the_store_works_out(
    store: Store, db_path: Path, corpus_dir: Path
) -> None:
    await ingest_corpus(store, corpus_dir)
    connection = sqlite3.connect(db_path)
    ahead = connection.execute("SELECT article_id, version, note FROM article_notes").fetchall()
    assert ahead
    with connection:
        connection.execute("DELETE FROM article_notes")
        connection.execute("DELETE FROM store_meta WHERE key = 'notes_version'")
    connection.close()
    # Worked out again by the store, from the stored texts.
    await ingest_corpus(store, corpus_dir)
    connection = sqlite3.connect(db_path)
    again = connection.execute("SELECT article_id, version, note FROM article_notes").fetchall()
    connection.close()
    assert sorted(again) == sorted(ahead)


def _keyed_rows(connection: sqlite3.Connection) -> dict[str, list[tuple]]:
    """The rows 021 rebuilds, each with the rowid of its article where it carries one."""
    return {
        "article_variants": connection.execute(
            "SELECT v.article_id, v.kind, v.value, v.value_key, a.rowid FROM article_variants v"
            " JOIN articles a ON a.id = v.article_id ORDER BY v.rowid"
        ).fetchall(),
        "article_sources": connection.execute(
            "SELECT s.article_id, s.source_path, s.position, a.rowid FROM article_sources s"
            " JOIN articles a ON a.id = s.article_id ORDER BY s.rowid"
        ).fetchall(),
        "extraction_places": connection.execute(
            "SELECT p.article_id, p.rank, p.jurisdiction_key, a.rowid FROM extraction_places p"
            " JOIN articles a ON a.id = p.article_id ORDER BY p.rowid"
        ).fetchall(),
        "place_events": _rows(connection)["place_events"],
    }


async def test_migration_021_keys_rows_by_their_articles_rowid_and_keeps_the_events(
    db_path: Path, corpus_dir: Path
) -> None:
    async with await Store.open(db_path) as store:
        await ingest_corpus(store, corpus_dir)
        found = await store.get_articles([a.id for a in await store.all_articles()])
        events = await store.place_events()
    connection = sqlite3.connect(db_path)
    with connection:
        connection.executescript(LAYOUT_BEFORE_021)
    before = _keyed_rows(connection)
    assert all(before.values()), "the seed corpus fills every table"
    confidences = connection.execute(
        "SELECT article_id, confidence FROM extraction_confidence ORDER BY article_id"
    ).fetchall()
    assert confidences
    connection.close()

    async with await Store.open(db_path) as store:
        assert await store.schema_version() == 21
        assert await store.get_articles(list(found)) == found
        assert await store.place_events() == events
    connection = sqlite3.connect(db_path)
    # Every row kept, in its order, with its article's rowid; each confidence in its reading.
    assert _keyed_rows(connection) == before
    assert (
        connection.execute(
            "SELECT article_id, confidence FROM extractions WHERE confidence IS NOT NULL"
            " ORDER BY article_id"
        ).fetchall()
        == confidences
    )
    for table in ("article_variants", "article_sources", "extraction_places"):
        assert connection.execute(
            f"SELECT count(*) FROM {table} t JOIN articles a ON a.id = t.article_id"
            " WHERE t.article_rowid IS NOT a.rowid"
        ).fetchone() == (0,), table
    # The events in arrival order, found through narrow indexes: a status reads each
    # deciding action's newest event with one seek, and a place's events in order.
    sql = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'place_events'")
    assert "WITHOUT ROWID" not in sql.fetchone()[0]
    place_key = before["place_events"][0][0]
    assert "place_events_action (place_key=? AND action=?)" in _plan(
        connection,
        "SELECT title FROM place_events WHERE place_key = ? AND action = ?"
        " ORDER BY sort_date DESC, sort_time DESC, article_id DESC LIMIT 1",
        (place_key, "ban_enacted"),
    )
    timeline = _plan(
        connection,
        "SELECT title FROM place_events WHERE place_key = ?"
        " ORDER BY sort_date, sort_time, article_id",
        (place_key,),
    )
    assert "place_events_timeline (place_key=?)" in timeline and "TEMP B-TREE" not in timeline
    # The remade triggers and view still keep the events true.
    article_id = before["place_events"][0][3]
    with connection:
        connection.execute(
            "DELETE FROM extraction_places WHERE article_id = ? AND rank = 0", (article_id,)
        )
    assert connection.execute(
        "SELECT count(*) FROM place_events WHERE article_id = ?", (article_id,)
    ).fetchone() == (0,)
    versions = connection.execute("SELECT sum(events) FROM place_versions").fetchone()[0]
    assert versions == len(before["place_events"]) - 1
    connection.close()
