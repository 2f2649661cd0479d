/**
 * Child process of the stack-outputs test: runs the real Pulumi program of a shipped stack
 * under mocks (the Pulumi runtime is process-global, one stack per process) and prints
 * `{"outputs": [...names], "teams": [...]}`.
 */
import { runShippedStack } from '../../infra/support/program-run.ts';

const stack = process.argv[2];
if (stack !== 'local' && stack !== 'prod') throw new Error(`usage: print-stack-outputs.ts local|prod (got ${stack})`);
const run = await runShippedStack(stack);
process.stdout.write(`${JSON.stringify({ outputs: run.plan.outputs.map((o) => o.name).sort(), teams: run.spec.teams.map((t) => t.name) })}\n`);
