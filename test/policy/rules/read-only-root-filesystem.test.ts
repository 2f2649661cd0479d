import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'read-only-root-filesystem';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a container with a writable root filesystem', () => {
    const objects = withChange(base, 'StatefulSet', 'paddock-system/paddock-postgres', (o) => {
      o.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'StatefulSet paddock-system/paddock-postgres', path: 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem' }]);
  });

  it('flags an init container without the setting', () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-beta/codex', (o) => {
      const spec = o.spec.podTemplate.spec;
      spec.initContainers = [{ ...structuredClone(spec.containers[0]), name: 'seed-workspace', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }];
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'SandboxTemplate team-beta/codex', path: 'spec.podTemplate.spec.initContainers[0].securityContext.readOnlyRootFilesystem' }]);
  });
});
