"""Small corpora and helpers shared by the ingest tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.store._base import _split_sql, migrations

# The tracker's view of an article's reading as migration 008 made it (021 makes it again).
_VIEW_008 = next(
    statement
    for version, _, sql in migrations()
    if version == 8
    for statement in _split_sql(sql)
    if "CREATE VIEW effective_events" in statement
)

# A database's layout as migration 020 left it, for the tests that migrate one: undoes 021
# (the tracker's events clustered by place again; variants, sources and places keyed by the
# article's text id; the confidences in a table of their own), rows kept in their order.
LAYOUT_BEFORE_021 = """
CREATE TEMP TABLE events_021 AS SELECT place_key, sort_date, sort_time, article_id, action, scope,
    event_date, published_at, title, url, provider, corrected FROM place_events;
DROP TABLE place_events;
CREATE TABLE place_events (
    place_key TEXT NOT NULL, sort_date TEXT NOT NULL, sort_time TEXT NOT NULL,
    article_id TEXT NOT NULL, action TEXT NOT NULL, scope TEXT NOT NULL, event_date TEXT,
    published_at TEXT, title TEXT NOT NULL, url TEXT, provider TEXT, corrected INTEGER NOT NULL,
    PRIMARY KEY (place_key, sort_date, sort_time, article_id)) WITHOUT ROWID;
INSERT INTO place_events SELECT * FROM events_021;
CREATE UNIQUE INDEX place_events_article ON place_events(article_id);
CREATE INDEX place_events_action ON place_events(place_key, action);
CREATE TRIGGER place_versions_insert AFTER INSERT ON place_events
BEGIN
    INSERT INTO place_versions (place_key, version, events) VALUES (NEW.place_key, 1, 1)
        ON CONFLICT (place_key) DO UPDATE SET version = version + 1, events = events + 1;
END;
CREATE TRIGGER place_versions_delete AFTER DELETE ON place_events
BEGIN
    UPDATE place_versions SET version = version + 1, events = events - 1
        WHERE place_key = OLD.place_key;
END;
CREATE TEMP TABLE variants_021 AS SELECT article_id, kind, value, value_key FROM article_variants
    ORDER BY rowid;
CREATE TEMP TABLE sources_021 AS SELECT article_id, source_path, position FROM article_sources
    ORDER BY rowid;
CREATE TEMP TABLE places_021 AS SELECT article_id, rank, jurisdiction_key FROM extraction_places
    ORDER BY rowid;
DROP TABLE article_variants; DROP TABLE article_sources; DROP TABLE extraction_places;
CREATE TABLE article_variants (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('url', 'title')), value TEXT NOT NULL,
    value_key INTEGER NOT NULL);
CREATE TABLE article_sources (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    source_path TEXT NOT NULL, position INTEGER NOT NULL);
CREATE TABLE extraction_places (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    rank INTEGER NOT NULL, jurisdiction_key TEXT NOT NULL REFERENCES jurisdictions(key));
INSERT INTO article_variants SELECT * FROM variants_021 ORDER BY rowid;
INSERT INTO article_sources SELECT * FROM sources_021 ORDER BY rowid;
INSERT INTO extraction_places SELECT * FROM places_021 ORDER BY rowid;
CREATE UNIQUE INDEX article_variants_article ON article_variants(article_id, kind, value_key);
CREATE INDEX article_variants_url ON article_variants(value_key) WHERE kind = 'url';
CREATE UNIQUE INDEX article_sources_file ON article_sources(source_path, position, article_id);
CREATE INDEX article_sources_article ON article_sources(article_id);
CREATE UNIQUE INDEX extraction_places_article ON extraction_places(article_id, rank);
CREATE INDEX extraction_places_key ON extraction_places(jurisdiction_key);
CREATE TRIGGER place_events_main_place_insert AFTER INSERT ON extraction_places WHEN NEW.rank = 0
BEGIN
    DELETE FROM place_events WHERE article_id = NEW.article_id;
    INSERT INTO place_events SELECT * FROM effective_events WHERE article_id = NEW.article_id;
END;
CREATE TRIGGER place_events_main_place_update AFTER UPDATE ON extraction_places
    WHEN NEW.rank = 0 OR OLD.rank = 0
BEGIN
    DELETE FROM place_events WHERE article_id = NEW.article_id;
    INSERT INTO place_events SELECT * FROM effective_events WHERE article_id = NEW.article_id;
END;
CREATE TRIGGER place_events_main_place_delete AFTER DELETE ON extraction_places
    WHEN OLD.rank = 0
BEGIN
    DELETE FROM place_events WHERE article_id = OLD.article_id;
    INSERT INTO place_events SELECT * FROM effective_events WHERE article_id = OLD.article_id;
END;
DROP VIEW effective_events;
{view}
CREATE TABLE extraction_confidence (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    confidence REAL NOT NULL) WITHOUT ROWID;
INSERT INTO extraction_confidence
    SELECT article_id, confidence FROM extractions WHERE confidence IS NOT NULL;
ALTER TABLE extractions DROP COLUMN confidence;
DROP TABLE events_021; DROP TABLE variants_021; DROP TABLE sources_021; DROP TABLE places_021;
PRAGMA user_version = 20;
""".replace("{view}", _VIEW_008)

# A database's layout as migration 019 left it (001, 012), for the tests that migrate one:
# undoes 021, then 020's tables, keys and indexes, rows kept in their order.
LAYOUT_BEFORE_020 = (
    LAYOUT_BEFORE_021
    + """
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
)


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
