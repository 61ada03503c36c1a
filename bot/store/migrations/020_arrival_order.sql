-- Issue 18: an ingest's writes. A table keyed by the random article id takes each new
-- article's rows on a random leaf, so a batch of 2,000 articles dirtied nearly every leaf of
-- every such table, and each commit wrote them all again (13x the final database at 100,000
-- articles). These tables now keep their rows in arrival order (rowid: an ingest appends to
-- the last leaf) and find an article's rows through a narrow index (the 10-character id and
-- a rowid, against a whole row), which has far fewer leaves for a batch to dirty. Every
-- uniqueness the old keys gave is kept by a UNIQUE index.
-- - article_variants: its primary key (article_id, kind, value) copied every URL and
--   headline into a second b-tree keyed by article, and the (kind, value) index a third time,
--   headlines included, though only URLs are ever looked up by value. Now each row carries
--   its value's 64-bit hash (value_key, ~9 bytes where a URL is ~120): an article's variants
--   are unique by (article_id, kind, value_key), and URLs are looked up by their key. Two
--   values of one article and kind with the same 64-bit hash would be kept once (about one
--   chance in 10^18 a pair); a duplicate is never kept.
-- - article_sources: its primary key (article_id, source_path, position) is now a unique
--   index in file order (source_path, position, article_id), which also serves the look-ups
--   by file the path index served (and, files being read in path order, takes an ingest's
--   rows at its end); an article's sources are found through a narrow index.
-- - article_notes: a note (~200 bytes) on a random leaf; now appended, unique by article.
-- - articles: the unique index of canonical URLs (~120 bytes an entry) becomes a unique index
--   of their 64-bit hash (canonical_key; the same-story check compares the URL itself). Two
--   different canonical URLs with the same hash (about one chance in 10^9 at 100,000
--   articles) could not both be stored: the second file would be refused. The
--   (provider_domain, provider_name) index goes: no query has read it since 009's indexes.
-- - extractions and extraction_places: 016 made them WITHOUT ROWID, one b-tree keyed by
--   article (a search read 16% fewer pages from a cold cache); each new reading then landed
--   on a random leaf of a ~100-byte-a-row b-tree. Now appended, unique by article (and
--   rank) through a narrow index: a look-up reads one more page per table, in exchange.
-- Tables are rebuilt by copy in arrival order (their old rowid order, or their articles').
-- value_key() is bot.store._base.value_key, which the store registers on its connection.
-- The readings' triggers (008, 016) are made again after the rows are back, as in 016; the
-- other tables have none, and no view names them.

CREATE TEMP TABLE old_article_variants AS
    SELECT article_id, kind, value FROM article_variants ORDER BY rowid;
DROP TABLE article_variants;
CREATE TABLE article_variants (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('url', 'title')),
    value      TEXT NOT NULL,
    value_key  INTEGER NOT NULL
);
INSERT INTO article_variants (article_id, kind, value, value_key)
    SELECT article_id, kind, value, value_key(value) FROM old_article_variants ORDER BY rowid;
DROP TABLE old_article_variants;
CREATE UNIQUE INDEX article_variants_article ON article_variants(article_id, kind, value_key);
CREATE INDEX article_variants_url ON article_variants(value_key) WHERE kind = 'url';

CREATE TEMP TABLE old_article_sources AS
    SELECT article_id, source_path, position FROM article_sources ORDER BY rowid;
DROP TABLE article_sources;
CREATE TABLE article_sources (
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    source_path TEXT NOT NULL,
    position    INTEGER NOT NULL
);
INSERT INTO article_sources (article_id, source_path, position)
    SELECT article_id, source_path, position FROM old_article_sources ORDER BY rowid;
DROP TABLE old_article_sources;
CREATE UNIQUE INDEX article_sources_file ON article_sources(source_path, position, article_id);
CREATE INDEX article_sources_article ON article_sources(article_id);

