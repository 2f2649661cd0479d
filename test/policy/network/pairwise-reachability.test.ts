import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-synth/kube-object.ts';
import { NetworkPolicyEvaluator, type PodEndpoint } from '../../../policy/network/evaluator.ts';
import { findCrossNamespaceReachability } from '../../../policy/network/pairwise-reachability.ts';

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomStack(seed: number, count: number): { objects: KubeObject[]; endpoints: Map<string, PodEndpoint[]> } {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const names = Array.from({ length: count }, (_, i) => `ns-${i}`);
  const objects: KubeObject[] = names.map((name, i) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { group: String(i % 3), team: name } } }));
  const namespaceSelectors = [{}, { matchLabels: { group: '0' } }, { matchLabels: { group: '1' } }, { matchExpressions: [{ key: 'group', operator: 'NotIn', values: ['2'] }] }, { matchLabels: { team: pick(names) } }, { matchLabels: { 'kubernetes.io/metadata.name': 'orphan' } }];
  const podSelectors = [{}, { matchLabels: { role: 'a' } }, { matchLabels: { role: 'b' } }, { matchExpressions: [{ key: 'role', operator: 'Exists' }] }];
  const peer = () => {
    const r = next();
    if (r < 0.3) return { podSelector: pick(podSelectors) };
    if (r < 0.55) return { namespaceSelector: pick(namespaceSelectors) };
    if (r < 0.8) return { namespaceSelector: pick(namespaceSelectors), podSelector: pick(podSelectors) };
    return { ipBlock: next() < 0.5 ? { cidr: '10.0.0.0/8' } : { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } };
  };
  const ports = () => (next() < 0.4 ? undefined : [{ protocol: 'TCP', port: pick([80, 443, 8080]) }]);
  const rule = (direction: 'to' | 'from') => {
    const result: Record<string, unknown> = {};
    if (next() < 0.85) result[direction] = Array.from({ length: 1 + Math.floor(next() * 2) }, peer);
    const p = ports();
    if (p) result.ports = p;
    return result;
  };
  names.forEach((namespace, i) => {
    if (next() < 0.8) objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
    const extra = Math.floor(next() * 3);
    for (let j = 0; j < extra; j++) {
      const types = pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
      objects.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `p${j}`, namespace },
        spec: {
          podSelector: pick(podSelectors),
          policyTypes: types,
          ...(types.includes('Ingress') ? { ingress: Array.from({ length: Math.floor(next() * 2) }, () => rule('from')) } : {}),
          ...(types.includes('Egress') ? { egress: Array.from({ length: Math.floor(next() * 2) }, () => rule('to')) } : {}),
        },
      });
    }
    void i;
  });
  // "orphan" has pods but no Namespace object: selectors must still find it by name
  const endpoints = new Map([...names, 'orphan'].map((n) => [n, [{ namespace: n, labels: { role: 'a' } }, { namespace: n, labels: { role: 'b' } }, { namespace: n, labels: {} }] as PodEndpoint[]]));
  return { objects, endpoints };
}

function bruteForce(evaluator: NetworkPolicyEvaluator, endpoints: Map<string, PodEndpoint[]>): string[] {
  const pairs: string[] = [];
  for (const [a, sources] of endpoints) {
    for (const [b, destinations] of endpoints) {
      if (a === b) continue;
      if (sources.some((from) => destinations.some((to) => !evaluator.allowedPorts(from, to).isEmpty()))) pairs.push(`${a}->${b}`);
    }
  }
  return pairs.sort();
}

describe('findCrossNamespaceReachability', () => {
  const counts: number[] = [];
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('agrees with checking every pair pod by pod (random stack %i)', (seed) => {
    const { objects, endpoints } = randomStack(seed, 12);
    const evaluator = NetworkPolicyEvaluator.fromObjects(objects, { podCidrs: ['10.244.0.0/16'] });
    const found = findCrossNamespaceReachability(evaluator, endpoints);
    const fast = found.flatMap((r) => r.reachable.map((to) => `${r.namespace}->${to}`));
    for (const r of found) {
      // the example is a real connection to the first reachable namespace
      expect([r.example.from.namespace, r.example.to.namespace]).toEqual([r.namespace, r.reachable[0]]);
      expect(evaluator.allowedPorts(r.example.from, r.example.to)).toEqual(r.example.ports);
      expect(r.example.ports.isEmpty()).toBe(false);
    }
    expect(fast).toEqual(bruteForce(evaluator, endpoints));
    counts.push(fast.length);
  });

  it('exercised both isolated and connected pairs across the random stacks', () => {
    const pairs = 13 * 12;
    expect(counts.some((c) => c > 0 && c < pairs)).toBe(true);
    expect(counts.filter((c) => c === pairs).length).toBeLessThan(counts.length / 2);
  });

  it('returns a witness with every port it admits', () => {
    const objects: KubeObject[] = [
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'a' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'to-b', namespace: 'a' },
        spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } } }], ports: [{ port: 443 }, { port: 8080 }] }] },
      },
    ];
    const endpoints = new Map([
      ['a', [{ namespace: 'a', labels: {} }]],
      ['b', [{ namespace: 'b', labels: {} }]],
    ]);
    const found = findCrossNamespaceReachability(NetworkPolicyEvaluator.fromObjects(objects), endpoints);
    expect(found.map((r) => `${r.namespace}->${r.reachable.join(',')} ${r.example.ports.toString()}`)).toEqual(['a->b TCP/443, TCP/8080']);
  });
});
