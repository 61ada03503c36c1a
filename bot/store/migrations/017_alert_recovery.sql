-- Alerts that recover: where a subscription was made (its moderators are told there when it
-- breaks or recovers, if the server has no log channel), and the server's log channel.

ALTER TABLE alert_subscriptions ADD COLUMN created_in TEXT;

-- A server's log channel (/config log-channel): where notices for its moderators go. Written
-- exactly as the feeds' migration writes it (IF NOT EXISTS), so either may come first.
CREATE TABLE IF NOT EXISTS guild_log_channels (
    guild_id   TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