CREATE TEMP TABLE old_article_notes AS SELECT article_id, version, note FROM article_notes;
DROP TABLE article_notes;
CREATE TABLE article_notes (
    article_id TEXT NOT NULL,
    version    INTEGER NOT NULL,
    note       TEXT NOT NULL
);
-- The notes had no arrival order of their own (keyed by id): the articles' is theirs.
INSERT INTO article_notes (article_id, version, note)
    SELECT n.article_id, n.version, n.note FROM old_article_notes n
    LEFT JOIN articles a ON a.id = n.article_id ORDER BY a.rowid, n.article_id;
DROP TABLE old_article_notes;
CREATE UNIQUE INDEX article_notes_article ON article_notes(article_id);

ALTER TABLE articles ADD COLUMN canonical_key INTEGER;
UPDATE articles SET canonical_key = value_key(canonical_url) WHERE canonical_url IS NOT NULL;
DROP INDEX IF EXISTS articles_canonical_url;
CREATE UNIQUE INDEX articles_canonical_key ON articles(canonical_key)
    WHERE canonical_key IS NOT NULL;
DROP INDEX IF EXISTS articles_provider;

CREATE TEMP TABLE old_extractions AS SELECT * FROM extractions;
CREATE TEMP TABLE old_extraction_places AS SELECT * FROM extraction_places;
DROP TABLE extraction_places;
DROP TABLE extractions;

CREATE TABLE extractions (
    article_id        TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    is_policy         INTEGER NOT NULL,
    action            TEXT NOT NULL,
    scope             TEXT NOT NULL,
    event_date        TEXT,
    extractor_version TEXT NOT NULL,
    extracted_at      TEXT NOT NULL
);
CREATE TABLE extraction_places (
    article_id       TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    rank             INTEGER NOT NULL,
    jurisdiction_key TEXT NOT NULL REFERENCES jurisdictions(key)
);

INSERT INTO extractions SELECT e.* FROM old_extractions e
    LEFT JOIN articles a ON a.id = e.article_id ORDER BY a.rowid, e.article_id;
INSERT INTO extraction_places SELECT p.* FROM old_extraction_places p
    LEFT JOIN articles a ON a.id = p.article_id ORDER BY a.rowid, p.article_id, p.rank;
DROP TABLE old_extractions;
DROP TABLE old_extraction_places;
CREATE UNIQUE INDEX extractions_article ON extractions(article_id);
CREATE UNIQUE INDEX extraction_places_article ON extraction_places(article_id, rank);
CREATE INDEX extraction_places_key ON extraction_places(jurisdiction_key);

CREATE TRIGGER place_events_extractions_insert AFTER INSERT ON extractions
BEGIN
    DELETE FROM place_events WHERE article_id = NEW.article_id;
    INSERT INTO place_events SELECT * FROM effective_events WHERE article_id = NEW.article_id;
END;

CREATE TRIGGER place_events_extractions_update AFTER UPDATE ON extractions
BEGIN
    DELETE FROM place_events WHERE article_id = NEW.article_id;
    INSERT INTO place_events SELECT * FROM effective_events WHERE article_id = NEW.article_id;
END;

CREATE TRIGGER place_events_extractions_delete AFTER DELETE ON extractions
BEGIN
    DELETE FROM place_events WHERE article_id = OLD.article_id;
    INSERT INTO place_events SELECT * FROM effective_events WHERE article_id = OLD.article_id;
END;

CREATE TRIGGER place_events_main_place_insert AFTER INSERT ON extraction_places WHEN NEW.rank = 0
BEGIN
    DELETE FROM place_events WHERE article_id = NEW.article_id;
    INSERT INTO place_events SELECT * FROM effective_events WHERE article_id = NEW.article_id;
END;

CREATE TRIGGER place_events_main_place_update AFTER UPDATE ON extraction_places WHEN NEW.rank = 0 OR OLD.rank = 0
BEGIN
    DELETE FROM place_events WHERE article_id = NEW.article_id;
    INSERT INTO place_events SELECT * FROM effective_events WHERE article_id = NEW.article_id;
END;

CREATE TRIGGER place_events_main_place_delete AFTER DELETE ON extraction_places WHEN OLD.rank = 0
BEGIN
    DELETE FROM place_events WHERE article_id = OLD.article_id;
    INSERT INTO place_events SELECT * FROM effective_events WHERE article_id = OLD.article_id;
END;
