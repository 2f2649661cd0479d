-- Sessions, their turns, the append-only event log and sandbox bindings.
-- Applied once by runtime/db/migrate.ts under an advisory lock; never edit an applied file,
-- add a new numbered one instead (the runtime refuses to start when an applied file changed).

CREATE TABLE sessions (
  id            uuid PRIMARY KEY,
  team          text NOT NULL,
  harness       text NOT NULL,
  title         text,
  state         text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'ended', 'failed')),
  error_code    text,
  error_message text,
  -- the last turn number handed out; turns are numbered 1, 2, ... per session
  last_turn     integer NOT NULL DEFAULT 0,
  -- the last event seq handed out; bumped in the transaction that inserts the events, so seq is
  -- monotonic, unique and gap-free per session
  last_seq      bigint NOT NULL DEFAULT 0,
  -- how many sandboxes the session has had (its binding's generation)
  sandbox_generation integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  ended_at      timestamptz
);
CREATE INDEX sessions_by_team ON sessions (team, created_at DESC, id);
CREATE INDEX sessions_by_state ON sessions (state);

CREATE TABLE turns (
  session_id      uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  turn            integer NOT NULL CHECK (turn >= 1),
  input           text NOT NULL,
  -- queued -> running -> completed | failed | aborted | interrupted
  state           text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'completed', 'failed', 'aborted', 'interrupted')),
  -- true once the input was sent to a harness: from then on a lost owner means "interrupted",
  -- before it the turn is simply run again
  dispatched      boolean NOT NULL DEFAULT false,
  attempts        integer NOT NULL DEFAULT 0,
  abort_requested boolean NOT NULL DEFAULT false,
  -- the assistant's text as streamed (kept for the history handed to a new sandbox)
  output          text NOT NULL DEFAULT '',
  stop_reason     text,
  error_code      text,
  error_message   text,
  lease_owner     text,
  lease_expires_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  PRIMARY KEY (session_id, turn)
);
-- the scheduler's scan: unfinished turns only
CREATE INDEX turns_unfinished ON turns (created_at) WHERE state IN ('queued', 'running');

CREATE TABLE events (
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  seq        bigint NOT NULL CHECK (seq >= 1),
  turn       integer,
  type       text NOT NULL,
  data       jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, seq)
);

-- Append-only: events are never changed or removed (only with their session).
CREATE FUNCTION paddock_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only (% on session %, seq %)', TG_OP, OLD.session_id, OLD.seq
    USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE ON events
  FOR EACH ROW EXECUTE FUNCTION paddock_events_append_only();

CREATE TABLE sandbox_bindings (
  session_id   uuid PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  driver       text NOT NULL,
  sandbox_id   text NOT NULL,
  sandbox_name text NOT NULL,
  namespace    text NOT NULL,
  endpoint     text NOT NULL,
  -- per-sandbox bearer token (harness protocol v1); the database encrypts storage at rest
  token        text NOT NULL,
  -- 1 for the session's first sandbox, +1 for each replacement
  generation   integer NOT NULL DEFAULT 1,
  acquired_at  timestamptz NOT NULL DEFAULT now()
);

-- Sandboxes to end: a session ended (or its sandbox was replaced) and the release has not yet
-- succeeded. A janitor retries until the driver confirms.
CREATE TABLE sandbox_releases (
  sandbox_id   text PRIMARY KEY,
  driver       text NOT NULL,
  sandbox_name text NOT NULL,
  namespace    text NOT NULL,
  endpoint     text NOT NULL,
  token        text NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
