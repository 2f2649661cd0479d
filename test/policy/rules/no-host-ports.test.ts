import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'no-host-ports';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack (hostPort 0 means none)', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.containers[0].ports[0].hostPort = 0;
    });
    expect(violationsOf(RULE, objects)).toEqual([]);
  });

  it('flags a container port bound on the node', () => {
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.containers[0].ports[0].hostPort = 8080;
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Deployment paddock-system/paddock-runtime', path: 'spec.template.spec.containers[0].ports[0].hostPort' }]);
    expect(found[0]!.message).toContain('binds port 8080 on the node');
  });
});
