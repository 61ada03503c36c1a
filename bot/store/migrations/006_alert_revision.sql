-- What the alerts last saw of moderators' changes (corrections, retractions), so a correction
-- that changes a place's status is alerted once, like a new item would be.
CREATE TABLE alert_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
