-- Issue 18: an ingest's writes, a fourth round. After 020 a full ingest of 100,000 articles
-- still wrote 5x the database, mostly b-trees in which each batch lands on nearly every leaf:
-- the tracker's events clustered by place (each row ~320 bytes, with its headline, URL and
-- provider) and the narrow indexes keyed by the random article id. So:
-- - place_events: a rowid table, appended in arrival order, found through narrow indexes:
--   place_events_timeline (a place's events in timeline order, the old primary key, kept
--   unique), place_events_action (the newest of an action with one seek, the timeline
--   order within it as before) and place_events_article. A status answer reads its dozen
--   rows through the index instead of side by side; the columns and the triggers that keep
--   them are as they were (the place_versions triggers went with the table: made again).
-- - article_variants, article_sources, extraction_places: each row also carries its
--   article's rowid (article_rowid, last), which grows with arrival (articles are never
--   deleted and never vacuumed; the text index's rows already share it, 015), and an
--   article's rows are found and kept unique through an index on it, which an ingest appends
--   to. The article_id column stays, with its foreign key: everything that reads it still
--   can. The view of effective events finds an article's main place by its rowid.
-- - extraction_confidence: one number an article, written with its reading, in a b-tree of
--   its own keyed by the random id; now a column of the reading (extractions.confidence),
--   which is appended. (018 kept it apart so that migrations run again from 015 in the
--   tests could copy extractions with SELECT *; those tests now undo 021 first.)
-- Tables are rebuilt by copy in their rows' order.

CREATE TEMP TABLE old_place_events AS
    SELECT place_key, sort_date, sort_time, article_id, action, scope, event_date, published_at,
           title, url, provider, corrected FROM place_events;
DROP TABLE place_events;
CREATE TABLE place_events (
    place_key    TEXT NOT NULL,
    sort_date    TEXT NOT NULL,
    sort_time    TEXT NOT NULL,
    article_id   TEXT NOT NULL,
    action       TEXT NOT NULL,
    scope        TEXT NOT NULL,
    event_date   TEXT,
    published_at TEXT,
    title        TEXT NOT NULL,
    url          TEXT,
    provider     TEXT,
    corrected    INTEGER NOT NULL
);
-- In the order of their articles' arrival, as an ingest will append them.
INSERT INTO place_events SELECT p.* FROM old_place_events p
    LEFT JOIN articles a ON a.id = p.article_id ORDER BY a.rowid, p.article_id;
DROP TABLE old_place_events;
CREATE UNIQUE INDEX place_events_timeline
    ON place_events(place_key, sort_date, sort_time, article_id);
CREATE INDEX place_events_action
    ON place_events(place_key, action, sort_date, sort_time, article_id);
CREATE UNIQUE INDEX place_events_article ON place_events(article_id);

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

CREATE TEMP TABLE old_article_variants AS
    SELECT v.article_id, v.kind, v.value, v.value_key, a.rowid AS article_rowid
    FROM article_variants v JOIN articles a ON a.id = v.article_id ORDER BY v.rowid;
DROP TABLE article_variants;
CREATE TABLE article_variants (
    article_id    TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('url', 'title')),
    value         TEXT NOT NULL,
    value_key     INTEGER NOT NULL,
    article_rowid INTEGER NOT NULL
);
INSERT INTO article_variants (article_id, kind, value, value_key, article_rowid)
    SELECT article_id, kind, value, value_key, article_rowid FROM old_article_variants
    ORDER BY rowid;
DROP TABLE old_article_variants;
CREATE UNIQUE INDEX article_variants_article ON article_variants(article_rowid, kind, value_key);
CREATE INDEX article_variants_url ON article_variants(value_key) WHERE kind = 'url';

CREATE TEMP TABLE old_article_sources AS
    SELECT s.article_id, s.source_path, s.position, a.rowid AS article_rowid
    FROM article_sources s JOIN articles a ON a.id = s.article_id ORDER BY s.rowid;
