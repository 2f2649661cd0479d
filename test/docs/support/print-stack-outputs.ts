/**
 * Child process of the docs tests: runs the real Pulumi program of a shipped stack under mocks
 * (the Pulumi runtime is process-global, one stack per process) and prints
 * `{"outputs": [...names], "teams": [...], "urns": [...]}`, the URNs rebuilt from each resource's
 * type, name and chain of parents as the engine forms them.
 */
import { runShippedStack } from '../../infra/support/program-run.ts';
import { PROJECT } from '../../../infra/inputs/pulumi-config.ts';
import { STACK_TYPE, type PlannedResource } from '../../../infra/plan/offline-plan.ts';

const stack = process.argv[2];
if (stack !== 'local' && stack !== 'prod') throw new Error(`usage: print-stack-outputs.ts local|prod (got ${stack})`);
const run = await runShippedStack(stack);

const byRef = new Map<string, PlannedResource>(run.plan.resources.map((r) => [`${r.type}::${r.name}`, r]));
function qualifiedType(resource: PlannedResource): string {
  const parent = resource.parent && resource.parent.type !== STACK_TYPE ? byRef.get(`${resource.parent.type}::${resource.parent.name}`) : undefined;
  return parent ? `${qualifiedType(parent)}$${resource.type}` : resource.type;
}
const urns = run.plan.resources.map((r) => `urn:pulumi:${stack}::${PROJECT}::${qualifiedType(r)}::${r.name}`).sort();

process.stdout.write(`${JSON.stringify({ outputs: run.plan.outputs.map((o) => o.name).sort(), teams: run.spec.teams.map((t) => t.name), urns })}\n`);
