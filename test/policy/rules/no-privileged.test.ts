import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'no-privileged';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack (privileged: false is fine)', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
    const objects = withChange(base, 'SandboxTemplate', 'team-alpha/codex', (o) => {
      o.spec.podTemplate.spec.containers[0].securityContext.privileged = false;
    });
    expect(violationsOf(RULE, objects)).toEqual([]);
  });

  it('flags a privileged sandbox container', () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-alpha/codex', (o) => {
      o.spec.podTemplate.spec.containers[0].securityContext.privileged = true;
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'SandboxTemplate team-alpha/codex', path: 'spec.podTemplate.spec.containers[0].securityContext.privileged' }]);
  });
});
