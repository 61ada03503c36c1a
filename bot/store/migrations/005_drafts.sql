-- Articles a moderator filled in with /article add but has not yet published or cancelled.
-- Kept here (not in the bot's memory) so the Publish button still works after a restart.
CREATE TABLE article_drafts (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL,
    guild_id   TEXT,
    fields     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
