-- The alerts scan runs every second; at 100,000 articles its checks read the whole articles
-- table (170 ms each time, holding up every command behind them). These keep each check to
-- what changed.

-- The place's version (place_versions) when the alerts last worked out its status: a scan
-- re-derives only the places whose events changed since, not every place on every scan.
-- Rows from before this migration have none, so their places are worked out once more.
ALTER TABLE alert_place_status ADD COLUMN version INTEGER;

-- The tracker revision counts retracted articles: from this index, not the table.
CREATE INDEX articles_retracted ON articles(retracted_at) WHERE retracted_at IS NOT NULL;
