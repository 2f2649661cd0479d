/**
 * How long the manifest policy takes per stack size (run: npm run bench:policy).
 * Prints the median of several runs for 10, 100 and 1000 teams of the compliant fixture
 * (about 16 objects per team), for 1000 teams that each have their own egress allow-list (no
 * two share a policy shape), and for 1000 teams where every team can reach every other (the
 * worst case for the pairwise isolation rule: every ordered pair is reachable).
 */
import { checkManifests } from '../policy/index.ts';
import { compliantStack, withChange } from '../test/policy/fixtures/stack.ts';
import type { KubeObject } from '../charts-synth/kube-object.ts';

const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median wall and CPU time of RUNS checks after one warm-up (CPU time is steadier on a shared machine). */
function measure(label: string, objects: readonly KubeObject[]): number {
  const wall: number[] = [];
  const cpu: number[] = [];
  let violations = checkManifests(objects).length;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    violations = checkManifests(objects).length;
    const used = process.cpuUsage(startCpu);
    wall.push(performance.now() - start);
    cpu.push((used.user + used.system) / 1000);
  }
  const ms = median(wall);
  console.log(`${label.padEnd(44)} ${String(objects.length).padStart(6)} objects  wall ${ms.toFixed(0).padStart(6)} ms  cpu ${median(cpu).toFixed(0).padStart(6)} ms  (${violations} violations)`);
  return ms;
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `team${String(i).padStart(4, '0')}`);
const results = new Map<number, number>();
for (const n of [10, 100, 1000]) results.set(n, measure(`${n} teams, compliant`, compliantStack(names(n))));

// prod-like: every team has its own egress allow-list, so no two teams share a policy shape
const distinct = compliantStack(names(1000)).map((o, i) => {
  if (o.kind !== 'NetworkPolicy' || o.metadata.name !== 'allow-egress-list') return o;
  return withChange([o], 'NetworkPolicy', `${o.metadata.namespace}/allow-egress-list`, (p) => {
    p.spec.egress[0].to[0].ipBlock.cidr = `203.0.${i % 250}.0/24`;
    p.spec.egress[0].ports = [{ protocol: 'TCP', port: 1024 + (i % 5000) }];
  })[0]!;
});
measure('1000 teams, distinct egress allow-lists', distinct);

// every team admits every other team both ways: one violation per source, 999 reachable targets each
let open = compliantStack(names(1000));
open = open.map((o) => {
  if (o.kind !== 'NetworkPolicy' || o.metadata.name !== 'allow-dns') return o;
  return withChange([o], 'NetworkPolicy', `${o.metadata.namespace}/allow-dns`, (p) => {
    p.spec.egress.push({ to: [{ namespaceSelector: { matchLabels: { 'paddock.dev/team-namespace': 'true' } } }] });
    p.spec.ingress = [{ from: [{ namespaceSelector: { matchLabels: { 'paddock.dev/team-namespace': 'true' } } }] }];
    p.spec.policyTypes = ['Ingress', 'Egress'];
  })[0]!;
});
measure('1000 teams, every team reaches every other', open);

console.log(`t(1000)/t(100) = ${(results.get(1000)! / results.get(100)!).toFixed(1)}`);
