-- The audit trail (ADR 0027): who did what through the API, to which session, when, from
-- where, and how it ended. One row per audited request, written by runtime/audit/trail.ts
-- after the response (with its status); read through GET /v1/audit.
--
-- Append-only in the database, not only in the code: the runtime's role owns this table (it
-- runs the migrations), and an owner passes every privilege check it granted itself back, so
-- the guard is a trigger, which fires for every role, the owner and a superuser included:
--   * INSERT: `at` is the database's clock (a row cannot be backdated to make it expirable);
--   * UPDATE, TRUNCATE: always refused;
--   * DELETE: refused, except inside paddock_audit_expire() and only for rows older than the
--     30-day floor, so any record survives at least 30 days whatever the runtime runs short of
--     DDL (ALTER TABLE, DROP), which the ADR discusses.
-- The privileges say the same for anyone else: no UPDATE or TRUNCATE even for the owner, and
-- nothing for PUBLIC.

CREATE TABLE audit_log (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at             timestamptz NOT NULL DEFAULT now(),
  -- who: the principal's kind and, for a team token, its team; never the token or its hash
  principal      text NOT NULL CHECK (principal IN ('admin', 'team')),
  team           text,
  -- what: session.create, session.message, session.abort, session.end, or a read (admin)
  action         text NOT NULL,
  -- whose data: a team principal's own team, the team of the session an admin touched, or an
  -- admin read's team= filter; NULL: every team. A team token sees the rows of its team here.
  subject_team   text,
  -- which session; no foreign key: the record outlives its session
  session_id     uuid,
  request_id     text NOT NULL,
  -- the TCP peer (the ingress or load balancer when there is one)
  client_address text,
  method         text NOT NULL,
  route          text NOT NULL,
  -- the outcome: the HTTP status and, for an error, its code
  status         integer NOT NULL CHECK (status BETWEEN 100 AND 599),
  error_code     text,
  CHECK ((principal = 'team') = (team IS NOT NULL))
);
-- GET /v1/audit pages newest first by id (a total order; `at` has ties and microseconds a
-- cursor would round); the range of `at` and the retention's delete use audit_log_by_time
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE INDEX audit_log_by_subject ON audit_log (subject_team, id DESC) WHERE subject_team IS NOT NULL;
CREATE INDEX audit_log_by_session ON audit_log (session_id, id DESC) WHERE session_id IS NOT NULL;

REVOKE ALL ON audit_log FROM PUBLIC;
REVOKE UPDATE, TRUNCATE ON audit_log FROM CURRENT_USER;

CREATE FUNCTION paddock_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.at := now();
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' AND current_setting('paddock.audit_expiring', true) = 'on' THEN
    IF OLD.at < now() - interval '30 days' THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'audit rows are removed only by paddock_audit_expire(retention_days), for rows older than the retention (at least 30 days)';
END;
$$;
CREATE TRIGGER audit_log_insert BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION paddock_audit_guard();
CREATE TRIGGER audit_log_update_delete BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION paddock_audit_guard();
CREATE TRIGGER audit_log_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION paddock_audit_guard();

-- The one way rows leave: those older than the retention, which is never under 30 days.
CREATE FUNCTION paddock_audit_expire(retention_days integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  removed bigint;
BEGIN
  IF retention_days IS NULL OR retention_days < 30 THEN
    RAISE EXCEPTION 'audit retention must be at least 30 days, got %', retention_days USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM set_config('paddock.audit_expiring', 'on', true);
  DELETE FROM audit_log WHERE at < now() - make_interval(days => retention_days);
  GET DIAGNOSTICS removed = ROW_COUNT;
  PERFORM set_config('paddock.audit_expiring', 'off', true);
  RETURN removed;
END;
$$;
