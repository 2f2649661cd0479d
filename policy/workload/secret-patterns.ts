/**
 * What a secret looks like in a manifest: an env name that says so, or a value with the shape
 * of a credential whatever its name. Names are matched word by word ("GITHUB_TOKEN",
 * "PGPASSWORD", "ANTHROPIC_API_KEY") so that "TOKENIZERS_PARALLELISM" or "KEYCLOAK_URL" pass.
 */
const SECRET_WORD = /(TOKEN|TOKENS|SECRET|SECRETS|PASSWORD|PASSWD|PASSPHRASE|KEY|KEYS|CREDENTIAL|CREDENTIALS)$/;

export function isSecretLookingName(name: string): boolean {
  return name
    .toUpperCase()
    .split(/[_.\-]+/)
    .some((word) => SECRET_WORD.test(word));
}

const CREDENTIAL_VALUES: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: 'a private key' },
  { pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@/]+@/i, what: 'a URL with a password in it' },
  { pattern: /\bsk-(ant-)?[A-Za-z0-9_-]{20,}/, what: 'an API key (sk-…)' },
  { pattern: /\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{30,}/, what: 'a GitHub token' },
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/, what: 'a Slack token' },
  { pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, what: 'an AWS access key id' },
  { pattern: /\bglpat-[A-Za-z0-9_-]{20,}/, what: 'a GitLab token' },
];

/** What kind of credential the value looks like, or undefined. */
export function credentialLookingValue(value: string): string | undefined {
  return CREDENTIAL_VALUES.find((c) => c.pattern.test(value))?.what;
}
