-- Petitions a guild runs, their signatures, signers' consent and the milestones already posted.

CREATE TABLE petitions (
    id               INTEGER PRIMARY KEY,
    guild_id         TEXT NOT NULL,
    title            TEXT NOT NULL,
    demand           TEXT NOT NULL,
    target           TEXT NOT NULL,
    jurisdiction_key TEXT,
    jurisdiction     TEXT,
    goal             INTEGER NOT NULL CHECK (goal > 0),
    deadline         TEXT,
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    closed_at        TEXT,
    closed_by        TEXT,
    -- Kept in step with the signatures table in the same transaction; survives the retention
    -- purge, which deletes the signatures themselves.
    signature_count  INTEGER NOT NULL DEFAULT 0 CHECK (signature_count >= 0),
    -- {"ward or ZIP": count} frozen when signer details are dropped, so exports keep totals.
    ward_counts      TEXT,
    details_purged_at TEXT
);
CREATE INDEX petitions_guild ON petitions(guild_id, status);
CREATE INDEX petitions_place ON petitions(jurisdiction_key, status);

-- Text edits of a petition, oldest first, shown as its revision history.
CREATE TABLE petition_revisions (
    id          INTEGER PRIMARY KEY,
    petition_id INTEGER NOT NULL REFERENCES petitions(id) ON DELETE CASCADE,
    revised_at  TEXT NOT NULL,
    revised_by  TEXT NOT NULL,
    field       TEXT NOT NULL,
    old_value   TEXT NOT NULL,
    new_value   TEXT NOT NULL
);
CREATE INDEX petition_revisions_petition ON petition_revisions(petition_id, id);

-- One row per signer per petition: the UNIQUE constraint, not a prior SELECT, stops doubles.
CREATE TABLE petition_signatures (
    id          INTEGER PRIMARY KEY,
    petition_id INTEGER NOT NULL REFERENCES petitions(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    public_name TEXT,
    zip         TEXT,
    reason      TEXT,
    signed_at   TEXT NOT NULL,
    UNIQUE (petition_id, user_id)
);
CREATE INDEX petition_signatures_user ON petition_signatures(user_id);

-- That a user read and accepted the signer privacy notice (which version, when). Nothing else.
CREATE TABLE privacy_consents (
    user_id      TEXT PRIMARY KEY,
    version      INTEGER NOT NULL,
    consented_at TEXT NOT NULL
);

-- Milestones already announced (goal-25, goal-50, ..., deadline, closed): each posts once.
CREATE TABLE petition_milestones (
    petition_id INTEGER NOT NULL REFERENCES petitions(id) ON DELETE CASCADE,
    milestone   TEXT NOT NULL,
    reached_at  TEXT NOT NULL,
    PRIMARY KEY (petition_id, milestone)
);

-- Messages where a petition was posted with its Sign button, to keep their counts live.
CREATE TABLE petition_posts (
    petition_id INTEGER NOT NULL REFERENCES petitions(id) ON DELETE CASCADE,
    channel_id  TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    posted_at   TEXT NOT NULL,
    PRIMARY KEY (petition_id, message_id)
);
