import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'pod-security-restricted';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a team namespace that enforces baseline and does not warn', () => {
    const objects = withChange(base, 'Namespace', 'team-alpha', (o) => {
      o.metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline';
      delete o.metadata.labels['pod-security.kubernetes.io/warn'];
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Namespace team-alpha', path: 'metadata.labels' }]);
    expect(found[0]!.message).toBe('team namespace team-alpha pod-security.kubernetes.io/enforce is "baseline", pod-security.kubernetes.io/warn is unset; set each to "restricted"');
  });

  it('treats a namespace that hosts sandboxes as a team namespace even without the team label', () => {
    const objects = withChange(base, 'Namespace', 'team-beta', (o) => {
      o.metadata.labels = { 'paddock.dev/team-namespace': 'true' };
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'Namespace team-beta', path: 'metadata.labels' }]);
  });

  it('leaves platform namespaces to their own choice', () => {
    const objects = withChange(base, 'Namespace', 'agent-sandbox-system', (o) => {
      o.metadata.labels = {};
    });
    expect(violationsOf(RULE, objects)).toEqual([]);
  });
});
