"""Ingest writes many files per transaction: the database must not tell how they were batched."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import pytest

import bot.ingest as ingest_module
from bench.ingest_corpus import generate
from bot.extraction import EXTRACTOR_VERSION
from bot.ingest import ingest_corpus
from bot.store import Store
from bot.store._articles import ArticleStore
from tests.core.ingest_corpora import cancel_at, numbered_corpus

# Every row an ingest writes, timestamps left out, plus the order rows were inserted in.
TABLES = {
    "articles": "SELECT id, title, excerpt, body, url, canonical_url, published_at,"
    " provider_name, provider_domain, parent_id, origin, content_hash, retracted_reason,"
    " retracted_at IS NULL FROM articles",
    "article_variants": "SELECT * FROM article_variants",
    "article_sources": "SELECT * FROM article_sources",
    "extractions": "SELECT article_id, is_policy, action, scope, event_date, extractor_version"
    " FROM extractions",
    "extraction_places": "SELECT * FROM extraction_places",
    "jurisdictions": "SELECT * FROM jurisdictions",
    "source_files": "SELECT path, size, mtime_ns, sha256, error FROM source_files",
    "articles_fts": "SELECT article_id, title, excerpt, body FROM articles_fts",
    # Kept by triggers, one version step per change of a place's events.
    "place_events": "SELECT * FROM place_events",
    "place_versions": "SELECT * FROM place_versions",
}
ORDERS = {
    "article order": "SELECT id FROM articles ORDER BY rowid",
    "text row order": "SELECT article_id FROM articles_fts ORDER BY rowid",
    # Each article's text row has the article's rowid (migration 015): none that doesn't.
    "misplaced text rows": "SELECT t.rowid, t.article_id FROM articles_fts t"
    " LEFT JOIN articles a ON a.rowid = t.rowid WHERE a.id IS NOT t.article_id"
    " UNION ALL SELECT a.rowid, a.id FROM articles a"
    " WHERE NOT EXISTS (SELECT 1 FROM articles_fts t WHERE t.rowid = a.rowid)",
}


def dump(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    """The ingest tables of a closed database, each sorted."""
    connection = sqlite3.connect(db_path)
    try:
        tables = {
            name: sorted(connection.execute(sql).fetchall(), key=repr)
            for name, sql in TABLES.items()
        }
        tables.update({name: connection.execute(sql).fetchall() for name, sql in ORDERS.items()})
    finally:
        connection.close()
    return tables


@pytest.fixture(scope="module")
def readings() -> dict[tuple[object, ...], object]:
    """Extractions by article text, shared by the tests: each text is read once."""
    return {}


@pytest.fixture(autouse=True)
def remembered_extraction(monkeypatch: pytest.MonkeyPatch, readings: dict) -> None:
    real_extract = ingest_module.extract

    def extract(article):  # type: ignore[no-untyped-def]
        key = (article.id, article.title, article.excerpt, article.body, article.published_at)
        if key not in readings:
            readings[key] = real_extract(article)
        return readings[key]

    monkeypatch.setattr(ingest_module, "extract", extract)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """60 generated files: related items, shared URLs, near-duplicate headlines, bad files."""
    directory = tmp_path / "generated"
    generate(directory, 60, seed=3)
    return directory


def change_corpus(directory: Path) -> None:
    """Edit some files (one into a broken file), touch one, delete one, add one."""
    files = sorted(directory.rglob("*.txt"))
    for path in files[3:40:6]:
        data = path.read_bytes()
        path.write_bytes(data.replace(b"A public hearing", b"A public meeting", 1) + b"\n")
    files[10].write_bytes(b"---\ntitle: [broken edit\n---\n")
    os.utime(files[20], (1_700_000_000, 1_700_000_000))
    files[30].unlink()
    (directory / "extra.md").write_bytes(files[5].read_bytes().replace(b"https://", b"http://"))


async def ingest_into(db_path: Path, corpus: Path) -> list[object]:
    """Ingest, returning every figure of the summary."""
    async with await Store.open(db_path) as store:
        summary = await ingest_corpus(store, corpus)
    return [
        summary.new,
        summary.updated,
        summary.unchanged,
        summary.merged,
        summary.retracted,
        summary.reextracted,
        summary.files_parsed,
        summary.files_skipped,
        summary.rejected,
    ]


@pytest.mark.parametrize(
    ("files", "articles"),
    [(1, 1), (3, 7), (1000, 1000)],
    ids=["file-by-file", "small-batches", "one-batch"],
)
async def test_batched_ingest_writes_what_file_by_file_ingest_writes(
    tmp_path: Path,
    corpus: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: int,
    articles: int,
) -> None:
    """Default batches against another way of writing, on a corpus and after edits to it."""
    ways = {
        "default": (ingest_module.BATCH_FILES, ingest_module.BATCH_ARTICLES),
        "other": (files, articles),
    }

    async def ingest(way: str) -> tuple[list[object], dict[str, list[tuple[object, ...]]]]:
        batch_files, batch_articles = ways[way]
        monkeypatch.setattr(ingest_module, "BATCH_FILES", batch_files)
        monkeypatch.setattr(ingest_module, "BATCH_ARTICLES", batch_articles)
        db = tmp_path / f"{way}.db"
        return await ingest_into(db, corpus), dump(db)

    first = await ingest("default")
    assert first == await ingest("other")
    summary, tables = first
    assert summary[0] and summary[1] and summary[3] and summary[8]  # new, updated, merged, bad
    assert tables["extraction_places"] and tables["jurisdictions"]
    assert tables["misplaced text rows"] == []

    change_corpus(corpus)
    second = await ingest("default")
    assert second == await ingest("other")
    summary, tables = second
    assert summary[1] and summary[4]  # updated and retracted articles
    assert tables != first[1]
    assert tables["misplaced text rows"] == []


async def _snapshot_files(db_path: Path) -> tuple[list[str], int, list[str]]:
    """Recorded paths, article count, and the paths of every article source."""
    tables = dump(db_path)
    paths = sorted(row[0] for row in tables["source_files"])
    sources = sorted({row[1] for row in tables["article_sources"]})
    return paths, len(tables["articles"]), sources


@pytest.mark.parametrize("stop_at", range(1, 11))
async def test_an_ingest_cancelled_midway_leaves_whole_files_and_the_next_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop_at: int
) -> None:
    """Ctrl-C cancels the ingest at its next await: before, while or after a batch is written."""
    monkeypatch.setattr(ingest_module, "BATCH_FILES", 3)
    corpus = tmp_path / "numbered"
    numbered_corpus(corpus, 10)
    db = tmp_path / "cancelled.db"

    async with await Store.open(db) as store:
        with pytest.raises(asyncio.CancelledError):
            await ingest_corpus(store, corpus, progress=cancel_at(stop_at))
    paths, articles, sources = await _snapshot_files(db)
    # Files are written in order and each whole: a prefix of the corpus, 4 articles a file.
    assert [Path(p).name for p in paths] == [f"{n:02d}.md" for n in range(len(paths))]
    assert articles == 4 * len(paths) and sources == paths
    assert len(paths) <= stop_at

    summary = await ingest_into(db, corpus)
    assert summary[7] == len(paths) and len(summary[0]) == 4 * (10 - len(paths))
    await ingest_into(tmp_path / "clean.db", corpus)
    assert dump(db) == dump(tmp_path / "clean.db")


async def test_a_file_failing_midway_through_a_batch_is_rolled_back_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All ten files in one batch; writing the fifth fails at its second article."""
    corpus = tmp_path / "numbered"
    numbered_corpus(corpus, 10)
    db = tmp_path / "failed.db"
    real_add_variants = ArticleStore._add_variants
    calls = 0

    def failing(self, connection, article_id, article_rowid, parsed):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 4 * 4 + 2:
            raise sqlite3.OperationalError("disk I/O error")
        real_add_variants(self, connection, article_id, article_rowid, parsed)

    monkeypatch.setattr(ArticleStore, "_add_variants", failing)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        await ingest_into(db, corpus)
    paths, articles, sources = await _snapshot_files(db)
    assert [Path(p).name for p in paths] == [f"{n:02d}.md" for n in range(4)]
    assert articles == 4 * 4 and sources == paths

    monkeypatch.setattr(ArticleStore, "_add_variants", real_add_variants)
    summary = await ingest_into(db, corpus)
    assert summary[7] == 4 and len(summary[0]) == 6 * 4 and summary[8] == []
    await ingest_into(tmp_path / "clean.db", corpus)
    assert dump(db) == dump(tmp_path / "clean.db")


