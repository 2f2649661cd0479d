import { describe, expect, it } from 'vitest';
import { credentialLookingValue, isSecretLookingName } from '../../../policy/workload/secret-patterns.ts';

describe('secret-looking names', () => {
  it.each(['GITHUB_TOKEN', 'PGPASSWORD', 'ANTHROPIC_API_KEY', 'OPENAI_APIKEY', 'CLIENT_SECRET', 'GOOGLE_APPLICATION_CREDENTIALS', 'ssh.key', 'GPG_PASSPHRASE', 'db-passwd'])('%s is', (name) => {
    expect(isSecretLookingName(name)).toBe(true);
  });
  it.each(['TOKENIZERS_PARALLELISM', 'KEYCLOAK_URL', 'GIT_AUTHOR_NAME', 'HOME', 'PADDOCK_HARNESS_PORT', 'SECRETARY_EMAIL'])('%s is not', (name) => {
    expect(isSecretLookingName(name)).toBe(false);
  });
});

describe('credential-shaped values', () => {
  it.each([
    ['-----BEGIN OPENSSH PRIVATE KEY-----\nabc', 'a private key'],
    ['postgres://paddock:hunter2@db:5432/paddock', 'a URL with a password in it'],
    ['sk-ant-api03-abcdefghijklmnopqrstuvwxyz', 'an API key (sk-…)'],
    ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'a GitHub token'],
    ['AKIAIOSFODNN7EXAMPLE', 'an AWS access key id'],
  ])('%s', (value, what) => {
    expect(credentialLookingValue(value)).toBe(what);
  });
  it.each(['https://api.example.com', 'postgres://db:5432/paddock', 'http://litellm.litellm.svc.cluster.local:4000', 'skeleton-key-free'])('%s is not', (value) => {
    expect(credentialLookingValue(value)).toBeUndefined();
  });
});
