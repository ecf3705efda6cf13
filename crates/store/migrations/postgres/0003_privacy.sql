-- Privacy: the submitted form of versions whose released form differs, the
-- privacy review queue, and each organisation's choice of attribution. The
-- same records as SQLite's 0003.
--
-- An original belongs to exactly one stored version and goes with it when
-- the version is deleted. A held version lives only in `reviews` until a
-- reviewer approves it; then it is inserted into `objects` like any other.

CREATE TABLE originals (
    collection  bigint NOT NULL,
    id          text COLLATE "C" NOT NULL,
    version_key text COLLATE "C" NOT NULL,
    object      bigint NOT NULL REFERENCES objects (seq) ON DELETE CASCADE,
    raw         text COLLATE "C" NOT NULL,
    PRIMARY KEY (collection, id, version_key)
);

CREATE INDEX originals_object ON originals (object);

CREATE TABLE reviews (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           text COLLATE "C" NOT NULL UNIQUE,
    collection   text COLLATE "C" NOT NULL,
    status       text COLLATE "C" NOT NULL,
    object_id    text COLLATE "C" NOT NULL,
    object_type  text COLLATE "C" NOT NULL,
    spec_version text COLLATE "C" NOT NULL,
    -- NULL for objects without a version of their own.
    version_key  text COLLATE "C",
    version_text text COLLATE "C",
    tlp          text COLLATE "C" NOT NULL,
    grants       text[] COLLATE "C" NOT NULL,
    submitter    text COLLATE "C",
    submitted_by text COLLATE "C" NOT NULL,
    submitted_at bigint NOT NULL,
    findings     text COLLATE "C" NOT NULL,
    released     text COLLATE "C" NOT NULL,
    original     text COLLATE "C",
    -- NULL while held; then 'approved' or 'rejected'.
    outcome      text COLLATE "C",
    decided_by   text COLLATE "C",
    decided_at   bigint,
    note         text COLLATE "C"
);

CREATE INDEX reviews_pending ON reviews (seq) WHERE outcome IS NULL;
CREATE INDEX reviews_submitter ON reviews (submitter, seq);

ALTER TABLE orgs ADD COLUMN attribution boolean NOT NULL DEFAULT false;
