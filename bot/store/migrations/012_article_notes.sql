-- The short summary a status answer shows beside each policy item (bot.summary.event_note),
-- worked out when the item is stored instead of on every first question: a status answer
-- then reads a few small rows, not article bodies, and does no summarising (up to 7 ms of
-- reads and 6 ms of work at 100,000 articles). ``version`` is bot.summary.NOTE_VERSION when
-- written; a note of another version, or none, is worked out when asked for, as before.
CREATE TABLE article_notes (
    article_id TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    note       TEXT NOT NULL
) WITHOUT ROWID;

-- A changed text makes its note stale, whatever path changed it.
CREATE TRIGGER article_notes_text_update AFTER UPDATE OF title, excerpt, body ON articles
BEGIN
    DELETE FROM article_notes WHERE article_id = NEW.id;
END;

CREATE TRIGGER article_notes_article_delete AFTER DELETE ON articles
BEGIN
    DELETE FROM article_notes WHERE article_id = OLD.id;
END;
