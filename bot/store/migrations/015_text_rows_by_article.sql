-- Each article's text row has the article's own rowid. A search looks its best matches up
-- in `articles` by rowid, where it read each from the index's content table first (a row
-- holding the whole text, from a random page) to learn its article id; and an updated
-- article's text row is found by rowid, where the write path kept every (article id, text
-- rowid) pair of the corpus in memory (~15 MB at 100,000 articles) or scanned for it.
-- Articles are never deleted, so their rowids never change. An article with more than one
-- text row (possible before) keeps its latest.
CREATE VIRTUAL TABLE articles_text USING fts5(
    article_id UNINDEXED, title, excerpt, body, tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO articles_text (rowid, article_id, title, excerpt, body)
    SELECT a.rowid, t.article_id, t.title, t.excerpt, t.body
    FROM (SELECT article_id, max(rowid) AS text_rowid FROM articles_fts GROUP BY article_id) latest
    JOIN articles a ON a.id = latest.article_id
    JOIN articles_fts t ON t.rowid = latest.text_rowid
    ORDER BY a.rowid;
DROP TABLE articles_fts;
ALTER TABLE articles_text RENAME TO articles_fts;
-- One b-tree for the index, as a big ingest leaves it (bot/ingest.py MERGE_TEXT_INDEX_AFTER).
INSERT INTO articles_fts (articles_fts) VALUES ('optimize');
