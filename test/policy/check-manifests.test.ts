import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertManifestPolicy, checkManifests, formatViolation, POLICY_RULES, PolicyViolationError } from '../../policy/index.ts';
import { compliantStack, withChange, workload } from './fixtures/stack.ts';

const rulesDir = fileURLToPath(new URL('../../policy/rules/', import.meta.url));
const testsDir = fileURLToPath(new URL('./rules/', import.meta.url));

function broken() {
  let objects = compliantStack(['alpha', 'beta', 'gamma']);
  objects = withChange(objects, 'SandboxTemplate', 'team-beta/codex', (o) => {
    delete o.spec.podTemplate.spec.securityContext;
    o.spec.podTemplate.spec.containers[0].image = 'busybox:latest';
  });
  objects = withChange(objects, 'NetworkPolicy', 'team-gamma/allow-dns', (o) => {
    o.spec.egress.push({ to: [{ namespaceSelector: {} }] });
  });
  return [...objects, workload('Deployment', 'scratch', 'stray')];
}

describe('checkManifests', () => {
  it('passes a compliant stack with every kind of workload', () => {
    const objects = [...compliantStack(['alpha', 'beta', 'gamma']), ...(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'Sandbox'] as const).map((k) => workload(k, 'team-alpha', k.toLowerCase()))];
    expect(checkManifests(objects)).toEqual([]);
  });

  it('is deterministic and independent of object order', () => {
    const objects = broken();
    const first = checkManifests(objects);
    expect(first.length).toBeGreaterThan(5);
    expect(checkManifests(structuredClone(objects))).toEqual(first);
    expect(checkManifests([...objects].reverse())).toEqual(first);
    const shuffled = [...objects].sort((a, b) => (a.metadata.name.length % 3) - (b.metadata.name.length % 3) || (a.kind < b.kind ? 1 : -1));
    expect(checkManifests(shuffled)).toEqual(first);
  });

  it('sorts by object, then rule, then path', () => {
    const found = checkManifests(broken());
    const keys = found.map((v) => [v.object, v.rule, v.path ?? '']);
    const sorted = [...keys].sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));
    expect(keys).toEqual(sorted);
  });

  it('does not modify its input', () => {
    const objects = broken();
    const before = JSON.stringify(objects);
    checkManifests(objects);
    expect(JSON.stringify(objects)).toBe(before);
  });

  it('names an object it cannot identify instead of crashing on it', () => {
    const objects = [...compliantStack(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} } as never];
    expect(() => checkManifests(objects)).toThrow(/^checkManifests: object \d+ \(\{"apiVersion":"v1","kind":"ConfigMap","metadata":\{\}\}\) has no metadata.name$/);
  });

  it('rejects option ranges that are not CIDRs', () => {
    expect(() => checkManifests(compliantStack(), { internalCidrs: ['10.0.0.0/33'] })).toThrow('policy option internalCidrs: "10.0.0.0/33" is not an IP range');
  });

  it('formats violations for synth, and assertManifestPolicy throws them all', () => {
    const found = checkManifests(broken());
    expect(formatViolation(found[0]!)).toBe(`${found[0]!.object}: ${found[0]!.path ? `${found[0]!.path}: ` : ''}${found[0]!.message} [${found[0]!.rule}]`);
    expect(() => assertManifestPolicy(broken())).toThrow(PolicyViolationError);
    try {
      assertManifestPolicy(broken());
    } catch (error) {
      expect((error as PolicyViolationError).violations).toEqual(found);
      expect((error as Error).message.split('\n')).toHaveLength(found.length + 1);
    }
    expect(() => assertManifestPolicy(compliantStack())).not.toThrow();
  });
});

describe('POLICY_RULES', () => {
  it('lists unique kebab-case ids with descriptions', () => {
    const ids = POLICY_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of POLICY_RULES) {
      expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.description.length).toBeGreaterThan(20);
    }
  });

  it('has one file under policy/rules/ and one test under test/policy/rules/ per rule', () => {
    const ruleFiles = readdirSync(rulesDir).filter((f) => f !== 'index.ts').map((f) => f.replace(/\.ts$/, '')).sort();
    const testFiles = readdirSync(testsDir).map((f) => f.replace(/\.test\.ts$/, '')).sort();
    const ids = POLICY_RULES.map((r) => r.id).filter((id) => !id.startsWith('waiver-')).sort();
    expect(ruleFiles).toEqual(ids);
    expect(testFiles).toEqual(ids);
  });
});
