-- Facts about the store as a whole. 'notes_version': the NOTE_VERSION every tracked policy
-- item has a note of, so an ingest looks for items without one (a scan of every event: 6 s
-- when its pages come from the disk) only after an upgrade, not on every corpus re-scan.
CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
