-- Review: how sure each automatic reading is, which readings people reviewed, reports from
-- other servers, each server's confidence threshold and each subscription's review mode.
-- Tables of their own (IF NOT EXISTS) rather than new columns: migrations may run again over
-- a database that has them (tests re-run migrations from 15), and 016 copies extractions with
-- SELECT *.

-- The extractor's confidence in its reading of an article (0 to 1), written with the reading;
-- no row: not known (read before readings had one).
CREATE TABLE IF NOT EXISTS extraction_confidence (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    confidence REAL NOT NULL
) WITHOUT ROWID;

-- A reviewed reading: its fields are the article's row in corrections, which wins over the
-- automatic reading. state: 'bundled' (the labels shipped in the package's corpus),
-- 'confirmed' (a moderator confirmed the automatic reading) or 'corrected' (a moderator
-- changed it). No row: the reading is automatic.
CREATE TABLE IF NOT EXISTS reviews (
    article_id  TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    state       TEXT NOT NULL CHECK (state IN ('bundled', 'confirmed', 'corrected')),
    reviewed_by TEXT NOT NULL,
    reviewed_at TEXT NOT NULL
) WITHOUT ROWID;

-- A moderator of another server asks the reviewers to look at a reading again.
CREATE TABLE IF NOT EXISTS review_reports (
    id          INTEGER PRIMARY KEY,
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    guild_id    TEXT,
    reporter_id TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    reported_at TEXT NOT NULL,
    resolved_at TEXT
);
CREATE INDEX IF NOT EXISTS review_reports_open ON review_reports(article_id) WHERE resolved_at IS NULL;

-- A server's confidence threshold: automatic readings below it are shown as unconfirmed
-- and held by subscriptions that hold uncertain items. No row: the default.
CREATE TABLE IF NOT EXISTS review_thresholds (
    guild_id   TEXT PRIMARY KEY,
    threshold  REAL NOT NULL CHECK (threshold BETWEEN 0 AND 1),
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- What a subscription posts before review: 'all' (everything at once), 'hold' (confident
-- items at once, the others once confirmed) or 'confirmed' (reviewed items only). No row:
-- 'all', as every subscription made before review existed did.
CREATE TABLE IF NOT EXISTS alert_review_modes (
    subscription_id INTEGER PRIMARY KEY REFERENCES alert_subscriptions(id) ON DELETE CASCADE,
    mode            TEXT NOT NULL CHECK (mode IN ('all', 'hold', 'confirmed'))
);

-- Corrections made before review existed are moderators' reviews too.
INSERT OR IGNORE INTO reviews (article_id, state, reviewed_by, reviewed_at)
    SELECT article_id, 'corrected', corrected_by, corrected_at FROM corrections;
