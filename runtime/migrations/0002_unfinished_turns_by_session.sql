-- A session's unfinished turns, found without reading its finished ones: enqueueing a message
-- counts them and claiming a turn checks for an earlier one, and both ran over every turn the
-- session ever had (a long conversation made every new message slower).
-- Built inside the migration's transaction: it holds a SHARE lock on turns while it scans the
-- table once (its entries are only the few unfinished turns).
CREATE INDEX turns_unfinished_by_session ON turns (session_id, turn) WHERE state IN ('queued', 'running');
