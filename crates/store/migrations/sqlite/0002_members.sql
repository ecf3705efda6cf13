-- Members, handling rules and the release record: the node's identity,
-- organisations, communities, roles, API tokens, an audience stored with
-- every object version, and the hash-chained audit log.
--
-- A reader's audience filter is a set of principal keys (`any`,
-- `org:<id>`, `community:<id>`); a version is visible if one of its grant
-- keys is among them. Each grant is a row of `grants`, clustered by
-- (collection, key, date_added), so a page for one reader is a merge of one
-- ordered range per key it holds and costs about one page of rows.

CREATE TABLE node (
    -- There is one row: this node.
    only        INTEGER PRIMARY KEY CHECK (only = 1),
    name        TEXT NOT NULL,
    country     TEXT NOT NULL,
    identity_id TEXT NOT NULL
) STRICT;

CREATE TABLE orgs (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE,
    country     TEXT NOT NULL,
    -- A JSON array of strings.
    sectors     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    identity_id TEXT NOT NULL
) STRICT;

CREATE TABLE communities (
    seq  INTEGER PRIMARY KEY,
    id   TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE community_members (
    community TEXT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    org       TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    PRIMARY KEY (community, org)
) STRICT, WITHOUT ROWID;

CREATE INDEX community_members_org ON community_members (org, community);

-- Users: a role instead of the administrator flag, and an organisation.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'analyst';
ALTER TABLE users ADD COLUMN org TEXT REFERENCES orgs (id);
UPDATE users SET role = CASE WHEN is_admin THEN 'node-admin' ELSE 'analyst' END;
ALTER TABLE users DROP COLUMN is_admin;
CREATE INDEX users_org ON users (org);

CREATE TABLE tokens (
    id          TEXT PRIMARY KEY NOT NULL,
    username    TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL,
    label       TEXT,
    created     INTEGER NOT NULL,
    expires     INTEGER,
    revoked     INTEGER NOT NULL
) STRICT;

CREATE INDEX tokens_user ON tokens (username, created);

-- Collections: a community, a default TLP level and a public flag. Existing
-- collections keep what they meant before: AMBER by default, not public, no
-- community.
ALTER TABLE collections ADD COLUMN community TEXT REFERENCES communities (id);
ALTER TABLE collections ADD COLUMN default_tlp TEXT NOT NULL DEFAULT 'amber';
ALTER TABLE collections ADD COLUMN public INTEGER NOT NULL DEFAULT 0;
CREATE INDEX collections_community ON collections (community);

-- Object versions gain their TLP level, grant keys and submitter. The table
-- is rebuilt rather than altered so that these columns come before `raw`:
-- reading a column stored after a large `raw` would follow its overflow
-- pages. The id index now leads with the hash, so every version of an id can
-- be found across all collections with one search per id.
CREATE TABLE objects_v2 (
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
    tlp          TEXT NOT NULL,
    -- The grant keys: a sorted JSON array of strings.
    grants       TEXT NOT NULL,
    submitter    TEXT,
    -- Last, so queries that skip it never copy it.
    raw          TEXT NOT NULL
) STRICT;

-- Versions stored before audiences existed were readable by everyone who
-- could read their collection, so they keep exactly that audience (`any`).
-- Their TLP level is the strictest TLP marking among their
-- `object_marking_refs` (the TLP 1.0 and 2.0 marking definition ids), else
-- the collections' default, AMBER.
INSERT INTO objects_v2 (seq, collection, date_added, id, id_hash, type, spec_version, version_key,
                        version_text, is_first, is_last, tlp, grants, submitter, raw)
SELECT o.seq, o.collection, o.date_added, o.id, o.id_hash, o.type, o.spec_version, o.version_key,
       o.version_text, o.is_first, o.is_last,
       COALESCE((
           SELECT CASE max(CASE m.value
                       WHEN 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487' THEN 1
                       WHEN 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9' THEN 1
                       WHEN 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb' THEN 2
                       WHEN 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da' THEN 2
                       WHEN 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421' THEN 3
                       WHEN 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82' THEN 3
                       WHEN 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003' THEN 4
                       WHEN 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1' THEN 5
                       WHEN 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed' THEN 5
                   END)
                  WHEN 1 THEN 'clear' WHEN 2 THEN 'green' WHEN 3 THEN 'amber'
                  WHEN 4 THEN 'amber+strict' WHEN 5 THEN 'red'
                  END
           FROM json_each(CASE WHEN json_valid(o.raw) THEN o.raw ELSE '{}' END,
                          '$.object_marking_refs') AS m
       ), 'amber'),
       '["any"]', NULL, o.raw
FROM objects AS o;

DROP TABLE objects;
ALTER TABLE objects_v2 RENAME TO objects;

CREATE INDEX objects_id ON objects (id_hash, collection);
CREATE UNIQUE INDEX objects_added ON objects (collection, date_added);
CREATE INDEX objects_type ON objects (collection, type, date_added);
CREATE INDEX objects_last ON objects (collection, date_added) WHERE is_last = 1;
CREATE INDEX objects_type_last ON objects (collection, type, date_added) WHERE is_last = 1;
CREATE INDEX objects_first ON objects (collection, date_added) WHERE is_first = 1;

-- Each distinct grant key once; `grants` rows hold its number.
CREATE TABLE grant_keys (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE
) STRICT;

-- One row per (version, grant key). `is_first` / `is_last` mark the earliest
-- and latest version of the id among the versions that carry this key: the
-- only versions that can be first or last for a reader holding the key. The
-- flags and the type are kept here so that version and type filters skip rows
-- without reading the version. There is deliberately no index by type: each
-- index costs a B-tree insert per grant on every write, and a type filter
-- under an audience costs only these small rows of the other types.
CREATE TABLE grants (
    collection INTEGER NOT NULL,
    grant_key  INTEGER NOT NULL,
    date_added INTEGER NOT NULL,
    -- objects.seq of the version.
    object     INTEGER NOT NULL,
    type       TEXT NOT NULL,
    is_first   INTEGER NOT NULL,
    is_last    INTEGER NOT NULL,
    PRIMARY KEY (collection, grant_key, date_added)
) STRICT, WITHOUT ROWID;

INSERT INTO grant_keys (id, key) SELECT 1, 'any' WHERE EXISTS (SELECT 1 FROM objects);
INSERT INTO grants (collection, grant_key, date_added, object, type, is_first, is_last)
SELECT collection, 1, date_added, seq, type, is_first, is_last FROM objects;

-- The release record. `seq` runs 1, 2, 3, … with no gaps; each entry's
-- `hash` covers its fields and `prev_hash`, the hash of the entry before.
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    channel   TEXT NOT NULL,
    -- Compact JSON text.
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
