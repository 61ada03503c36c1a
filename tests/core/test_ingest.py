"""Ingesting the corpus into a real SQLite file: dedup, idempotence, incremental updates."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

import bot.ingest as ingest_module
from bot.ingest import ingest_corpus
from bot.store import Store, StoreError
from bot.store._articles import ArticleStore
from bot.store._base import _split_sql, migrations
from tests.core.ingest_corpora import LAYOUT_BEFORE_020, numbered_corpus


@pytest.fixture
async def store(db_path: Path, migrated_db: Path):
    shutil.copyfile(migrated_db, db_path)  # migrated once per session
    async with await Store.open(db_path) as opened:
        yield opened


async def test_seed_corpus_loads_with_related_items_and_dedup(
    store: Store, corpus_dir: Path
) -> None:
    summary = await ingest_corpus(store, corpus_dir)
    assert summary.rejected == []
    # 1 plain-text article + 1 front-matter document + 9 related, of which the Canoe pair is one.
    assert len(summary.new) == 10
    assert summary.merged == 1
    articles = await store.all_articles()
    assert len(articles) == 10
    canoe = [a for a in articles if "Zuckerberg" in a.title]
    assert len(canoe) == 1
    titles = await store.article_titles(canoe[0].id)
    assert len(titles) == 2  # both headlines remembered as variants
    assert any("amp" in url for url in canoe[0].variants)


async def test_related_items_link_to_their_document(store: Store, corpus_dir: Path) -> None:
    await ingest_corpus(store, corpus_dir)
    articles = await store.all_articles()
    parent = next(a for a in articles if a.title.startswith("Coalition calls for Chicago"))
    children = [a for a in articles if a.parent_id == parent.id]
    assert len(children) == 8
    assert parent.parent_id is None


async def test_reingest_is_idempotent_and_parses_nothing(store: Store, corpus_dir: Path) -> None:
    first = await ingest_corpus(store, corpus_dir)
    ids = sorted(a.id for a in await store.all_articles())
    second = await ingest_corpus(store, corpus_dir)
    assert second.new == [] and second.updated == [] and second.retracted == []
    assert second.files_parsed == 0
    assert second.files_skipped == first.files_parsed
    assert sorted(a.id for a in await store.all_articles()) == ids


async def test_touched_but_unchanged_file_is_not_reparsed(store: Store, corpus_dir: Path) -> None:
    await ingest_corpus(store, corpus_dir)
    for path in corpus_dir.iterdir():
        os.utime(path, None)
    summary = await ingest_corpus(store, corpus_dir)
    assert summary.files_parsed == 0 and summary.new == []


async def test_ids_are_stable_across_databases(tmp_path: Path, corpus_dir: Path) -> None:
    ids = []
    for name in ("a.db", "b.db"):
        async with await Store.open(tmp_path / name) as store:
            await ingest_corpus(store, corpus_dir)
            ids.append(sorted(a.id for a in await store.all_articles()))
    assert ids[0] == ids[1]


async def test_changed_file_updates_its_articles(store: Store, corpus_dir: Path) -> None:
    await ingest_corpus(store, corpus_dir)
    path = corpus_dir / "002_da0adec2a5986680.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Seventy five groups are joining forces", "75 groups joined forces"),
        encoding="utf-8",
    )
    summary = await ingest_corpus(store, corpus_dir)
    assert summary.files_parsed == 1
    assert len(summary.updated) == 1 and summary.new == []
    [article] = await store.search_articles("joined forces")
    assert article.title.startswith("Coalition calls for Chicago")


async def test_edited_headline_updates_the_same_article(store: Store, corpus_dir: Path) -> None:
    await ingest_corpus(store, corpus_dir)
    path = corpus_dir / "000_0d1ef0c9cc388d2d.txt"
    before = {a.id for a in await store.all_articles()}
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Amid Concerns", "Amid Privacy Concerns"), encoding="utf-8")
    summary = await ingest_corpus(store, corpus_dir)
    after = {a.id for a in await store.all_articles()}
    # The same file, same place, same provider, nearly the same headline: the same story,
    # updated under its old id.
    assert summary.new == [] and summary.retracted == [] and len(summary.updated) == 1
    assert after == before
    article = await store.get_article(summary.updated[0])
    assert article is not None and article.title.endswith("Amid Privacy Concerns")


async def test_new_file_is_picked_up_and_deleted_file_retracted(
    store: Store, corpus_dir: Path
) -> None:
    await ingest_corpus(store, corpus_dir)
    extra = corpus_dir / "new.md"
    extra.write_text(
        "---\ntitle: Boston City Council votes to ban facial recognition\n"
        "webUrl: https://example.org/boston-ban\npublishedDateTime: 2020-06-24T12:00:00Z\n---\n",
        encoding="utf-8",
    )
    summary = await ingest_corpus(store, corpus_dir)
    assert len(summary.new) == 1
    extra.unlink()
    summary = await ingest_corpus(store, corpus_dir)
    assert summary.retracted == [*summary.retracted]
    assert len(summary.retracted) == 1
    assert await store.count_articles() == 10


async def test_bad_files_are_reported_and_lose_nothing_else(store: Store, corpus_dir: Path) -> None:
    (corpus_dir / "broken.md").write_bytes(b"---\ntitle: [oops\n---\n")
    (corpus_dir / "latin1.txt").write_bytes("caf\xe9 story\n\nHeadline\n".encode("latin-1"))
    (corpus_dir / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (corpus_dir / "bomb.md").write_bytes(b"---\na: &a [1, 2]\nb: [*a, *a]\ntitle: x\n---\n")
    summary = await ingest_corpus(store, corpus_dir)
    reasons = dict(summary.rejected)
    assert set(Path(p).name for p in reasons) == {"broken.md", "latin1.txt", "image.txt", "bomb.md"}
    assert "malformed YAML" in reasons[str(corpus_dir.resolve() / "broken.md")]
    assert len(summary.new) == 10
    # A later, broken edit of a good file keeps the articles it had.
    good = corpus_dir / "002_da0adec2a5986680.txt"
    good.write_bytes(b"---\ntitle: [broken edit\n---\n")
    summary = await ingest_corpus(store, corpus_dir)
    assert any(Path(p).name == good.name for p, _ in summary.rejected)
    assert await store.count_articles() == 10
    assert "rejected" in summary.render()


async def test_schema_is_migrated_with_wal_and_foreign_keys(db_path: Path) -> None:
    async with await Store.open(db_path) as store:
        assert await store.schema_version() == max(v for v, _, _ in migrations())
    connection = sqlite3.connect(db_path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()
    # Opening again applies nothing new.
    async with await Store.open(db_path) as store:
        assert await store.schema_version() == max(v for v, _, _ in migrations())


async def test_migration_015_gives_each_text_row_its_articles_rowid(
    db_path: Path, corpus_dir: Path
) -> None:
    async with await Store.open(db_path) as store:
        await ingest_corpus(store, corpus_dir)
        found_before = [a.id for a in await store.search_articles("Clearview")]
    # The layout before: text rows numbered on their own, and one article with a stale
    # second row (an update that found no row to replace).
    connection = sqlite3.connect(db_path)
    with connection:
        # Migrations 015 on run again from here: 020's layout undone first.
        connection.executescript(LAYOUT_BEFORE_020)
        rows = connection.execute(
            "SELECT article_id, title, excerpt, body FROM articles_fts ORDER BY rowid"
        ).fetchall()
        connection.execute("DELETE FROM articles_fts")
        stale = rows[0][0]
        connection.execute(
            "INSERT INTO articles_fts (rowid, article_id, title, excerpt, body)"
            " VALUES (1, ?, 'stale headline zebra', '', '')",
            (stale,),
        )
        connection.executemany(
            "INSERT INTO articles_fts (rowid, article_id, title, excerpt, body)"
            " VALUES (?, ?, ?, ?, ?)",
            [(500 - number, *row) for number, row in enumerate(rows)],
        )
        connection.execute("PRAGMA user_version = 14")
    connection.close()

    async with await Store.open(db_path) as store:
        assert await store.schema_version() >= 15
        assert [a.id for a in await store.search_articles("Clearview")] == found_before
        assert await store.search_articles("zebra") == []  # the stale row is gone
    connection = sqlite3.connect(db_path)
    pairs = connection.execute(
        "SELECT a.rowid, a.id, t.rowid, t.article_id FROM articles a"
        " LEFT JOIN articles_fts t ON t.rowid = a.rowid ORDER BY a.rowid"
    ).fetchall()
    texts = connection.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
    connection.close()
    assert all(row[0] == row[2] and row[1] == row[3] for row in pairs)
    assert texts == len(pairs) == len(rows)


def _readings_and_events(connection: sqlite3.Connection) -> tuple[list, list, list]:
    return (
        connection.execute("SELECT * FROM extractions ORDER BY article_id").fetchall(),
        connection.execute("SELECT * FROM extraction_places ORDER BY article_id, rank").fetchall(),
        connection.execute("SELECT * FROM place_events ORDER BY article_id").fetchall(),
    )


async def test_migration_016_keys_readings_by_article_and_keeps_the_events_true(
    db_path: Path, corpus_dir: Path
) -> None:
    async with await Store.open(db_path) as store:
        await ingest_corpus(store, corpus_dir)
    # The layout before: rowid tables with their primary keys as separate indexes, and the
    # triggers of migration 008 on them.
    old_triggers = [
        statement
        for version, _, sql in migrations()
        if version == 8
        for statement in _split_sql(sql)
        if statement.startswith(
            ("CREATE TRIGGER place_events_extractions", "CREATE TRIGGER place_events_main_place")
        )
    ]
    assert len(old_triggers) == 6
    connection = sqlite3.connect(db_path)
    with connection:
        before = _readings_and_events(connection)
        connection.executescript(LAYOUT_BEFORE_020)
        connection.executescript(
            "CREATE TEMP TABLE e AS SELECT * FROM extractions;"
            "CREATE TEMP TABLE p AS SELECT * FROM extraction_places;"
            "DROP TABLE extraction_places; DROP TABLE extractions;"
            "CREATE TABLE extractions (article_id TEXT PRIMARY KEY REFERENCES articles(id)"
            " ON DELETE CASCADE, is_policy INTEGER NOT NULL, action TEXT NOT NULL,"
            " scope TEXT NOT NULL, event_date TEXT, extractor_version TEXT NOT NULL,"
            " extracted_at TEXT NOT NULL);"
            "CREATE TABLE extraction_places (article_id TEXT NOT NULL REFERENCES articles(id)"
            " ON DELETE CASCADE, rank INTEGER NOT NULL, jurisdiction_key TEXT NOT NULL"
            " REFERENCES jurisdictions(key), PRIMARY KEY (article_id, rank));"
            "CREATE INDEX extraction_places_key ON extraction_places(jurisdiction_key);"
            "INSERT INTO extractions SELECT * FROM e;"
            "INSERT INTO extraction_places SELECT * FROM p;"
        )
        for statement in old_triggers:
            connection.execute(statement)
        connection.execute("PRAGMA user_version = 15")
    assert before[2], "the seed corpus has events"
    connection.close()

    async with await Store.open(db_path) as store:
        assert await store.schema_version() >= 16
    connection = sqlite3.connect(db_path)
    tables = dict(
        connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE name IN ('extractions', 'extraction_places')"
        ).fetchall()
    )
    # 016 made them WITHOUT ROWID; 020, run after it here, appends their rows in arrival
    # order and finds them through narrow unique indexes (tests/core/test_ingest_writes.py).
    assert not any(sql.rstrip().endswith("WITHOUT ROWID") for sql in tables.values()), tables
    assert _readings_and_events(connection) == before
    triggers = {
        row[0]
        for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    assert {s.split()[2] for s in old_triggers} <= triggers
    # The remade triggers still keep the events true: a reading changed by hand moves them.
    event = before[2][0]
    article_id = event[3]
    with connection:
        connection.execute(
            "UPDATE extractions SET action = 'none' WHERE article_id = ?", (article_id,)
        )
    assert connection.execute(
        "SELECT count(*) FROM place_events WHERE article_id = ?", (article_id,)
    ).fetchone() == (0,)
    with connection:
        connection.execute(
            "UPDATE extractions SET action = ? WHERE article_id = ?", (event[4], article_id)
        )
        connection.execute(
            "DELETE FROM extraction_places WHERE article_id = ? AND rank = 0", (article_id,)
        )
    assert connection.execute(
        "SELECT count(*) FROM place_events WHERE article_id = ?", (article_id,)
    ).fetchone() == (0,)
    connection.close()


async def test_the_page_cache_is_set_for_good_and_an_ingest_never_shrinks_it(
    db_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with await Store.open(db_path) as store:
        assert await store.page_cache_kib() == 2000  # SQLite's default
        await store.set_page_cache(16)
        assert await store.page_cache_kib() == 16 * 1024
        # An ingest asks for more while it writes, then gives back what was set...
        monkeypatch.setattr(ingest_module, "PAGE_CACHE_MIB", 24)
        seen = []
        real = store.record_files

        async def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(await store.page_cache_kib())
            return await real(*args, **kwargs)

        monkeypatch.setattr(store, "record_files", recording)
        await ingest_corpus(store, corpus_dir)
        assert seen and set(seen) == {24 * 1024}
        assert await store.page_cache_kib() == 16 * 1024
        # ...and leaves a larger one as it is.
        await store.set_page_cache(32)
        seen.clear()
        (corpus_dir / "extra.md").write_text("---\ntitle: One more headline\n---\nBody.\n")
        await ingest_corpus(store, corpus_dir)
        assert seen and set(seen) == {32 * 1024}
        assert await store.page_cache_kib() == 32 * 1024


async def test_unusable_database_path_is_a_clear_error(tmp_path: Path) -> None:
    not_a_db = tmp_path / "garbage.db"
    not_a_db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"garbage\.db"):
        await Store.open(not_a_db)


async def test_search_ignores_fts_syntax_in_user_text(store: Store, corpus_dir: Path) -> None:
    await ingest_corpus(store, corpus_dir)
    assert await store.search_articles('clearview" OR title:*') == []
    results = await store.search_articles("Clearview")
    assert results and "Chicago" in results[0].title


def _document(title: str, published: str | None, provider: str = "Metro Daily") -> str:
    """A front-matter file without a URL: only the headline rule can find its duplicates."""
    date = f"publishedDateTime: {published}\n" if published else ""
    return f'---\ntitle: "{title}"\n{date}provider:\n  name: {provider}\n---\nBody.\n'


@pytest.mark.parametrize(
    ("first", "second", "merged"),
    [
        ("2021-03-01T10:00:00Z", "2021-03-03T09:00:00Z", True),
        ("2021-03-01T10:00:00Z", "2021-03-04T09:59:00Z", True),
        ("2021-03-01T10:00:00Z", "2021-03-04T10:01:00Z", False),
        ("2021-03-01T10:00:00+05:00", "2021-03-04T09:00:00+05:00", True),
        ("2021-03-01T10:00:00Z", None, True),
    ],
)
async def test_near_identical_headline_from_one_provider_within_three_days_is_one_story(
    store: Store, tmp_path: Path, first: str, second: str | None, merged: bool
) -> None:
    corpus = tmp_path / "dated"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        _document("Oakland council votes to ban facial recognition", first)
    )
    (corpus / "b.md").write_text(
        _document("Oakland council votes to ban the facial recognition", second)
    )
    (corpus / "c.md").write_text(
        _document("Oakland council votes to ban facial recognition", second, "Other Paper")
    )
    summary = await ingest_corpus(store, corpus)
    assert summary.merged == (1 if merged else 0)
    assert await store.count_articles() == (2 if merged else 3)


async def _snapshot(store: Store) -> tuple[list[str], list[str]]:
    articles = sorted(a.id for a in await store.all_articles())
    return articles, await store.source_paths()


async def test_a_file_whose_reading_crashes_is_rejected_and_the_ingest_goes_on(
    store: Store, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "numbered"
    numbered_corpus(corpus, 10)
    real_read = ingest_module.read_article
    calls = 0

    # Something failing mid-file that is not the extractor on one article (which is caught:
    # see test_ingest_errors.py): a bug in reading, a library's RecursionError.
    def failing_read(article):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 5 * 4 + 2:  # the second article of the sixth file
            raise RuntimeError("reading crashed")
        return real_read(article)

    monkeypatch.setattr(ingest_module, "read_article", failing_read)
    summary = await ingest_corpus(store, corpus)
    assert summary.rejected == [
        (str(corpus / "05.md"), "can't read file: RuntimeError: reading crashed")
    ]
    articles, paths = await _snapshot(store)
    assert len(articles) == 9 * 4
    assert "05.md" not in [Path(p).name for p in paths]

    # Nothing was recorded for the failed file, so the next ingest reads it again.
    monkeypatch.setattr(ingest_module, "read_article", real_read)
    summary = await ingest_corpus(store, corpus)
    assert summary.files_skipped == 9 and summary.files_parsed == 1
    assert len(summary.new) == 4 and summary.rejected == []
    async with await Store.open(tmp_path / "clean.db") as clean:
        await ingest_corpus(clean, corpus)
        assert await _snapshot(store) == await _snapshot(clean)


async def test_an_interrupt_inside_a_file_transaction_rolls_that_file_back(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interrupt while a file is being written leaves the files before it, whole."""
    corpus = tmp_path / "numbered"
    numbered_corpus(corpus, 10)
    real_add_variants = ArticleStore._add_variants
    calls = 0

    def interrupted(self, db, article_id, article_rowid, parsed):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 3 * 4 + 3:  # the third article of the fourth file, two already written
            raise asyncio.CancelledError
        real_add_variants(self, db, article_id, article_rowid, parsed)

    monkeypatch.setattr(ArticleStore, "_add_variants", interrupted)
    with pytest.raises(asyncio.CancelledError):
        await ingest_corpus(store, corpus)
    articles, paths = await _snapshot(store)
    assert len(articles) == 3 * 4
    assert len(paths) == 3

    monkeypatch.setattr(ArticleStore, "_add_variants", real_add_variants)
    summary = await ingest_corpus(store, corpus)
    assert summary.files_skipped == 3 and len(summary.new) == 7 * 4
    assert await store.count_articles() == 10 * 4


async def test_a_rescan_on_a_slow_disk_leaves_the_event_loop_free(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "numbered"
    numbered_corpus(corpus, 10)
    await ingest_corpus(store, corpus)
    real_check = ingest_module._check

    def slow_check(*args):  # type: ignore[no-untyped-def]
        time.sleep(0.05)  # a stat that waits on a stalled disk
        return real_check(*args)

    monkeypatch.setattr(ingest_module, "_check", slow_check)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    started = time.perf_counter()
    summary = await ingest_corpus(store, corpus)
    took = time.perf_counter() - started
    ticking.cancel()
    assert summary.files_skipped == 10 and not summary.new
    # The ten slow stats took half a second; other tasks ran all along (a loop blocked by
    # them would tick once at most).
    assert took >= 0.5 and ticks >= 10
