import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'restricted-volume-types';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack and every restricted volume source', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.volumes.push(
        { name: 'config', configMap: { name: 'paddock-runtime-config' } },
        { name: 'creds', secret: { secretName: 'paddock-database' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
        { name: 'token', projected: { sources: [] } },
      );
    });
    expect(violationsOf(RULE, objects)).toEqual([]);
  });

  it('flags a hostPath volume', () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-beta/codex', (o) => {
      o.spec.podTemplate.spec.volumes.push({ name: 'docker', hostPath: { path: '/var/run/docker.sock' } });
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'SandboxTemplate team-beta/codex', path: 'spec.podTemplate.spec.volumes[1].hostPath' }]);
    expect(found[0]!.message).toContain("mounts the node's filesystem");
  });

  it('flags other sources restricted rejects (nfs)', () => {
    const objects = withChange(base, 'StatefulSet', 'paddock-system/paddock-postgres', (o) => {
      o.spec.template.spec.volumes.push({ name: 'backup', nfs: { server: 'nfs.local', path: '/backups' } });
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'StatefulSet paddock-system/paddock-postgres', path: 'spec.template.spec.volumes[1].nfs' }]);
  });
});
