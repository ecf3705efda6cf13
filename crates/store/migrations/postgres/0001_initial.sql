-- Charter's first PostgreSQL schema: catalog, object versions, statuses,
-- accounts. The same tables as SQLite's 0001, in PostgreSQL's types.
--
-- Every text column uses the "C" collation, so comparisons and ORDER BY are
-- by bytes, exactly as in SQLite, whatever the database's default locale;
-- version keys sort chronologically only under a byte order.
--
-- Every object query names one collection and is ordered by `date_added`,
-- which writers keep strictly increasing per collection (they hold the
-- collection's row lock, see `postgres::objects`), so each TAXII filter is a
-- range search on one of the indexes below.

CREATE TABLE api_roots (
    name        text COLLATE "C" PRIMARY KEY,
    title       text COLLATE "C" NOT NULL,
    description text COLLATE "C"
);

CREATE TABLE collections (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          text COLLATE "C" NOT NULL UNIQUE,
    api_root    text COLLATE "C" NOT NULL REFERENCES api_roots (name),
    title       text COLLATE "C" NOT NULL,
    description text COLLATE "C",
    alias       text COLLATE "C",
    media_types text[] COLLATE "C" NOT NULL,
    -- The greatest `date_added` ever assigned in this collection (micros),
    -- kept even when that object is deleted so values never repeat. Its row
    -- lock serialises the writers of the collection.
    last_added  bigint NOT NULL DEFAULT 0,
    UNIQUE (api_root, alias)
);

CREATE TABLE objects (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    collection   bigint NOT NULL REFERENCES collections (seq),
    -- Microseconds since the Unix epoch; strictly increasing per collection.
    date_added   bigint NOT NULL,
    id           text COLLATE "C" NOT NULL,
    type         text COLLATE "C" NOT NULL,
    spec_version text COLLATE "C" NOT NULL,
    -- Fixed-width `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`: sorts chronologically.
    version_key  text COLLATE "C" NOT NULL,
    version_text text COLLATE "C" NOT NULL,
    -- The earliest / latest version of each (collection, id).
    is_first     boolean NOT NULL,
    is_last      boolean NOT NULL,
    raw          text COLLATE "C" NOT NULL
);

-- A version is stored once per (collection, id, version_key); this index
-- also finds every version of an id, in any collection.
CREATE UNIQUE INDEX objects_id ON objects (id, collection, version_key);
CREATE UNIQUE INDEX objects_added ON objects (collection, date_added);
CREATE INDEX objects_type ON objects (collection, type, date_added);
CREATE INDEX objects_last ON objects (collection, date_added) WHERE is_last;
CREATE INDEX objects_type_last ON objects (collection, type, date_added) WHERE is_last;
CREATE INDEX objects_first ON objects (collection, date_added) WHERE is_first;

CREATE TABLE statuses (
    id                text COLLATE "C" PRIMARY KEY,
    collection        text COLLATE "C" NOT NULL,
    owner             text COLLATE "C" NOT NULL,
    request_timestamp bigint NOT NULL,
    -- Each a compact JSON array of [id, version, message-or-null].
    successes         text COLLATE "C" NOT NULL,
    failures          text COLLATE "C" NOT NULL,
    pendings          text COLLATE "C" NOT NULL
);

CREATE TABLE users (
    username      text COLLATE "C" PRIMARY KEY,
    password_hash text COLLATE "C" NOT NULL,
    is_admin      boolean NOT NULL,
    disabled      boolean NOT NULL
);

CREATE TABLE permissions (
    username   text COLLATE "C" NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    collection bigint NOT NULL REFERENCES collections (seq),
    can_read   boolean NOT NULL,
    can_write  boolean NOT NULL,
    PRIMARY KEY (username, collection)
);
