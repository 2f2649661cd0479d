-- Each audit row's id given by the runtime when it recorded the request (audit/trail.ts), so a
-- batch written again after its commit's answer was lost (the connection dropped just after
-- the commit) adds nothing twice: the insert skips an entry_id already there. NULL for rows
-- written before this migration (a unique index keeps NULLs distinct). Building the index locks
-- out audit inserts for as long as it takes; the column is NULL on every existing row, so that
-- is one pass over the table.
ALTER TABLE audit_log ADD COLUMN entry_id uuid;
CREATE UNIQUE INDEX audit_log_entry_id ON audit_log (entry_id);
