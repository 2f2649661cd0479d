import { runPlan } from '../../../cli/plan.ts';
import { processIo } from '../../../cli/io.ts';
const code = await runPlan(process.argv.slice(2), processIo());
console.error('exit', code);
