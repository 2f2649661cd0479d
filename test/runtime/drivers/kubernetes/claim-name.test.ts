import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLAIM_NAME_PREFIX, claimIdentityForSession } from '../../../../runtime/drivers/kubernetes/claim-name.ts';
import { isLabelValue } from '../../../../runtime/drivers/kubernetes/sandbox-claim.ts';

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

describe('claimIdentityForSession', () => {
  it('uses a UUID session id as it is, so the claim is easy to find with kubectl', () => {
    const id = randomUUID();
    expect(claimIdentityForSession(id)).toEqual({ name: `${CLAIM_NAME_PREFIX}${id}`, sessionKey: id });
  });

  it('is deterministic: the same session always names the same claim (a retry after a crash finds it)', () => {
    for (const id of [randomUUID(), 'Session_42', 'x'.repeat(200)]) {
      expect(claimIdentityForSession(id)).toEqual(claimIdentityForSession(id));
    }
  });

  it.each([
    ['upper case and underscores', 'Session_42'],
    ['dots and slashes', 'team.a/session 7'],
    ['a very long id', 'a'.repeat(300)],
    ['only symbols', '___'],
    ['a leading dash', '-abc'],
    ['unicode', 'séance-✓'],
  ])('turns %s into a DNS-1035 label of at most 63 characters whose key is a label value', (_what, id) => {
    const { name, sessionKey } = claimIdentityForSession(id);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(DNS1035_LABEL);
    expect(name).toBe(CLAIM_NAME_PREFIX + sessionKey);
    expect(isLabelValue(sessionKey)).toBe(true);
  });

  it('keeps ids apart that differ only in what the slug drops (case, symbols, length)', () => {
    const ids = ['Abc', 'abc_', 'ABC', 'a'.repeat(100) + '1', 'a'.repeat(100) + '2', 'abc'];
    const names = ids.map((id) => claimIdentityForSession(id).name);
    expect(new Set(names).size).toBe(ids.length);
  });

  it('refuses an empty session id', () => {
    expect(() => claimIdentityForSession('')).toThrow(/empty session id/);
  });
});
