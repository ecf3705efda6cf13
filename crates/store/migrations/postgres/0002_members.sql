-- Members, handling rules and the release record: the node's identity,
-- organisations, communities, roles, API tokens, an audience stored with
-- every object version, and the hash-chained audit log. The same records as
-- SQLite's 0002.
--
-- A version's audience is its grant keys (`any`, `org:<id>`,
-- `community:<id>`) as a sorted text array; a reader's filter is `grants &&
-- keys` (the arrays overlap), either tested on the rows of an ordered
-- `date_added` index or found through the GIN index `objects_grants`, so
-- pages stay exact either way.

CREATE TABLE node (
    -- There is one row: this node.
    singleton   integer PRIMARY KEY CHECK (singleton = 1),
    name        text COLLATE "C" NOT NULL,
    country     text COLLATE "C" NOT NULL,
    identity_id text COLLATE "C" NOT NULL
);

CREATE TABLE orgs (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          text COLLATE "C" NOT NULL UNIQUE,
    name        text COLLATE "C" NOT NULL UNIQUE,
    country     text COLLATE "C" NOT NULL,
    sectors     text[] COLLATE "C" NOT NULL,
    kind        text COLLATE "C" NOT NULL,
    identity_id text COLLATE "C" NOT NULL
);

CREATE TABLE communities (
    seq  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id   text COLLATE "C" NOT NULL UNIQUE,
    name text COLLATE "C" NOT NULL UNIQUE
);

CREATE TABLE community_members (
    community text COLLATE "C" NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    org       text COLLATE "C" NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    PRIMARY KEY (community, org)
);

CREATE INDEX community_members_org ON community_members (org, community);

-- Users: a role instead of the administrator flag, and an organisation.
ALTER TABLE users ADD COLUMN role text COLLATE "C" NOT NULL DEFAULT 'analyst';
ALTER TABLE users ADD COLUMN org text COLLATE "C" REFERENCES orgs (id);
UPDATE users SET role = CASE WHEN is_admin THEN 'node-admin' ELSE 'analyst' END;
ALTER TABLE users DROP COLUMN is_admin;
CREATE INDEX users_org ON users (org);

CREATE TABLE tokens (
    id          text COLLATE "C" PRIMARY KEY,
    username    text COLLATE "C" NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    secret_hash text COLLATE "C" NOT NULL,
    label       text COLLATE "C",
    created     bigint NOT NULL,
    expires     bigint,
    revoked     boolean NOT NULL
);

CREATE INDEX tokens_user ON tokens (username, created);

-- Collections: a community, a default TLP level and a public flag.
ALTER TABLE collections ADD COLUMN community text COLLATE "C" REFERENCES communities (id);
ALTER TABLE collections ADD COLUMN default_tlp text COLLATE "C" NOT NULL DEFAULT 'amber';
ALTER TABLE collections ADD COLUMN public boolean NOT NULL DEFAULT false;
CREATE INDEX collections_community ON collections (community);

-- Object versions gain their TLP level, grant keys and submitter. Versions
-- stored before audiences existed were readable by everyone who could read
-- their collection, so they keep exactly that audience (`any`) at the
-- collections' default level.
ALTER TABLE objects ADD COLUMN tlp text COLLATE "C" NOT NULL DEFAULT 'amber';
ALTER TABLE objects ADD COLUMN grants text[] COLLATE "C" NOT NULL DEFAULT '{any}';
ALTER TABLE objects ADD COLUMN submitter text COLLATE "C";
ALTER TABLE objects ALTER COLUMN tlp DROP DEFAULT;
ALTER TABLE objects ALTER COLUMN grants DROP DEFAULT;
-- Finds the few versions a reader may see in a collection where it may see
-- few; where it may see most, the ordered `date_added` indexes serve, and
-- the planner chooses between them from the statistics.
CREATE INDEX objects_grants ON objects USING gin (grants);

-- The release record. `seq` runs 1, 2, 3, … with no gaps; each entry's
-- `hash` covers its fields and `prev_hash`, the hash of the entry before.
-- Appends hold a transaction-level advisory lock, so the chain never forks
-- however many servers write.
CREATE TABLE audit (
    seq       bigint PRIMARY KEY,
    at        bigint NOT NULL,
    actor     text COLLATE "C" NOT NULL,
    action    text COLLATE "C" NOT NULL,
    channel   text COLLATE "C" NOT NULL,
    detail    text COLLATE "C" NOT NULL,
    prev_hash text COLLATE "C" NOT NULL,
    hash      text COLLATE "C" NOT NULL
);
