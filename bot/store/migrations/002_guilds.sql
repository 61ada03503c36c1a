-- Per-guild settings chosen by the guild's managers.
CREATE TABLE guild_settings (
    guild_id          TEXT PRIMARY KEY,
    moderator_role_id TEXT,
    updated_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

-- The hash of the application-command tree last synced to Discord, per scope
-- ('global' or a guild id), so the bot syncs only when its commands changed.
CREATE TABLE command_syncs (
    scope     TEXT PRIMARY KEY,
    tree_hash TEXT NOT NULL,
    synced_at TEXT NOT NULL
);
