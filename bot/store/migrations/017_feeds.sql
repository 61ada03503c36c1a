-- News feeds (RSS/Atom) the home server's moderators added, with each one's health and the
-- validators of its last answer (ETag, Last-Modified) for conditional requests.
CREATE TABLE IF NOT EXISTS feeds (
    id               INTEGER PRIMARY KEY,
    url              TEXT NOT NULL UNIQUE,
    title            TEXT,
    interval_seconds INTEGER NOT NULL,
    added_by         TEXT NOT NULL,
    added_at         TEXT NOT NULL,
    guild_id         TEXT,
    channel_id       TEXT,
    etag             TEXT,
    last_modified    TEXT,
    -- Unix time of the next poll: the poller's schedule, not a date shown to anyone.
    next_poll_at     REAL NOT NULL,
    last_polled_at   TEXT,
    last_success_at  TEXT,
    last_error_at    TEXT,
    last_error       TEXT,
    last_result      TEXT,
    failures         INTEGER NOT NULL DEFAULT 0,
    failing_since    TEXT,
    items_taken      INTEGER NOT NULL DEFAULT 0,
    items_skipped    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS feeds_due ON feeds(next_poll_at);

-- Every entry a feed showed, once: taken into the corpus (article_id), or skipped and why.
-- Skipped entries are forgotten after 30 days; taken ones are kept.
CREATE TABLE IF NOT EXISTS feed_entries (
    feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    entry_key     TEXT NOT NULL,
    link          TEXT,
    canonical_url TEXT,
    title         TEXT NOT NULL,
    seen_at       TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('taken', 'skipped')),
    reason        TEXT NOT NULL DEFAULT '',
    article_id    TEXT REFERENCES articles(id) ON DELETE SET NULL,
    PRIMARY KEY (feed_id, entry_key)
);
CREATE INDEX IF NOT EXISTS feed_entries_url ON feed_entries(canonical_url);
CREATE INDEX IF NOT EXISTS feed_entries_seen ON feed_entries(outcome, seen_at);

-- A server's log channel (/config log-channel): where notices for its moderators go. A table
-- of its own rather than a column of guild_settings, so that this migration can run again
-- over a database that has it (every statement here is IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS guild_log_channels (
    guild_id   TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Notices for a server's moderators (a feed failing or recovered), posted once to its log
-- channel. guild_id NULL means the bot's home server. ``key`` makes queuing idempotent.
CREATE TABLE IF NOT EXISTS log_notices (
    id              INTEGER PRIMARY KEY,
    guild_id        TEXT,
    key             TEXT NOT NULL,
    text            TEXT NOT NULL,
    fallback_channel_id TEXT,
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    sent_at         TEXT,
    channel_id      TEXT,
    message_id      TEXT,
    error           TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS log_notices_key ON log_notices(coalesce(guild_id, ''), key);
CREATE INDEX IF NOT EXISTS log_notices_pending ON log_notices(next_attempt_at) WHERE sent_at IS NULL;
