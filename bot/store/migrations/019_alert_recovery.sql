-- Alerts that recover: the channel each subscription was made in. Its moderators are told
-- there when it breaks or works again, if the server has no log channel (017). A table of
-- its own, not a column, so that this migration can run again over a database that has it.
CREATE TABLE IF NOT EXISTS alert_subscription_origins (
    subscription_id INTEGER PRIMARY KEY REFERENCES alert_subscriptions(id) ON DELETE CASCADE,
    channel_id      TEXT NOT NULL
);
