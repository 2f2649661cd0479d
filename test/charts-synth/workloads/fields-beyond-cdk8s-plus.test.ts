import { App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { describe, expect, it } from 'vitest';
import { PlatformChart } from '../../../charts-synth/platform-chart.ts';
import { addFieldsBeyondCdk8sPlus } from '../../../charts-synth/workloads/fields-beyond-cdk8s-plus.ts';

type Json = Record<string, any>;

function chart(): PlatformChart {
  return new PlatformChart(new App({ outdir: 'unused', recordConstructMetadata: false }), 'test');
}

function deploymentIn(c: PlatformChart): kplus.Deployment {
  return new kplus.Deployment(c, 'd', {
    metadata: { name: 'app', namespace: 'ns' },
    containers: [{
      name: 'app', image: 'registry.example.com/app:1.0.0', resources: {},
      ports: [{ name: 'http', number: 8080 }],
      liveness: kplus.Probe.fromHttpGet('/healthz', { port: 8080 }),
      volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(c, 'tmp', 'tmp') }],
    }],
  });
}

describe('addFieldsBeyondCdk8sPlus', () => {
  it('renders stack-file quantities verbatim (cdk8s-plus would write 1Gi as 1024Mi and cannot express 500M)', () => {
    const c = chart();
    addFieldsBeyondCdk8sPlus(deploymentIn(c), { containers: { app: { resources: { requests: { cpu: '250m', memory: '500M' }, limits: { cpu: '1.5', memory: '1Gi' } } } } });
    const [d] = c.toJson() as Json[];
    expect(d!.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '250m', memory: '500M' }, limits: { cpu: '1.5', memory: '1Gi' } });
  });

  it('adds spec, pod and container fields cdk8s-plus-30 does not model', () => {
    const c = chart();
    addFieldsBeyondCdk8sPlus(deploymentIn(c), {
      spec: { revisionHistoryLimit: 5 },
      pod: {
        seccompProfile: { type: 'RuntimeDefault' },
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'x' } } }],
      },
      containers: { app: { resources: { requests: { cpu: '1' } }, terminationMessagePolicy: 'FallbackToLogsOnError', probePortNames: { livenessProbe: 'http' } } },
    });
    const [d] = c.toJson() as Json[];
    const pod = d!.spec.template.spec;
    expect(d!.spec.revisionHistoryLimit).toBe(5);
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.topologySpreadConstraints).toHaveLength(1);
    expect(pod.containers[0].terminationMessagePolicy).toBe('FallbackToLogsOnError');
    expect(pod.containers[0].livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http', scheme: 'HTTP' });
  });

  it("mounts a StatefulSet's claim template volumes first, without adding them as pod volumes", () => {
    const c = chart();
    const sts = new kplus.StatefulSet(c, 's', {
      metadata: { name: 'db', namespace: 'ns' },
      containers: [{ name: 'db', image: 'registry.example.com/db:1.0.0', resources: {}, portNumber: 5432, volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(c, 'tmp', 'tmp') }] }],
    });
    addFieldsBeyondCdk8sPlus(sts, {
      spec: {
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } }],
      },
      containers: { db: { resources: { requests: { cpu: '1' } }, claimVolumeMounts: [{ name: 'data', mountPath: '/var/lib/data' }] } },
    });
    const s = (c.toJson() as Json[]).find((o) => o.kind === 'StatefulSet')!;
    expect(s.spec.volumeClaimTemplates[0].spec.resources).toEqual({ requests: { storage: '10Gi' } });
    expect(s.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(s.spec.template.spec.containers[0].volumeMounts.map((m: Json) => m.name)).toEqual(['data', 'tmp']);
    expect(s.spec.template.spec.volumes.map((v: Json) => v.name)).toEqual(['tmp']);
  });

  it("keeps no reference to the caller's objects", () => {
    const c = chart();
    const spread = [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' as const, labelSelector: { matchLabels: { app: 'x' } } }];
    const resources = { requests: { cpu: '1' } };
    addFieldsBeyondCdk8sPlus(deploymentIn(c), { pod: { topologySpreadConstraints: spread }, containers: { app: { resources } } });
    spread[0]!.labelSelector.matchLabels.app = 'changed';
    resources.requests.cpu = '2';
    const [d] = c.toJson() as Json[];
    expect(d!.spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels.app).toBe('x');
    expect(d!.spec.template.spec.containers[0].resources.requests.cpu).toBe('1');
  });

  it('names the workload and the problem for a wrong container, a container without resources, a wrong port or claim', () => {
    const fields = (app: object) => ({ containers: { app: { resources: { requests: { cpu: '1' } }, ...app } } });
    expect(() => addFieldsBeyondCdk8sPlus(deploymentIn(chart()), { containers: { web: { resources: {} } } })).toThrow('Deployment ns/app: has no container "web" (containers: app)');
    expect(() => addFieldsBeyondCdk8sPlus(deploymentIn(chart()), { containers: {} })).toThrow('Deployment ns/app: container "app" needs explicit resources');
    expect(() => addFieldsBeyondCdk8sPlus(deploymentIn(chart()), fields({ probePortNames: { livenessProbe: 'health' } }))).toThrow('Deployment ns/app: container "app" livenessProbe names port "health", which it does not declare');
    expect(() => addFieldsBeyondCdk8sPlus(deploymentIn(chart()), fields({ claimVolumeMounts: [{ name: 'data', mountPath: '/d' }] }))).toThrow('Deployment ns/app: container "app" mounts "data", which is no volumeClaimTemplate of it');
  });
});