DROP TABLE article_sources;
CREATE TABLE article_sources (
    article_id    TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    source_path   TEXT NOT NULL,
    position      INTEGER NOT NULL,
    article_rowid INTEGER NOT NULL
);
INSERT INTO article_sources (article_id, source_path, position, article_rowid)
    SELECT article_id, source_path, position, article_rowid FROM old_article_sources
    ORDER BY rowid;
DROP TABLE old_article_sources;
CREATE UNIQUE INDEX article_sources_file ON article_sources(source_path, position, article_id);
CREATE INDEX article_sources_article ON article_sources(article_rowid);

CREATE TEMP TABLE old_extraction_places AS
    SELECT p.article_id, p.rank, p.jurisdiction_key, a.rowid AS article_rowid
    FROM extraction_places p JOIN articles a ON a.id = p.article_id ORDER BY p.rowid;
DROP TABLE extraction_places;
CREATE TABLE extraction_places (
    article_id       TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    rank             INTEGER NOT NULL,
    jurisdiction_key TEXT NOT NULL REFERENCES jurisdictions(key),
    article_rowid    INTEGER NOT NULL
);
INSERT INTO extraction_places (article_id, rank, jurisdiction_key, article_rowid)
    SELECT article_id, rank, jurisdiction_key, article_rowid FROM old_extraction_places
    ORDER BY rowid;
DROP TABLE old_extraction_places;
CREATE UNIQUE INDEX extraction_places_article ON extraction_places(article_rowid, rank);
CREATE INDEX extraction_places_key ON extraction_places(jurisdiction_key);

-- The main place's triggers (008, 016, 020) went with the table.
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

-- 008's view, but for the main place, found by the article's rowid.
DROP VIEW effective_events;
CREATE VIEW effective_events AS
SELECT place_key,
       coalesce(event_date, substr(published_at, 1, 10), '') AS sort_date,
       coalesce(strftime('%Y-%m-%dT%H:%M:%f', published_at), '') AS sort_time,
       article_id, action, scope, event_date, published_at, title, url, provider, corrected
FROM (
    SELECT a.id AS article_id,
           coalesce(c.jurisdiction_key, (SELECT p.jurisdiction_key FROM extraction_places p
                                         WHERE p.article_rowid = a.rowid AND p.rank = 0)) AS place_key,
           CASE WHEN c.is_policy = 0 THEN 'none'
                ELSE coalesce(nullif(c.action, ''), e.action) END AS action,
           coalesce(c.is_policy, coalesce(nullif(c.action, ''), e.action) != 'none') AS is_policy,
           coalesce(nullif(c.scope, ''), e.scope) AS scope,
           coalesce(nullif(c.event_date, ''), e.event_date) AS event_date,
           a.published_at, a.title, a.url,
           coalesce(nullif(a.provider_name, ''), a.provider_domain) AS provider,
           c.article_id IS NOT NULL AS corrected
    FROM articles a
    JOIN extractions e ON e.article_id = a.id
    LEFT JOIN corrections c ON c.article_id = a.id
    WHERE a.retracted_at IS NULL
)
WHERE is_policy AND place_key IS NOT NULL;

-- The reading's update trigger is set aside while the confidences are copied: a confidence is
-- no part of an event, and each update would work the article's event out again.
ALTER TABLE extractions ADD COLUMN confidence REAL;
DROP TRIGGER place_events_extractions_update;
UPDATE extractions SET confidence = (
    SELECT k.confidence FROM extraction_confidence k WHERE k.article_id = extractions.article_id
);
CREATE TRIGGER place_events_extractions_update AFTER UPDATE ON extractions
BEGIN
    DELETE FROM place_events WHERE article_id = NEW.article_id;
    INSERT INTO place_events SELECT * FROM effective_events WHERE article_id = NEW.article_id;
END;
DROP TABLE extraction_confidence;
