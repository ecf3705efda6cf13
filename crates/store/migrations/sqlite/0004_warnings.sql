-- Warning-list flags: the names of the MISP warning lists the values of an
-- object version are on, computed by the hub when the version is stored and
-- again when the configured lists change. Derived data: replacing them
-- changes no object version.
--
-- As with originals, a flag belongs to exactly one stored version, is keyed
-- by what a read knows of the version, and goes with it when it is deleted;
-- unflagged versions (nearly all) have no row.

CREATE TABLE warnings (
    collection  INTEGER NOT NULL,
    id          TEXT NOT NULL,
    version_key TEXT NOT NULL,
    object      INTEGER NOT NULL REFERENCES objects (seq) ON DELETE CASCADE,
    -- A JSON array of list names, sorted, never empty.
    lists       TEXT NOT NULL,
    PRIMARY KEY (collection, id, version_key)
) STRICT, WITHOUT ROWID;

CREATE INDEX warnings_object ON warnings (object);

-- The fingerprint of the lists the flags were computed with. No row: no
-- flags were ever computed with any lists.
CREATE TABLE warning_lists (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    fingerprint TEXT NOT NULL
) STRICT;
