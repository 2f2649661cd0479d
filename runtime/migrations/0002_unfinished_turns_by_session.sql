-- A session's unfinished turns, found without reading its finished ones: enqueueing a message
-- counts them and claiming a turn checks for an earlier one, and both ran over every turn the
-- session ever had (a long conversation made every new message slower).
--
-- The index holds only the few unfinished turns, but building it reads the whole table under a
-- SHARE lock (writes to turns wait meanwhile). So: no statement timeout for the build (the
-- runtime's connections have one of 15 s, and a large table must not fail the migration over
-- and over), and a bounded wait for the lock: behind a long transaction the migration fails and
-- is rolled back (the replica exits saying so and tries again at its next start) instead of
-- holding every turn write of the running replicas in the queue behind it.
SET LOCAL statement_timeout = 0;
SET LOCAL lock_timeout = '10s';
CREATE INDEX turns_unfinished_by_session ON turns (session_id, turn) WHERE state IN ('queued', 'running');
