import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'no-privilege-escalation';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a container that leaves allowPrivilegeEscalation unset (it defaults to true)', () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-alpha/claude-code', (o) => {
      delete o.spec.podTemplate.spec.containers[0].securityContext.allowPrivilegeEscalation;
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'SandboxTemplate team-alpha/claude-code', path: 'spec.podTemplate.spec.containers[0].securityContext.allowPrivilegeEscalation' }]);
    expect(found[0]!.message).toContain('defaults to true');
  });

  it('flags an explicit allowPrivilegeEscalation: true', () => {
    const objects = withChange(base, 'StatefulSet', 'paddock-system/paddock-postgres', (o) => {
      o.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'StatefulSet paddock-system/paddock-postgres', path: 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation' }]);
  });
});
