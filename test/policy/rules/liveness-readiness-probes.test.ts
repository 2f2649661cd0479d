import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange, workload } from '../fixtures/stack.ts';

const RULE = 'liveness-readiness-probes';
const base = compliantStack();

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a Deployment container without a readiness probe', () => {
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      delete o.spec.template.spec.containers[0].readinessProbe;
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'Deployment paddock-system/paddock-runtime', path: 'spec.template.spec.containers[0]' }]);
    expect(found[0]!.message).toContain('no readinessProbe');
  });

  it('flags a sandbox template (sandboxes are long-running) without probes', () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-alpha/codex', (o) => {
      delete o.spec.podTemplate.spec.containers[0].readinessProbe;
      delete o.spec.podTemplate.spec.containers[0].livenessProbe;
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: 'SandboxTemplate team-alpha/codex', path: 'spec.podTemplate.spec.containers[0]' }]);
    expect(found[0]!.message).toContain('no livenessProbe or readinessProbe');
  });

  it('exempts Jobs, CronJobs and plain init containers, but not sidecars', () => {
    const jobs = [...base, workload('Job', 'team-alpha', 'migrate'), workload('CronJob', 'team-alpha', 'vacuum')];
    expect(violationsOf(RULE, jobs)).toEqual([]);
    const withInit = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      const spec = o.spec.template.spec;
      const bare = { ...structuredClone(spec.containers[0]), livenessProbe: undefined, readinessProbe: undefined };
      spec.initContainers = [{ ...bare, name: 'wait-for-db' }, { ...bare, name: 'log-shipper', restartPolicy: 'Always' }];
    });
    expect(where(violationsOf(RULE, withInit))).toEqual([{ rule: RULE, object: 'Deployment paddock-system/paddock-runtime', path: 'spec.template.spec.initContainers[1]' }]);
  });
});
