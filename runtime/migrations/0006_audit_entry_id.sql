-- Each audit row's id given by the runtime when it recorded the request (audit/trail.ts), so a
-- batch written again after its commit's answer was lost (the connection dropped just after
-- the commit) adds nothing twice: the insert skips an entry_id already there. NULL for rows
-- written before this migration, which the partial index leaves out: building it reads the
-- table once and writes nothing for them (audit inserts wait for that pass, no longer).
ALTER TABLE audit_log ADD COLUMN entry_id uuid;
CREATE UNIQUE INDEX audit_log_entry_id ON audit_log (entry_id) WHERE entry_id IS NOT NULL;
