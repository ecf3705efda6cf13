//! The statements `charter migrate` copies each large table with: an SQLite
//! read in batches by a source key, and the PostgreSQL write of a batch,
//! `ON CONFLICT DO NOTHING` on the row's natural key so a second run adds
//! nothing.

/// The large tables, copied in batches by their source key.
#[derive(Debug, Clone, Copy)]
pub(super) enum Stage {
    Objects,
    Originals,
    Warnings,
    Statuses,
    Reviews,
    Audit,
}

impl Stage {
    pub(super) fn name(self) -> &'static str {
        match self {
            Stage::Objects => "objects",
            Stage::Originals => "originals",
            Stage::Warnings => "warning-list flags",
            Stage::Statuses => "statuses",
            Stage::Reviews => "reviews",
            Stage::Audit => "the release record",
        }
    }

    /// The SQLite read (first column: the key batches follow) and the
    /// PostgreSQL write.
    pub(super) fn sql(self) -> (&'static str, &'static str) {
        match self {
            Stage::Objects => (
                "SELECT o.seq, c.id, o.date_added, o.id, o.type, o.spec_version, o.version_key,
                        o.version_text, o.is_first, o.is_last, o.tlp, o.grants, o.submitter, o.raw
                 FROM objects AS o JOIN collections AS c ON c.seq = o.collection
                 WHERE o.seq > ?1 ORDER BY o.seq LIMIT ?2",
                "INSERT INTO objects (collection, date_added, id, type, spec_version, version_key,
                                      version_text, is_first, is_last, tlp, grants, submitter, raw)
                 SELECT c.seq, n.d, n.i, n.t, n.s, n.k, n.v, n.f, n.l, n.tlp,
                        ARRAY(SELECT jsonb_array_elements_text(n.g::jsonb)), n.sub, n.raw
                 FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                             $6::text[], $7::text[], $8::boolean[], $9::boolean[], $10::text[],
                             $11::text[], $12::text[], $13::text[])
                      WITH ORDINALITY AS n (c, d, i, t, s, k, v, f, l, tlp, g, sub, raw, o)
                 JOIN collections AS c ON c.id = n.c
                 ORDER BY n.o
                 ON CONFLICT DO NOTHING",
            ),
            Stage::Originals => (
                "SELECT g.object, c.id, g.id, g.version_key, g.raw
                 FROM originals AS g JOIN collections AS c ON c.seq = g.collection
                 WHERE g.object > ?1 ORDER BY g.object LIMIT ?2",
                "INSERT INTO originals (collection, id, version_key, object, raw)
                 SELECT c.seq, n.i, n.k, o.seq, n.raw
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS n (c, i, k, raw)
                 JOIN collections AS c ON c.id = n.c
                 JOIN objects AS o
                   ON o.id = n.i AND o.collection = c.seq AND o.version_key = n.k
                 ON CONFLICT DO NOTHING",
            ),
            Stage::Warnings => (
                "SELECT w.object, c.id, w.id, w.version_key, w.lists
                 FROM warnings AS w JOIN collections AS c ON c.seq = w.collection
                 WHERE w.object > ?1 ORDER BY w.object LIMIT ?2",
                "INSERT INTO warnings (collection, id, version_key, object, lists)
                 SELECT c.seq, n.i, n.k, o.seq, ARRAY(SELECT jsonb_array_elements_text(n.l::jsonb))
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS n (c, i, k, l)
                 JOIN collections AS c ON c.id = n.c
                 JOIN objects AS o
                   ON o.id = n.i AND o.collection = c.seq AND o.version_key = n.k
                 ON CONFLICT DO NOTHING",
            ),
            Stage::Reviews => (
                "SELECT seq, id, collection, status, object_id, object_type, spec_version,
                        version_key, version_text, tlp, grants, submitter, submitted_by,
                        submitted_at, findings, released, original, outcome, decided_by,
                        decided_at, note
                 FROM reviews WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                "INSERT INTO reviews (id, collection, status, object_id, object_type,
                                      spec_version, version_key, version_text, tlp, grants,
                                      submitter, submitted_by, submitted_at, findings, released,
                                      original, outcome, decided_by, decided_at, note)
                 SELECT r.i, r.c, r.s, r.oi, r.ot, r.sv, r.vk, r.vt, r.tlp,
                        ARRAY(SELECT jsonb_array_elements_text(r.g::jsonb)), r.sub, r.by,
                        r.at, r.f, r.rel, r.orig, r.out, r.dby, r.dat, r.note
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                             $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                             $11::text[], $12::text[], $13::bigint[], $14::text[], $15::text[],
                             $16::text[], $17::text[], $18::text[], $19::bigint[], $20::text[])
                      WITH ORDINALITY
                      AS r (i, c, s, oi, ot, sv, vk, vt, tlp, g, sub, by, at, f, rel, orig, out,
                            dby, dat, note, n)
                 ORDER BY r.n
                 ON CONFLICT DO NOTHING",
            ),
            Stage::Statuses => (
                "SELECT rowid, id, collection, owner, request_timestamp, successes, failures,
                        pendings
                 FROM statuses WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
                "INSERT INTO statuses
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[],
                                      $5::text[], $6::text[], $7::text[])
                 ON CONFLICT DO NOTHING",
            ),
            Stage::Audit => (
                "SELECT seq, at, actor, action, channel, detail, prev_hash, hash
                 FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                "INSERT INTO audit
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[],
                                      $5::text[], $6::text[], $7::text[], $8::text[])
                 ON CONFLICT DO NOTHING",
            ),
        }
    }
}
