-- Channel alerts: subscriptions, per-guild pause, the outbox and what the alerts have seen.

-- One moderator's request: post matching items (or status changes, or a daily digest) here.
CREATE TABLE alert_subscriptions (
    id            INTEGER PRIMARY KEY,
    guild_id      TEXT NOT NULL,
    channel_id    TEXT NOT NULL,
    channel_kind  TEXT NOT NULL DEFAULT 'text'
                  CHECK (channel_kind IN ('text', 'announcement', 'forum')),
    place_key     TEXT,
    state         TEXT,
    country       TEXT,
    actions       TEXT NOT NULL DEFAULT '',   -- comma-separated taxonomy actions; '' = any
    keywords      TEXT NOT NULL DEFAULT '',   -- comma-separated, any of them; '' = none needed
    mode          TEXT NOT NULL DEFAULT 'item' CHECK (mode IN ('item', 'status', 'digest')),
    digest_hour   INTEGER CHECK (digest_hour IS NULL OR digest_hour BETWEEN 0 AND 23),
    role_id       TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    -- It starts from now: articles with a rowid up to this one were there before it.
    last_article_rowid INTEGER NOT NULL DEFAULT 0,
    broken_at     TEXT,
    broken_reason TEXT,
    removed_at    TEXT
);
CREATE INDEX alert_subscriptions_guild ON alert_subscriptions(guild_id, removed_at);

-- Guilds whose alerts a moderator paused.
CREATE TABLE alert_guilds (
    guild_id  TEXT PRIMARY KEY,
    paused_at TEXT,
    paused_by TEXT
);

-- One row per (subject, subscription): why it was or was not posted, and the post itself.
-- subject: an article id (item), 'place_key|before|after|article_id' (status), a date (digest)
-- or the caller's key (notice). state: filtered, before_subscription, duplicate, paused,
-- held (for a digest), digested, queued, delivered, failed.
CREATE TABLE alert_outbox (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES alert_subscriptions(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('item', 'status', 'digest', 'notice')),
    subject         TEXT NOT NULL,
    article_id      TEXT,
    state           TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '',
    payload         TEXT,
    nonce           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    message_id      TEXT,
    folded_into     INTEGER REFERENCES alert_outbox(id),
    needs_edit      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (subscription_id, kind, subject)
);
CREATE INDEX alert_outbox_due ON alert_outbox(state, next_attempt_at);
CREATE INDEX alert_outbox_article ON alert_outbox(article_id);

-- Articles the alerts have already matched against the subscriptions.
CREATE TABLE alert_items (
    article_id   TEXT PRIMARY KEY,
    processed_at TEXT NOT NULL
);

-- The status of each place as the alerts last saw it, to detect changes.
CREATE TABLE alert_place_status (
    place_key  TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
