-- 0006's unique index on audit_log.entry_id, made partial: rows written before 0006 have no
-- entry_id and need no entry in it. (0006 is applied as it was: an applied migration is never
-- edited.) The insert names the same predicate (ON CONFLICT (entry_id) WHERE entry_id IS NOT
-- NULL), which the full index also satisfied, so replicas on either side of this migration
-- write alike.
DROP INDEX audit_log_entry_id;
CREATE UNIQUE INDEX audit_log_entry_id ON audit_log (entry_id) WHERE entry_id IS NOT NULL;
