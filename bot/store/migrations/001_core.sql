-- The coverage corpus, extraction results, corrections and the jurisdictions they name.

CREATE TABLE source_files (
    path        TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    error       TEXT
);

CREATE TABLE articles (
    id              TEXT PRIMARY KEY,
    title           TEXT NOT NULL,
    excerpt         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    url             TEXT,
    canonical_url   TEXT,
    published_at    TEXT,
    provider_name   TEXT,
    provider_domain TEXT,
    parent_id       TEXT REFERENCES articles(id) ON DELETE SET NULL,
    origin          TEXT NOT NULL DEFAULT 'corpus',
    content_hash    TEXT NOT NULL,
    retracted_at    TEXT,
    retracted_reason TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX articles_canonical_url ON articles(canonical_url) WHERE canonical_url IS NOT NULL;
CREATE INDEX articles_published ON articles(published_at);
CREATE INDEX articles_provider ON articles(provider_domain, provider_name);

-- Which corpus file (and position in it) an article was read from; an article can have several.
CREATE TABLE article_sources (
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    source_path TEXT NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (article_id, source_path, position)
);
CREATE INDEX article_sources_path ON article_sources(source_path);

-- Other URLs and headlines under which the same story arrived.
CREATE TABLE article_variants (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('url', 'title')),
    value      TEXT NOT NULL,
    PRIMARY KEY (article_id, kind, value)
);
CREATE INDEX article_variants_value ON article_variants(kind, value);

CREATE TABLE jurisdictions (
    key     TEXT PRIMARY KEY,
    level   TEXT NOT NULL,
    name    TEXT NOT NULL,
    state   TEXT,
    country TEXT
);
CREATE INDEX jurisdictions_name ON jurisdictions(name COLLATE NOCASE);

-- The automatic reading of an article; rewritten whenever the extractor changes.
CREATE TABLE extractions (
    article_id        TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    is_policy         INTEGER NOT NULL,
    action            TEXT NOT NULL,
    scope             TEXT NOT NULL,
    event_date        TEXT,
    extractor_version TEXT NOT NULL,
    extracted_at      TEXT NOT NULL
);

CREATE TABLE extraction_places (
    article_id       TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    rank             INTEGER NOT NULL,
    jurisdiction_key TEXT NOT NULL REFERENCES jurisdictions(key),
    PRIMARY KEY (article_id, rank)
);
CREATE INDEX extraction_places_key ON extraction_places(jurisdiction_key);

-- A moderator's reading; every non-null field wins over the automatic one and survives re-ingest.
CREATE TABLE corrections (
    article_id       TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    is_policy        INTEGER,
    action           TEXT,
    scope            TEXT,
    event_date       TEXT,
    jurisdiction_key TEXT REFERENCES jurisdictions(key),
    corrected_by     TEXT NOT NULL,
    corrected_at     TEXT NOT NULL,
    note             TEXT
);

CREATE VIRTUAL TABLE articles_fts USING fts5(
    article_id UNINDEXED, title, excerpt, body, tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Who did what, for every moderator action.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    guild_id    TEXT,
    actor_id    TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT,
    detail      TEXT
);
CREATE INDEX audit_log_guild ON audit_log(guild_id, at);
