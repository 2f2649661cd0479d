import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'no-literal-secret-env';
const base = compliantStack();

function withEnv(env: Record<string, unknown>[]) {
  return withChange(base, 'SandboxTemplate', 'team-alpha/claude-code', (o) => {
    o.spec.podTemplate.spec.containers[0].env = env;
  });
}

describe(RULE, () => {
  it('passes the compliant stack, references, and non-secret literals', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
    const objects = withEnv([
      { name: 'ANTHROPIC_API_KEY', valueFrom: { secretKeyRef: { name: 'paddock-team-secrets', key: 'ANTHROPIC_API_KEY' } } },
      { name: 'GIT_AUTHOR_NAME', value: 'Paddock Platform Team' },
      { name: 'TOKENIZERS_PARALLELISM', value: 'false' },
      { name: 'KEYCLOAK_URL', value: 'https://sso.example.com' },
      { name: 'GITHUB_TOKEN', value: '' },
    ]);
    expect(violationsOf(RULE, objects)).toEqual([]);
  });

  it.each(['GITHUB_TOKEN', 'PGPASSWORD', 'ANTHROPIC_API_KEY', 'AWS_SECRET_ACCESS_KEY', 'GCP_CREDENTIALS', 'ssh-key'])('flags a literal value for %s', (name) => {
    const found = violationsOf(RULE, withEnv([{ name: 'HOME_DIR', value: '/home/agent' }, { name, value: 'hunter2-not-a-real-one' }]));
    expect(where(found)).toEqual([{ rule: RULE, object: 'SandboxTemplate team-alpha/claude-code', path: 'spec.podTemplate.spec.containers[0].env[1].value' }]);
    expect(found[0]!.message).toContain(`env ${name} is named like a secret`);
  });

  it('flags a credential-shaped value whatever its name', () => {
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.containers[0].env.push({ name: 'DB', value: 'postgres://paddock:s3cret@db:5432/paddock' });
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Deployment paddock-system/paddock-runtime', path: 'spec.template.spec.containers[0].env[2].value' }]);
    expect(found[0]!.message).toContain('a URL with a password in it');
  });

  it('checks the literal env of SandboxClaims', () => {
    const claim = {
      apiVersion: 'extensions.agents.x-k8s.io/v1beta1',
      kind: 'SandboxClaim',
      metadata: { name: 'session-1', namespace: 'team-alpha' },
      spec: { warmPoolRef: { name: 'codex' }, env: [{ name: 'OPENAI_API_KEY', value: 'sk-proj-abcdefghijklmnopqrstuvwxyz' }] },
    };
    expect(where(violationsOf(RULE, [...base, claim]))).toEqual([{ rule: RULE, object: 'SandboxClaim team-alpha/session-1', path: 'spec.env[0].value' }]);
  });
});