async def test_a_new_extractor_rereads_stored_articles_a_chunk_at_a_time(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_module, "REEXTRACT_CHUNK", 7)
    db = tmp_path / "reread.db"
    await ingest_into(db, corpus)
    before = dump(db)
    connection = sqlite3.connect(db)
    with connection:
        connection.execute("UPDATE extractions SET extractor_version = 'old'")
        connection.execute("DELETE FROM extraction_places")
    stored = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    connection.close()

    summary = await ingest_into(db, corpus)
    assert summary[5] == stored > 7
    assert summary[6] == 0 and summary[0] == []
    after = dump(db)
    # Versions count every change of a place's events, the ones made here included.
    assert after.pop("place_versions") != before.pop("place_versions")
    assert after == before
    async with await Store.open(db) as store:
        assert await store.articles_needing_extraction(EXTRACTOR_VERSION) == []


def _segments(db_path: Path) -> int:
    connection = sqlite3.connect(db_path)
    try:
        return connection.execute("SELECT count(DISTINCT segid) FROM articles_fts_idx").fetchone()[
            0
        ]
    finally:
        connection.close()


async def test_a_big_ingest_merges_the_text_index_and_searches_find_the_same(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_module, "BATCH_FILES", 1)  # a segment or more per file
    found = {}
    for name, threshold in (("unmerged", 10**9), ("merged", 1)):
        monkeypatch.setattr(ingest_module, "MERGE_TEXT_INDEX_AFTER", threshold)
        db = tmp_path / f"{name}.db"
        async with await Store.open(db) as store:
            summary = await ingest_corpus(store, corpus)
            found[name] = [
                [a.id for a in await store.search_articles(words)]
                for words in ("public hearing", "police", "ban", "council vote", "zzz")
            ]
        assert len(summary.new) > 1
        found[name + " segments"] = _segments(db)
    assert found["unmerged segments"] > 1 and found["merged segments"] == 1
    assert found["merged"] == found["unmerged"] and any(found["merged"])
