import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'drop-all-capabilities';
const base = compliantStack();
const RUNTIME = 'Deployment paddock-system/paddock-runtime';
const CAPS = 'spec.template.spec.containers[0].securityContext.capabilities';

describe(RULE, () => {
  it('passes the compliant stack, and NET_BIND_SERVICE may be added back', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.containers[0].securityContext.capabilities.add = ['NET_BIND_SERVICE'];
    });
    expect(violationsOf(RULE, objects)).toEqual([]);
  });

  it('flags a container that drops only some capabilities', () => {
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.containers[0].securityContext.capabilities.drop = ['NET_RAW'];
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: RUNTIME, path: `${CAPS}.drop` }]);
  });

  it('flags a container that adds a capability other than NET_BIND_SERVICE', () => {
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.containers[0].securityContext.capabilities.add = ['NET_BIND_SERVICE', 'SYS_ADMIN'];
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: RUNTIME, path: `${CAPS}.add` }]);
    expect(found[0]!.message).toContain('adds capabilities SYS_ADMIN');
  });
});
