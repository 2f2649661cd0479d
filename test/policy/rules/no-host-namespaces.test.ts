import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'no-host-namespaces';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags hostNetwork, hostPID and hostIPC each', () => {
    const objects = withChange(base, 'Deployment', 'agent-sandbox-system/agent-sandbox-controller', (o) => {
      Object.assign(o.spec.template.spec, { hostNetwork: true, hostPID: true, hostIPC: true });
    });
    const object = 'Deployment agent-sandbox-system/agent-sandbox-controller';
    expect(where(violationsOf(RULE, objects))).toEqual([
      { rule: RULE, object, path: 'spec.template.spec.hostIPC' },
      { rule: RULE, object, path: 'spec.template.spec.hostNetwork' },
      { rule: RULE, object, path: 'spec.template.spec.hostPID' },
    ]);
  });
});
