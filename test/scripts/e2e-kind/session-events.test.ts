import { describe, expect, it } from 'vitest';
import { hasStack, sessionIdOf, turnNumberOf, turnVerdict } from '../../../scripts/e2e-kind/session-events.ts';

const page = (events: object[]) => JSON.stringify({ events, nextAfter: events.length, hasMore: false, session: { state: 'active', lastSeq: events.length } });

describe('reading the runtime API in the kind smoke test', () => {
  it('takes the session id and the turn number from their answers, and names a body that has none', () => {
    expect(sessionIdOf('{"session":{"id":"0b9c","state":"active"}}')).toBe('0b9c');
    expect(() => sessionIdOf('{"error":{"code":"unknown_harness","message":"no harness scripted"}}')).toThrow(/no session id in .*unknown_harness/);
    expect(() => sessionIdOf('<html>bad gateway</html>')).toThrow(/not JSON: <html>/);
    expect(turnNumberOf('{"turn":{"number":3,"state":"queued"}}')).toBe(3);
    expect(() => turnNumberOf('{"turn":{}}')).toThrow(/no turn number/);
  });

  it('is pending until the turn has its done, and ignores other turns', () => {
    expect(turnVerdict(page([{ seq: 1, turn: 2, type: 'user_message', text: 'hi' }]), 2)).toEqual({ state: 'pending' });
    expect(turnVerdict(page([{ seq: 1, turn: 1, type: 'done', stopReason: 'end_turn' }, { seq: 2, turn: 2, type: 'user_message', text: 'hi' }]), 2)).toEqual({ state: 'pending' });
  });

  it('assembles the reply from the text deltas and reports the stop reason and errors', () => {
    const done = turnVerdict(
      page([
        { seq: 1, turn: 1, type: 'user_message', text: 'hello' },
        { seq: 2, turn: null, type: 'sandbox', action: 'acquired', generation: 1 },
        { seq: 3, turn: 1, type: 'text_delta', text: 'I heard: ' },
        { seq: 4, turn: 1, type: 'text_delta', text: 'hello' },
        { seq: 5, turn: 1, type: 'done', stopReason: 'end_turn' },
      ]),
      1,
    );
    expect(done).toEqual({ state: 'done', stopReason: 'end_turn', reply: 'I heard: hello', errors: [] });
    const failed = turnVerdict(page([{ seq: 1, turn: 1, type: 'error', code: 'turn_timeout', message: 'took too long' }, { seq: 2, turn: 1, type: 'done', stopReason: 'error' }]), 1);
    expect(failed).toEqual({ state: 'done', stopReason: 'error', reply: '', errors: ['turn_timeout: took too long'] });
    expect(() => turnVerdict('{"error":{"code":"invalid_query"}}', 1)).toThrow(/not an events page/);
  });

  it('finds a stack in `pulumi stack ls --json`, by name or fully qualified', () => {
    expect(hasStack('[{"name":"local","current":true}]', 'local')).toBe(true);
    expect(hasStack('[{"name":"organization/paddock/local"}]', 'local')).toBe(true);
    expect(hasStack('[{"name":"prod"},{"name":"local-2"}]', 'local')).toBe(false);
    expect(hasStack('[]', 'local')).toBe(false);
    expect(() => hasStack('{}', 'local')).toThrow(/not a list/);
  });
});
