-- Warning-list flags: the names of the MISP warning lists the values of an
-- object version are on, computed by the hub when the version is stored and
-- again when the configured lists change. The same records as SQLite's 0004.
--
-- As with originals, a flag belongs to exactly one stored version, is keyed
-- by what a read knows of the version, and goes with it when it is deleted;
-- unflagged versions (nearly all) have no row.

CREATE TABLE warnings (
    collection  bigint NOT NULL,
    id          text COLLATE "C" NOT NULL,
    version_key text COLLATE "C" NOT NULL,
    object      bigint NOT NULL REFERENCES objects (seq) ON DELETE CASCADE,
    -- List names, sorted, never empty.
    lists       text[] COLLATE "C" NOT NULL,
    PRIMARY KEY (collection, id, version_key)
);

CREATE INDEX warnings_object ON warnings (object);

-- The fingerprint of the lists the flags were computed with. No row: no
-- flags were ever computed with any lists.
CREATE TABLE warning_lists (
    singleton   integer PRIMARY KEY CHECK (singleton = 1),
    fingerprint text COLLATE "C" NOT NULL
);
