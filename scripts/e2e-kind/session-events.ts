/**
 * Reading the runtime API's answers in the kind smoke test (scripts/e2e-kind.sh): pure
 * functions of the response bodies, so they are tested offline. See docs/runtime.md, "HTTP API".
 */

export type TurnVerdict =
  | { readonly state: 'pending' }
  | { readonly state: 'done'; readonly stopReason: string; readonly reply: string; readonly errors: readonly string[] };

interface ApiEvent {
  readonly turn?: number | null;
  readonly type?: unknown;
  readonly [field: string]: unknown;
}

function parseJson(body: string, what: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`${what}: the runtime answered with something that is not JSON: ${body.slice(0, 200)}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `201 {"session": {...}}` of `POST /v1/sessions` → the session id. */
export function sessionIdOf(body: string): string {
  const parsed = parseJson(body, 'POST /v1/sessions');
  const id = isRecord(parsed) && isRecord(parsed.session) ? parsed.session.id : undefined;
  if (typeof id !== 'string' || id === '') throw new Error(`POST /v1/sessions: no session id in ${body.slice(0, 200)}`);
  return id;
}

/**
 * `GET /v1/sessions/:id/events` (every event from the start: a smoke test's session is short)
 * → the verdict for turn `turn`: pending, or done with its stop reason, the reply assembled
 * from its text deltas and its errors.
 */
export function turnVerdict(body: string, turn: number): TurnVerdict {
  const parsed = parseJson(body, 'GET events');
  if (!isRecord(parsed) || !Array.isArray(parsed.events)) throw new Error(`GET events: not an events page: ${body.slice(0, 200)}`);
  const events = (parsed.events as ApiEvent[]).filter((e) => isRecord(e) && e.turn === turn);
  const done = events.find((e) => e.type === 'done');
  if (!done) return { state: 'pending' };
  const reply = events.filter((e) => e.type === 'text_delta' && typeof e.text === 'string').map((e) => e.text as string).join('');
  const errors = events.filter((e) => e.type === 'error').map((e) => `${String(e.code)}: ${String(e.message)}`);
  return { state: 'done', stopReason: String(done.stopReason), reply, errors };
}

/** `202 {"turn": {"number", ...}}` of `POST /v1/sessions/:id/messages` → the turn number. */
export function turnNumberOf(body: string): number {
  const parsed = parseJson(body, 'POST messages');
  const number = isRecord(parsed) && isRecord(parsed.turn) ? parsed.turn.number : undefined;
  if (typeof number !== 'number') throw new Error(`POST messages: no turn number in ${body.slice(0, 200)}`);
  return number;
}

/** `pulumi stack ls --json` → whether `stack` is among them (by name, or fully qualified). */
export function hasStack(body: string, stack: string): boolean {
  const parsed = parseJson(body, 'pulumi stack ls --json');
  if (!Array.isArray(parsed)) throw new Error(`pulumi stack ls --json: not a list: ${body.slice(0, 200)}`);
  return parsed.some((s) => isRecord(s) && typeof s.name === 'string' && (s.name === stack || s.name.endsWith(`/${stack}`)));
}
