-- Privacy: the submitted form of versions whose released form differs, the
-- privacy review queue, and each organisation's choice of attribution.
--
-- An original belongs to exactly one stored version and goes with it when
-- the version is deleted. A held version lives only in `reviews` until a
-- reviewer approves it; then it is inserted into `objects` like any other.

-- Keyed by what a read knows of a version, so the lookup never touches
-- the (large) objects table; most collections hold no originals at all.
CREATE TABLE originals (
    collection  INTEGER NOT NULL,
    id          TEXT NOT NULL,
    version_key TEXT NOT NULL,
    object      INTEGER NOT NULL REFERENCES objects (seq) ON DELETE CASCADE,
    raw         TEXT NOT NULL,
    PRIMARY KEY (collection, id, version_key)
) STRICT, WITHOUT ROWID;

CREATE INDEX originals_object ON originals (object);

CREATE TABLE reviews (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    collection   TEXT NOT NULL,
    status       TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    -- NULL for objects without a version of their own.
    version_key  TEXT,
    version_text TEXT,
    tlp          TEXT NOT NULL,
    -- A JSON array of grant keys.
    grants       TEXT NOT NULL,
    submitter    TEXT,
    submitted_by TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    findings     TEXT NOT NULL,
    released     TEXT NOT NULL,
    original     TEXT,
    -- NULL while held; then 'approved' or 'rejected'.
    outcome      TEXT,
    decided_by   TEXT,
    decided_at   INTEGER,
    note         TEXT
) STRICT;

CREATE INDEX reviews_pending ON reviews (seq) WHERE outcome IS NULL;
CREATE INDEX reviews_submitter ON reviews (submitter, seq);

ALTER TABLE orgs ADD COLUMN attribution INTEGER NOT NULL DEFAULT 0;
