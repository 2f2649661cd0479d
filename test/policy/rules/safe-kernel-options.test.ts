import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'safe-kernel-options';
const base = compliantStack();
const OBJECT = 'SandboxTemplate team-alpha/claude-code';
const SPEC = 'spec.podTemplate.spec';

describe(RULE, () => {
  it('passes the compliant stack, with a safe sysctl', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
    const objects = withChange(base, 'SandboxTemplate', 'team-alpha/claude-code', (o) => {
      o.spec.podTemplate.spec.securityContext.sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }];
    });
    expect(violationsOf(RULE, objects)).toEqual([]);
  });

  it('flags unsafe sysctls, Unmasked /proc, custom SELinux types and Unconfined AppArmor', () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-alpha/claude-code', (o) => {
      const spec = o.spec.podTemplate.spec;
      spec.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '65536' }];
      spec.securityContext.appArmorProfile = { type: 'Unconfined' };
      spec.containers[0].securityContext.procMount = 'Unmasked';
      spec.containers[0].securityContext.seLinuxOptions = { type: 'spc_t' };
    });
    expect(where(violationsOf(RULE, objects))).toEqual([
      { rule: RULE, object: OBJECT, path: `${SPEC}.containers[0].securityContext.procMount` },
      { rule: RULE, object: OBJECT, path: `${SPEC}.containers[0].securityContext.seLinuxOptions` },
      { rule: RULE, object: OBJECT, path: `${SPEC}.securityContext.appArmorProfile` },
      { rule: RULE, object: OBJECT, path: `${SPEC}.securityContext.sysctls[0]` },
    ]);
  });
});
