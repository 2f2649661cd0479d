import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'no-service-account-token';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack, where the runtime and controller mount tokens under a waiver', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a workload that mounts a token without a waiver', () => {
    const objects = withChange(base, 'StatefulSet', 'paddock-system/paddock-postgres', (o) => {
      o.spec.template.spec.automountServiceAccountToken = true;
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'StatefulSet paddock-system/paddock-postgres', path: 'spec.template.spec.automountServiceAccountToken' }]);
  });

  it('follows an unset pod setting to the ServiceAccount, and to the default of true', () => {
    const unset = withChange(base, 'StatefulSet', 'paddock-system/paddock-postgres', (o) => {
      delete o.spec.template.spec.automountServiceAccountToken;
    });
    const found = violationsOf(RULE, unset);
    expect(where(found)).toEqual([{ rule: RULE, object: 'StatefulSet paddock-system/paddock-postgres', path: 'spec.template.spec.automountServiceAccountToken' }]);
    expect(found[0]!.message).toContain('defaults to true');

    const accountOff = [...unset, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'paddock-system' }, automountServiceAccountToken: false }];
    expect(violationsOf(RULE, accountOff)).toEqual([]);
  });

  it('treats an unset SandboxTemplate pod as token-less (the controller sets false), but not a Sandbox', () => {
    const template = withChange(base, 'SandboxTemplate', 'team-alpha/codex', (o) => {
      delete o.spec.podTemplate.spec.automountServiceAccountToken;
      o.spec.podTemplate.spec.serviceAccountName = 'some-account';
    });
    expect(violationsOf(RULE, template)).toEqual([]);
    const explicit = withChange(base, 'SandboxTemplate', 'team-alpha/codex', (o) => {
      o.spec.podTemplate.spec.automountServiceAccountToken = true;
    });
    expect(where(violationsOf(RULE, explicit))).toEqual([{ rule: RULE, object: 'SandboxTemplate team-alpha/codex', path: 'spec.podTemplate.spec.automountServiceAccountToken' }]);
  });
});
