-- Charter's first SQLite schema: catalog, object versions, statuses, accounts.
--
-- Every object query names one collection and is ordered by `date_added`,
-- which the writer keeps strictly increasing per collection, so each TAXII
-- filter is a range search on one of the indexes below. The partial indexes
-- serve `match[version]=last` (TAXII's default) and `first` without reading
-- the other versions.

CREATE TABLE api_roots (
    name        TEXT PRIMARY KEY NOT NULL,
    title       TEXT NOT NULL,
    description TEXT
) STRICT;

CREATE TABLE collections (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    api_root    TEXT NOT NULL REFERENCES api_roots (name),
    title       TEXT NOT NULL,
    description TEXT,
    alias       TEXT,
    -- A JSON array of strings.
    media_types TEXT NOT NULL,
    -- The greatest `date_added` ever assigned in this collection (micros),
    -- kept even when that object is deleted so values never repeat.
    last_added  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (api_root, alias)
) STRICT;

CREATE TABLE objects (
    seq          INTEGER PRIMARY KEY,
    collection   INTEGER NOT NULL REFERENCES collections (seq),
    -- Microseconds since the Unix epoch; strictly increasing per collection.
    date_added   INTEGER NOT NULL,
    id           TEXT NOT NULL,
    -- FNV-1a (64 bits) of `id`: the id index holds this, not the text.
    id_hash      INTEGER NOT NULL,
    type         TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    -- Fixed-width `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`: sorts chronologically.
    version_key  TEXT NOT NULL,
    version_text TEXT NOT NULL,
    -- 1 on the earliest / latest version of each (collection, id).
    is_first     INTEGER NOT NULL,
    is_last      INTEGER NOT NULL,
    -- Last, so queries that skip it never copy it.
    raw          TEXT NOT NULL
) STRICT;

-- Small entries, so random ids dirty few pages per commit. A version is
-- stored once per (collection, id, version_key); the writer checks that.
CREATE INDEX objects_id ON objects (collection, id_hash);
CREATE UNIQUE INDEX objects_added ON objects (collection, date_added);
CREATE INDEX objects_type ON objects (collection, type, date_added);
CREATE INDEX objects_last ON objects (collection, date_added) WHERE is_last = 1;
CREATE INDEX objects_type_last ON objects (collection, type, date_added) WHERE is_last = 1;
CREATE INDEX objects_first ON objects (collection, date_added) WHERE is_first = 1;

CREATE TABLE statuses (
    id                TEXT PRIMARY KEY NOT NULL,
    collection        TEXT NOT NULL,
    owner             TEXT NOT NULL,
    request_timestamp INTEGER NOT NULL,
    -- Each a compact JSON array of [id, version, message-or-null].
    successes         TEXT NOT NULL,
    failures          TEXT NOT NULL,
    pendings          TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    username      TEXT PRIMARY KEY NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin      INTEGER NOT NULL,
    disabled      INTEGER NOT NULL
) STRICT;

CREATE TABLE permissions (
    username   TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    collection INTEGER NOT NULL REFERENCES collections (seq),
    can_read   INTEGER NOT NULL,
    can_write  INTEGER NOT NULL,
    PRIMARY KEY (username, collection)
) STRICT, WITHOUT ROWID;
