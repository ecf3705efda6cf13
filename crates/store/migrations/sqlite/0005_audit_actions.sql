-- The release record by action: readers that follow one kind of entry (the
-- lookup indexes follow deletions) read on from their last position without
-- reading the entries of every other kind, which on a busy node are nearly
-- all reads.

CREATE INDEX audit_action ON audit (action, seq);
