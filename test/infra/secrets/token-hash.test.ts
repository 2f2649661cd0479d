import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_KEY, teamTokenKey, tokenHash } from '../../../infra/secrets/token-hash.ts';

describe('API token hashes (contract with the runtime)', () => {
  it('is the lower-case hex SHA-256 of the UTF-8 token', () => {
    expect(tokenHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'); // FIPS 180-2 test vector
    expect(tokenHash('tökén')).toBe(createHash('sha256').update(Buffer.from('tökén', 'utf8')).digest('hex'));
  });

  it('uses the keys admin and team.<name>, valid Secret keys', () => {
    expect(ADMIN_TOKEN_KEY).toBe('admin');
    expect(teamTokenKey('web-platform')).toBe('team.web-platform');
    expect(teamTokenKey('web-platform')).toMatch(/^[-._a-zA-Z0-9]+$/);
  });
});
