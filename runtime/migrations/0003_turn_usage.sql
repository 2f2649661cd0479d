-- What each turn consumed, as its harness reported it in `done.usage` (harness protocol v1):
-- prompt tokens (cached ones included), output tokens, and the cost in USD when the agent's CLI
-- or the gateway knew it. NULL: the turn reported no usage (aborted, crashed, an old harness).
-- GET /v1/usage sums these per team, session or harness over a time range of finished_at.
--
-- Adding nullable columns without a default only changes the catalog (no table rewrite); the
-- lock it needs is short but exclusive, so wait for it a bounded time rather than queue every
-- turn write of the running replicas behind a long transaction (see 0002). No CHECK here: one
-- would be verified by a scan under that exclusive lock; the harness protocol's schema already
-- refuses negative counts and costs.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = 0;
ALTER TABLE turns
  ADD COLUMN input_tokens  bigint,
  ADD COLUMN output_tokens bigint,
  ADD COLUMN cost_usd      numeric(20, 9);
-- the usage query's range scan; only turns that reported usage are in it (none at creation,
-- so building it reads the table once and writes nothing)
CREATE INDEX turns_usage_by_finish ON turns (finished_at) WHERE input_tokens IS NOT NULL;
