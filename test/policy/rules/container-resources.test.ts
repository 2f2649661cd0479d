import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'container-resources';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a container without a memory limit, naming what is missing', () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-alpha/codex', (o) => {
      delete o.spec.podTemplate.spec.containers[0].resources.limits.memory;
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'SandboxTemplate team-alpha/codex', path: 'spec.podTemplate.spec.containers[0].resources' }]);
    expect(found[0]!.message).toContain('has no limits.memory');
  });

  it('flags an init container with no resources at all', () => {
    const objects = withChange(base, 'StatefulSet', 'paddock-system/paddock-postgres', (o) => {
      const spec = o.spec.template.spec;
      spec.initContainers = [{ ...structuredClone(spec.containers[0]), name: 'init', resources: undefined }];
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'StatefulSet paddock-system/paddock-postgres', path: 'spec.template.spec.initContainers[0].resources' }]);
    expect(found[0]!.message).toContain('requests.cpu, requests.memory, limits.cpu, limits.memory');
  });

  it('flags a request above its limit', () => {
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.containers[0].resources.requests.cpu = '1500m';
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'Deployment paddock-system/paddock-runtime', path: 'spec.template.spec.containers[0].resources.requests.cpu' }]);
  });
});
