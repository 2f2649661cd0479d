import { describe, expect, it } from 'vitest';
import { checkManifests, waive, waiversOf, MIN_WAIVER_REASON_LENGTH } from '../../policy/index.ts';
import { where } from './fixtures/check.ts';
import { compliantStack, withChange } from './fixtures/stack.ts';

const base = compliantStack();
const POSTGRES = 'StatefulSet paddock-system/paddock-postgres';
const TOKEN_PATH = 'spec.template.spec.automountServiceAccountToken';
const KEY = 'policy.paddock.dev/waive.no-service-account-token';

function postgresMountingToken(annotations?: Record<string, string>) {
  return withChange(base, 'StatefulSet', 'paddock-system/paddock-postgres', (o) => {
    o.spec.template.spec.automountServiceAccountToken = true;
    if (annotations) o.metadata.annotations = annotations;
  });
}

describe('waive', () => {
  it('returns a new object with the reason as an annotation, leaving the input alone', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'y', annotations: { keep: 'me' } } };
    const waived = waive(object, 'no-secret-values', '  this map holds public fixtures  ');
    expect(waived.metadata.annotations).toEqual({ keep: 'me', 'policy.paddock.dev/waive.no-secret-values': 'this map holds public fixtures' });
    expect(object.metadata.annotations).toEqual({ keep: 'me' });
    expect(waiversOf(waived)).toEqual(new Map([['no-secret-values', 'this map holds public fixtures']]));
  });

  it('refuses unknown rules, waiver rules and short reasons, naming the object', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'y' } };
    expect(() => waive(object, 'no-such-rule', 'a long enough reason')).toThrow('waive(ConfigMap y/x): "no-such-rule" is not a policy rule (known: ');
    expect(() => waive(object, 'waiver-unused', 'a long enough reason')).toThrow('waiver rule "waiver-unused" cannot be waived');
    expect(() => waive(object, 'image-pinned', 'too short')).toThrow(`shorter than ${MIN_WAIVER_REASON_LENGTH} characters`);
  });
});

describe('waivers in checkManifests', () => {
  it('suppresses the waived rule on that object only', () => {
    expect(where(checkManifests(postgresMountingToken()))).toEqual([{ rule: 'no-service-account-token', object: POSTGRES, path: TOKEN_PATH }]);
    expect(checkManifests(postgresMountingToken({ [KEY]: 'postgres calls the API to elect a primary' }))).toEqual([]);
    // the runtime's waiver in the fixture does not cover postgres
    expect(where(checkManifests(postgresMountingToken({ 'policy.paddock.dev/waive.image-pinned': 'irrelevant waiver here' })))).toEqual([
      { rule: 'no-service-account-token', object: POSTGRES, path: TOKEN_PATH },
      { rule: 'waiver-unused', object: POSTGRES, path: `metadata.annotations["policy.paddock.dev/waive.image-pinned"]` },
    ]);
  });

  it('reports a short reason, and does not honour it', () => {
    expect(where(checkManifests(postgresMountingToken({ [KEY]: 'needs it' })))).toEqual([
      { rule: 'no-service-account-token', object: POSTGRES, path: TOKEN_PATH },
      { rule: 'waiver-reason', object: POSTGRES, path: `metadata.annotations["${KEY}"]` },
    ]);
  });

  it('reports a waiver for a rule that does not exist', () => {
    const objects = withChange(base, 'Namespace', 'team-alpha', (o) => {
      o.metadata.annotations = { 'policy.paddock.dev/waive.no-root': 'typo in the rule id here' };
    });
    const found = checkManifests(objects);
    expect(where(found)).toEqual([{ rule: 'waiver-unknown-rule', object: 'Namespace team-alpha', path: 'metadata.annotations["policy.paddock.dev/waive.no-root"]' }]);
    expect(found[0]!.message).toContain('"no-root" is not a policy rule');
  });

  it('reports a stale waiver', () => {
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.automountServiceAccountToken = false;
    });
    expect(where(checkManifests(objects))).toEqual([
      { rule: 'waiver-unused', object: 'Deployment paddock-system/paddock-runtime', path: `metadata.annotations["${KEY}"]` },
    ]);
  });

  it('waives cross-object findings on the object they name', () => {
    const objects = withChange(base, 'Namespace', 'team-alpha', (o) => {
      o.metadata.labels['pod-security.kubernetes.io/warn'] = 'baseline';
      o.metadata.annotations = { 'policy.paddock.dev/waive.pod-security-restricted': 'warn level lowered while migrating the harness' };
    });
    expect(checkManifests(objects)).toEqual([]);
  });
});
