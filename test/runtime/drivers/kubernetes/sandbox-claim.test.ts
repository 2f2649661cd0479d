import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HARNESS_LABEL, TEAM_LABEL } from '../../../../config/names.ts';
import {
  buildSandboxClaim,
  parseSandboxClaim,
  SANDBOX_CLAIM_API_VERSION,
  SESSION_ID_ANNOTATION,
  SESSION_LABEL,
  TOKEN_HASH_ANNOTATION,
  type SandboxClaimInput,
} from '../../../../runtime/drivers/kubernetes/sandbox-claim.ts';
import type { CustomResourceDefinitionObject } from '../../../../charts-synth/crds/custom-resource-definition.ts';
import { createCustomResourceValidator, validateCustomResource } from '../../../support/crd-validator.ts';
import { readUpstreamCrd, upstreamAvailable, upstreamSkipNote, UPSTREAM_DIR } from '../../../charts-synth/crds/upstream-reference.ts';

const input: SandboxClaimInput = {
  name: 'session-3f1c',
  namespace: 'team-alpha',
  warmPool: 'claude-code',
  team: 'alpha',
  harness: 'claude-code',
  sessionId: '3f1c',
  sessionKey: '3f1c',
  tokenSha256: 'a'.repeat(64),
};

describe('buildSandboxClaim', () => {
  it('claims from the harness warm pool, deletes everything when it ends, and labels team/harness/session', () => {
    const claim = buildSandboxClaim(input);
    expect(claim).toEqual({
      apiVersion: SANDBOX_CLAIM_API_VERSION,
      kind: 'SandboxClaim',
      metadata: {
        name: 'session-3f1c',
        namespace: 'team-alpha',
        labels: {
          'app.kubernetes.io/managed-by': 'paddock',
          'app.kubernetes.io/part-of': 'paddock',
          [TEAM_LABEL]: 'alpha',
          [HARNESS_LABEL]: 'claude-code',
          [SESSION_LABEL]: '3f1c',
        },
        annotations: { [SESSION_ID_ANNOTATION]: '3f1c', [TOKEN_HASH_ANNOTATION]: 'a'.repeat(64) },
      },
      spec: { warmPoolRef: { name: 'claude-code' }, lifecycle: { shutdownPolicy: 'Delete' } },
    });
    // pod labels on claims need an allow-listed domain: the driver sets none
    expect(claim.spec).not.toHaveProperty('additionalPodMetadata');
    expect(claim.spec).not.toHaveProperty('env'); // env on a claim forces a cold start
  });

  it('sets lifecycle.shutdownTime (RFC 3339, seconds) when a lifetime is asked for', () => {
    const claim = buildSandboxClaim({ ...input, shutdownTime: new Date('2030-01-02T03:04:05.678Z') });
    expect(claim.spec.lifecycle).toEqual({ shutdownPolicy: 'Delete', shutdownTime: '2030-01-02T03:04:05Z' });
  });

  it('names the label and value when a name cannot be a label value', () => {
    expect(() => buildSandboxClaim({ ...input, team: 'Team Alpha!' })).toThrow(/"Team Alpha!" is not a valid value for the label "paddock\.dev\/team"/);
    expect(() => buildSandboxClaim({ ...input, sessionKey: 'x'.repeat(64) })).toThrow(/paddock\.dev\/session/);
  });

  it('is a valid SandboxClaim for the CRDs the platform installs', () => {
    expect(validateCustomResource(buildSandboxClaim(input))).toEqual([]);
    expect(validateCustomResource(buildSandboxClaim({ ...input, shutdownTime: new Date() }))).toEqual([]);
  });

  it.skipIf(!upstreamAvailable)(`is a valid SandboxClaim for the upstream agent-sandbox v0.5.6 CRD${upstreamSkipNote}`, () => {
    const crd = readUpstreamCrd('extensions.agents.x-k8s.io_sandboxclaims.yaml') as unknown as CustomResourceDefinitionObject;
    const validator = createCustomResourceValidator([crd]);
    expect(validator.check(buildSandboxClaim({ ...input, shutdownTime: new Date() })).errors, `against ${join(UPSTREAM_DIR, 'extensions.agents.x-k8s.io_sandboxclaims.yaml')}`).toEqual([]);
    // the same check rejects what upstream would reject
    const broken = buildSandboxClaim(input);
    expect(validator.check({ ...broken, spec: { lifecycle: { shutdownPolicy: 'Never' } } }).errors.join('\n')).toMatch(/warmPoolRef[\s\S]*shutdownPolicy|shutdownPolicy[\s\S]*warmPoolRef/);
  });
});

describe('parseSandboxClaim', () => {
  it('reads a claim with status and keeps fields it does not model', () => {
    const claim = parseSandboxClaim(
      {
        ...buildSandboxClaim(input),
        metadata: { ...buildSandboxClaim(input).metadata, uid: 'u1', resourceVersion: '7', managedFields: [] },
        status: { conditions: [{ type: 'Ready', status: 'True', reason: 'DependenciesReady', message: '', lastTransitionTime: '2030-01-01T00:00:00Z' }], sandbox: { name: 'claude-code-x2b4z', podIPs: ['10.0.0.7'] } },
      },
      'test',
    );
    expect(claim.status?.sandbox?.name).toBe('claude-code-x2b4z');
    expect(claim.metadata).toHaveProperty('managedFields');
  });

  it('names where and what is wrong when the answer is not a claim', () => {
    expect(() => parseSandboxClaim({ kind: 'Status' }, 'creating SandboxClaim "x"')).toThrow(/creating SandboxClaim "x": .*not a SandboxClaim \(metadata: /);
    expect(() => parseSandboxClaim({ metadata: { name: 'x' }, spec: { warmPoolRef: {} } }, 'w')).toThrow(/spec\.warmPoolRef\.name/);
  });
});
