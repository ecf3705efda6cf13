-- The release record by action: readers that follow one kind of entry (the
-- lookup indexes follow deletions) read on from their last position without
-- reading the entries of every other kind, which on a busy node are nearly
-- all reads. The same index as SQLite's 0005.
--
-- Built inside the migration's transaction (CREATE INDEX CONCURRENTLY cannot
-- run in one), so appends wait while it is built; that happens once, and
-- takes time in proportion to the size of the record.

CREATE INDEX audit_action ON audit (action, seq);
