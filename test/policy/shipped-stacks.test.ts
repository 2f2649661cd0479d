/**
 * The policy over the stacks we ship, synthesized the way `paddock synth` does: every rule
 * passes, and, checked pair by pair with the NetworkPolicy evaluator (no shortcuts), no team
 * reaches another team, and no sandbox reaches the metadata endpoint, the API server, the
 * database or the runtime, while the runtime does reach every sandbox's harness port.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { synthesizeStack, stackObjects } from '../../charts-synth/synthesize.ts';
import { HARNESS_LABEL, POSTGRES_NAME, PADDOCK_SYSTEM_NAMESPACE, RUNTIME_NAME } from '../../config/names.ts';
import { listStackFiles, loadPlatformSpec } from '../../config/stack-file.ts';
import { loadHarnessRegistry } from '../../harnesses/registry.ts';
import { checkManifests, formatViolation, NetworkPolicyEvaluator, policyOptionsForSpec, type PodEndpoint } from '../../policy/index.ts';
import { PolicyContext } from '../../policy/context.ts';
import { endpointOf } from '../../policy/network/endpoints.ts';
import { formatAddress, parseIpRange } from '../../policy/network/ip-range.ts';
import { describeEndpoint } from '../../policy/network/evaluator.ts';

const stacksDir = fileURLToPath(new URL('../../stacks/', import.meta.url));
const registry = loadHarnessRegistry();

/** The n-th address of a range ("10.96.0.0/12", 1 -> "10.96.0.1"). */
function addressIn(cidr: string, offset: bigint): string {
  const range = parseIpRange(cidr)!;
  return formatAddress(range.family, range.start + offset);
}

describe.each(listStackFiles(stacksDir).map((file) => [file.replace(/^.*Pulumi\.(.+)\.yaml$/, '$1'), file]))('stack %s', (_, file) => {
  const spec = loadPlatformSpec(file, registry);
  const objects = stackObjects(synthesizeStack(spec));
  const options = policyOptionsForSpec(spec);
  const context = new PolicyContext(objects, options);
  const evaluator = NetworkPolicyEvaluator.fromObjects(objects, options);
  const teams = context.teamEndpoints();
  const sandboxes = context.podSites().filter((site) => site.object.kind === 'SandboxTemplate').map(endpointOf);
  const platformPod = (name: string): PodEndpoint => {
    const site = context.podSites().find((s) => s.namespace === PADDOCK_SYSTEM_NAMESPACE && s.object.metadata.name === name);
    if (!site) throw new Error(`stack renders no ${name} in ${PADDOCK_SYSTEM_NAMESPACE}`);
    return endpointOf(site);
  };

  it('passes every policy rule', () => {
    expect(checkManifests(objects, options).map(formatViolation)).toEqual([]);
  });

  it('renders a sandbox pod for every harness of every team', () => {
    expect(teams.size).toBe(spec.teams.length);
    expect(sandboxes).toHaveLength(spec.teams.reduce((n, t) => n + t.harnesses.length, 0));
  });

  it('admits no traffic between any ordered pair of team namespaces', () => {
    const leaks: string[] = [];
    for (const [a, sources] of teams) {
      for (const [b, destinations] of teams) {
        if (a === b) continue;
        for (const from of sources) {
          for (const to of destinations) {
            const ports = evaluator.allowedPorts(from, to);
            if (!ports.isEmpty()) leaks.push(`${describeEndpoint(from)} -> ${describeEndpoint(to)} on ${ports.toString()}`);
          }
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it('keeps sandboxes away from the metadata endpoint, the API server, the database and the runtime', () => {
    const { network, eks } = spec.platform;
    const apiServer = [
      { address: addressIn(network.serviceCidr, 1n), port: 443 }, // the kubernetes Service
      { address: addressIn(network.nodeCidr, 2n), port: 6443 }, // a control-plane node (kind)
      { address: addressIn(eks?.vpcCidr ?? network.nodeCidr, 10n), port: 443 }, // API server ENIs (EKS)
    ];
    const database = platformPod(spec.platform.database.mode === 'in-cluster' ? POSTGRES_NAME : RUNTIME_NAME);
    const runtime = platformPod(RUNTIME_NAME);
    const reached: string[] = [];
    for (const sandbox of sandboxes) {
      for (const metadata of ['169.254.169.254', 'fd00:ec2::254']) if (evaluator.canReachAddress(sandbox, metadata)) reached.push(`${describeEndpoint(sandbox)} -> ${metadata}`);
      for (const { address, port } of apiServer) if (evaluator.canReachAddress(sandbox, address, { port })) reached.push(`${describeEndpoint(sandbox)} -> API server ${address}:${port}`);
      if (evaluator.canConnect(sandbox, database, { port: 5432 })) reached.push(`${describeEndpoint(sandbox)} -> database`);
      if (eks && evaluator.canReachAddress(sandbox, addressIn(eks.vpcCidr, 100n), { port: 5432 })) reached.push(`${describeEndpoint(sandbox)} -> RDS in the VPC`);
      if (!evaluator.allowedPorts(sandbox, runtime).isEmpty()) reached.push(`${describeEndpoint(sandbox)} -> runtime`);
    }
    expect(reached).toEqual([]);
  });

  it("lets sandboxes reach their team's egress allow-list, on the listed ports only", () => {
    for (const team of spec.teams) {
      const pods = sandboxes.filter((s) => s.namespace === team.namespace);
      for (const rule of team.egress) {
        const address = addressIn(rule.cidr, 1n);
        for (const pod of pods) {
          for (const port of rule.ports) expect(evaluator.canReachAddress(pod, address, { port, protocol: rule.protocol }), `${describeEndpoint(pod)} -> ${address}:${port}`).toBe(true);
          expect(evaluator.canReachAddress(pod, address, { port: 1 })).toBe(false);
        }
      }
    }
  });

  it('lets the runtime reach every sandbox on its harness port, and nothing else of it', () => {
    const runtime = platformPod(RUNTIME_NAME);
    for (const sandbox of sandboxes) {
      const harness = spec.teams.flatMap((t) => t.harnesses).find((h) => h.name === sandbox.labels[HARNESS_LABEL])!;
      expect(evaluator.allowedPorts(runtime, sandbox).toString(), describeEndpoint(sandbox)).toBe(`TCP/${harness.definition.port}`);
    }
  });
});
