import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'run-as-non-root';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a container that overrides the pod-level runAsNonRoot with false', () => {
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.containers[0].securityContext.runAsNonRoot = false;
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Deployment paddock-system/paddock-runtime', path: 'spec.template.spec.containers[0].securityContext.runAsNonRoot' }]);
    expect(found[0]!.message).toContain('container "runtime" has runAsNonRoot: false');
  });

  it('flags a sandbox template whose pod sets runAsNonRoot nowhere', () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-alpha/codex', (o) => {
      delete o.spec.podTemplate.spec.securityContext.runAsNonRoot;
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'SandboxTemplate team-alpha/codex', path: 'spec.podTemplate.spec.securityContext.runAsNonRoot' }]);
  });

  it('accepts runAsNonRoot set on the container only, and checks init containers too', () => {
    const objects = withChange(base, 'StatefulSet', 'paddock-system/paddock-postgres', (o) => {
      const spec = o.spec.template.spec;
      delete spec.securityContext.runAsNonRoot;
      spec.containers[0].securityContext.runAsNonRoot = true;
      spec.initContainers = [{ ...structuredClone(spec.containers[0]), name: 'init-db', securityContext: { ...spec.containers[0].securityContext, runAsNonRoot: undefined } }];
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'StatefulSet paddock-system/paddock-postgres', path: 'spec.template.spec.securityContext.runAsNonRoot' }]);
    expect(violationsOf(RULE, objects)[0]!.message).toContain('init container "init-db"');
  });
});
