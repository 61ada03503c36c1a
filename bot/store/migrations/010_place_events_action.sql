-- A status answer reads the newest event of each deciding action (a ban, a moratorium, a
-- repeal...) of one place: with this index each is one seek, however many events the
-- place has. (The table is WITHOUT ROWID: the index also holds the primary key, so rows
-- come out in timeline order within an action.)
CREATE INDEX place_events_action ON place_events(place_key, action);
