import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runtimeControllerObjects } from '../../../charts-synth/charts/runtime-controller.ts';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { runtimeConfigSchema } from '../../../config/runtime-config.ts';
import { shippedSpec } from '../../support/fixtures.ts';

type Json = Record<string, any>;
const find = (objects: KubeObject[], kind: string, name: string): Json => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found as Json;
};

describe('runtime controller chart', () => {
  const prod = runtimeControllerObjects(shippedSpec('prod'));
  const local = runtimeControllerObjects(shippedSpec('local'));

  it('renders the config map the runtime validates at start-up', () => {
    const data = find(prod, 'ConfigMap', 'paddock-runtime-config').data['config.json'];
    const config = runtimeConfigSchema.parse(JSON.parse(data));
    expect(config.teams.map((t) => t.namespace)).toEqual(['team-data-science', 'team-payments', 'team-web-platform']);
    expect(config.teams[2]!.harnesses.map((h) => [h.name, h.warmPool, h.port])).toEqual([['claude-code', 'claude-code', 8080], ['codex', 'codex', 8080]]);
  });

  it('rolls the Deployment when its config changes', () => {
    const checksum = (objects: KubeObject[]) => find(objects, 'Deployment', 'paddock-runtime').spec.template.metadata.annotations['paddock.dev/config-sha256'];
    const data = find(prod, 'ConfigMap', 'paddock-runtime-config').data['config.json'];
    expect(checksum(prod)).toBe(createHash('sha256').update(data).digest('hex'));
    expect(checksum(local)).not.toBe(checksum(prod));
  });

  it('takes the database URL from a Secret reference, never a value', () => {
    const env = find(prod, 'Deployment', 'paddock-runtime').spec.template.spec.containers[0].env;
    expect(env.find((e: Json) => e.name === 'DATABASE_URL')).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'paddock-database', key: 'url' } } });
  });

  it('is highly available in prod: replicas, spread, PDB', () => {
    const deployment = find(prod, 'Deployment', 'paddock-runtime');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.topologySpreadConstraints.map((c: Json) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(find(prod, 'PodDisruptionBudget', 'paddock-runtime').spec.minAvailable).toBe(2);
  });

  it('grants sandbox claims through a ClusterRole that is never bound cluster-wide', () => {
    expect(find(prod, 'ClusterRole', 'paddock-runtime-sandbox-claims').rules).toEqual([
      { apiGroups: ['extensions.agents.x-k8s.io'], resources: ['sandboxclaims'], verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'] },
    ]);
    expect(prod.some((o) => o.kind === 'ClusterRoleBinding')).toBe(false);
  });

  it('reaches the database in-cluster on kind and in the VPC on eks', () => {
    const egress = (objects: KubeObject[]) => find(objects, 'NetworkPolicy', 'paddock-runtime').spec.egress as Json[];
    expect(egress(local)[1]).toEqual({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'paddock-postgres' } } }], ports: [{ protocol: 'TCP', port: 5432 }] });
    expect(egress(prod)[1]).toEqual({ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] });
    expect(egress(local)[0]!.to[0]).toEqual({ ipBlock: { cidr: '10.96.0.1/32' } });
  });
});
