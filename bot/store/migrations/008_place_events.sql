-- The tracker's events, one row per policy item, kept by triggers: a status answer reads one
-- place's rows side by side (clustered by place, in timeline order) instead of four tables
-- row by row, and
-- every way an article changes (ingest, re-extraction, correction, retraction) keeps it true.

-- An article's effective reading as an event (TAXONOMY: a moderator's correction wins over
-- the extractor); the same rules as the store's full reading of an article.
CREATE VIEW effective_events AS
SELECT place_key,
       -- The timeline's order (bot.tracker.chronological): the event's date, else the day
       -- it was published; then the publication time in UTC; then the id ('' sorts first,
       -- as undated events do).
       coalesce(event_date, substr(published_at, 1, 10), '') AS sort_date,
       coalesce(strftime('%Y-%m-%dT%H:%M:%f', published_at), '') AS sort_time,
       article_id, action, scope, event_date, published_at, title, url, provider, corrected
FROM (
    SELECT a.id AS article_id,
           coalesce(c.jurisdiction_key, (SELECT p.jurisdiction_key FROM extraction_places p
                                         WHERE p.article_id = a.id AND p.rank = 0)) AS place_key,
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
    corrected    INTEGER NOT NULL,
    -- A place's events lie side by side in timeline order: read in order, never sorted.
    PRIMARY KEY (place_key, sort_date, sort_time, article_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX place_events_article ON place_events(article_id);

INSERT INTO place_events SELECT * FROM effective_events;

-- A number that changes whenever a place's events do (from any process), so an answer
-- derived from them can be kept until then.
CREATE TABLE place_versions (
    place_key TEXT PRIMARY KEY,
    version   INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO place_versions SELECT place_key, 1 FROM place_events GROUP BY place_key;

CREATE TRIGGER place_versions_insert AFTER INSERT ON place_events
BEGIN
    INSERT INTO place_versions (place_key, version) VALUES (NEW.place_key, 1)
        ON CONFLICT (place_key) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER place_versions_delete AFTER DELETE ON place_events
BEGIN
    UPDATE place_versions SET version = version + 1 WHERE place_key = OLD.place_key;
END;

CREATE TRIGGER place_events_article_update AFTER UPDATE OF retracted_at, title, excerpt, body, url, provider_name, provider_domain,
    published_at ON articles
BEGIN
    DELETE FROM place_events WHERE article_id = NEW.id;
    INSERT INTO place_events SELECT * FROM effective_events WHERE article_id = NEW.id;
END;

CREATE TRIGGER place_events_article_delete AFTER DELETE ON articles
BEGIN
    DELETE FROM place_events WHERE article_id = OLD.id;
END;

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

CREATE TRIGGER place_events_corrections_insert AFTER INSERT ON corrections
BEGIN
    DELETE FROM place_events WHERE article_id = NEW.article_id;
    INSERT INTO place_events SELECT * FROM effective_events WHERE article_id = NEW.article_id;
END;

CREATE TRIGGER place_events_corrections_update AFTER UPDATE ON corrections
BEGIN
    DELETE FROM place_events WHERE article_id = NEW.article_id;
    INSERT INTO place_events SELECT * FROM effective_events WHERE article_id = NEW.article_id;
END;

CREATE TRIGGER place_events_corrections_delete AFTER DELETE ON corrections
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
