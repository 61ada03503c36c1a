-- Alerts that recover: where a subscription was made. Its moderators are told there when it
-- breaks or works again, if the server has no log channel (/config log-channel, 017).
ALTER TABLE alert_subscriptions ADD COLUMN created_in TEXT;
