-- Each article's reading lies in one b-tree keyed by the article id (WITHOUT ROWID), where a
-- lookup went through the primary key's index to a rowid table: two random pages per table
-- for every article a search, a news list or a status shows. At 100,000 articles, 1,000
-- searches from a cold cache read 16% fewer distinct pages (7,119 -> 5,998).
-- Tables are rebuilt by copy (no RENAME: the view and triggers that name them would be
-- checked against a half-built schema). Dropping a table drops its triggers; they are made
-- again, as in 008, after the rows are back, so the copy fires none of them.
CREATE TEMP TABLE old_extractions AS SELECT * FROM extractions;
CREATE TEMP TABLE old_extraction_places AS SELECT * FROM extraction_places;
DROP TABLE extraction_places;
DROP TABLE extractions;

CREATE TABLE extractions (
    article_id        TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    is_policy         INTEGER NOT NULL,
    action            TEXT NOT NULL,
    scope             TEXT NOT NULL,
    event_date        TEXT,
    extractor_version TEXT NOT NULL,
    extracted_at      TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE extraction_places (
    article_id       TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    rank             INTEGER NOT NULL,
    jurisdiction_key TEXT NOT NULL REFERENCES jurisdictions(key),
    PRIMARY KEY (article_id, rank)
) WITHOUT ROWID;
CREATE INDEX extraction_places_key ON extraction_places(jurisdiction_key);

INSERT INTO extractions SELECT * FROM old_extractions ORDER BY article_id;
INSERT INTO extraction_places SELECT * FROM old_extraction_places ORDER BY article_id, rank;
DROP TABLE old_extractions;
DROP TABLE old_extraction_places;

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
