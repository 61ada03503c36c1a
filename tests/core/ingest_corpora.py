"""Small corpora and helpers shared by the ingest tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

# A database's layout as migration 019 left it (001, 012), for the tests that migrate one:
# undoes 020's tables, keys and indexes, rows kept in their order.
LAYOUT_BEFORE_020 = """
CREATE TEMP TABLE v AS SELECT article_id, kind, value FROM article_variants ORDER BY rowid;
CREATE TEMP TABLE s AS SELECT article_id, source_path, position FROM article_sources ORDER BY rowid;
CREATE TEMP TABLE n AS SELECT article_id, version, note FROM article_notes;
DROP TABLE article_variants; DROP TABLE article_sources; DROP TABLE article_notes;
CREATE TABLE article_sources (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    source_path TEXT NOT NULL, position INTEGER NOT NULL,
    PRIMARY KEY (article_id, source_path, position));
CREATE INDEX article_sources_path ON article_sources(source_path);
CREATE TABLE article_variants (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('url', 'title')), value TEXT NOT NULL,
    PRIMARY KEY (article_id, kind, value));
CREATE INDEX article_variants_value ON article_variants(kind, value);
CREATE TABLE article_notes (
    article_id TEXT PRIMARY KEY, version INTEGER NOT NULL, note TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO article_variants SELECT * FROM v ORDER BY rowid;
INSERT INTO article_sources SELECT * FROM s ORDER BY rowid;
INSERT INTO article_notes SELECT * FROM n;
DROP INDEX articles_canonical_key;
ALTER TABLE articles DROP COLUMN canonical_key;
CREATE UNIQUE INDEX articles_canonical_url ON articles(canonical_url)
    WHERE canonical_url IS NOT NULL;
CREATE INDEX articles_provider ON articles(provider_domain, provider_name);
PRAGMA user_version = 19;
"""


def numbered_corpus(directory: Path, files: int) -> None:
    """``files`` documents of 4 articles each, weeks apart so no headlines merge."""
    directory.mkdir()
    for number in range(files):
        day = f"2021-{number + 1:02d}-01T12:00:00Z"
        related = "".join(
            f'  - title: "Related story {number}-{item}"\n'
            f"    publishedDateTime: {day}\n"
            f'    webUrl: "https://paper{item}.example.com/{number}/{item}/"\n'
            for item in range(3)
        )
        (directory / f"{number:02d}.md").write_text(
            f'---\ntitle: "Story number {number}"\npublishedDateTime: {day}\n'
            f'webUrl: "https://example.com/{number}/"\nrelated:\n{related}---\nBody.\n'
        )


def cancel_at(stop_at: int) -> Callable[[int, int, str], None]:
    """An ingest progress callback that cancels the ingest (as Ctrl-C does) at file ``stop_at``."""

    def progress(number: int, total: int, name: str) -> None:
        if number == stop_at:
            task = asyncio.current_task()
            assert task is not None
            task.cancel()

    return progress
