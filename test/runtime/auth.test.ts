import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthenticator, generateToken, hashToken, readTokenHashesDir, unauthenticatedMessage } from '../../runtime/auth.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function secretDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-auth-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('API tokens', () => {
  it('generates long random tokens with a recognisable prefix', () => {
    const a = generateToken();
    expect(a).toMatch(/^pdk_[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
  });

  it('maps a token to its team or the admin, and nothing else', () => {
    const [admin, red, red2, blue] = [generateToken(), generateToken(), generateToken(), generateToken()];
    const authenticate = createAuthenticator({ admin: [hashToken(admin)], teams: new Map([['red', [hashToken(red), hashToken(red2)]], ['blue', [hashToken(blue)]]]) });
    expect(authenticate(admin)).toEqual({ kind: 'admin' });
    expect(authenticate(red)).toEqual({ kind: 'team', team: 'red' });
    expect(authenticate(red2)).toEqual({ kind: 'team', team: 'red' });
    expect(authenticate(blue)).toEqual({ kind: 'team', team: 'blue' });
    expect(authenticate(hashToken(red))).toBeUndefined();
    expect(authenticate(`${red} `)).toBeUndefined();
    expect(authenticate('')).toBeUndefined();
    expect(authenticate(undefined)).toBeUndefined();
    expect(authenticate('x'.repeat(10_000))).toBeUndefined();
  });
});

describe('token hashes Secret', () => {
  it('reads admin and team.<name> files, several digests per file, skipping Kubernetes bookkeeping', () => {
    const [h1, h2, h3] = [hashToken('a'), hashToken('b'), hashToken('c')];
    const dir = secretDir({ admin: `${h1}\n`, 'team.red': `${h2} ${h3.toUpperCase()}\n`, 'team.gone': h1 });
    mkdirSync(join(dir, '..2026_11_24'));
    symlinkSync('..2026_11_24', join(dir, '..data'));
    const { hashes, unknownTeams } = readTokenHashesDir(dir, ['red', 'blue']);
    expect(hashes.admin).toEqual([h1]);
    expect(hashes.teams).toEqual(new Map([['red', [h2, h3]]]));
    expect(unknownTeams).toEqual(['gone']);
  });

  it('refuses plaintext tokens, unknown keys, an empty or missing directory', () => {
    expect(() => readTokenHashesDir(secretDir({ admin: 'pdk_plaintext' }), [])).toThrow(/admin: expected hex sha256 digests \(64 hex characters\), found a value of 13 characters/);
    expect(() => readTokenHashesDir(secretDir({ admin: hashToken('a'), 'teams.red': hashToken('b') }), ['red'])).toThrow(/unexpected key "teams\.red"/);
    expect(() => readTokenHashesDir(secretDir({}), [])).toThrow(/holds no token hashes/);
    expect(() => readTokenHashesDir('/nonexistent/paddock', [])).toThrow(/does not exist/);
  });
});

describe('unauthenticatedMessage', () => {
  it('says what is wrong with the Authorization header, naming the scheme and never the token', () => {
    const token = generateToken();
    expect(unauthenticatedMessage(undefined)).toBe('missing "Authorization: Bearer <token>"');
    expect(unauthenticatedMessage('  ')).toBe('missing "Authorization: Bearer <token>"');
    expect(unauthenticatedMessage(token)).toBe('the Authorization header has no scheme: send "Authorization: Bearer <token>" (the word Bearer, a space, then the token)');
    expect(unauthenticatedMessage(`Token ${token}`)).toBe('the Authorization header uses the "Token" scheme; this API takes "Authorization: Bearer <token>"');
    expect(unauthenticatedMessage(`${token} ${token}`)).toBe('the Authorization header uses another scheme; this API takes "Authorization: Bearer <token>"');
    expect(unauthenticatedMessage('Bearer')).toBe('the Authorization header must be "Bearer <token>": one token after the scheme');
    expect(unauthenticatedMessage(`bearer ${token}`)).toBe('invalid API token');
    for (const header of [token, `Token ${token}`, `${token} ${token}`]) expect(unauthenticatedMessage(header)).not.toContain(token);
  });
});
