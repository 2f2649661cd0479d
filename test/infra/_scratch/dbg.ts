import * as pulumi from '@pulumi/pulumi';
import { readStackFile } from '../../../config/stack-file.ts';
import { engineConfig, planConfigFromStackFile, withMissingSecretPlaceholders } from '../../../infra/plan/plan-config.ts';
import { loadProgramInputs, paddockProgram } from '../../../infra/program.ts';
import { paddockMocks } from '../../../infra/plan/mocks.ts';
const file = readStackFile('stacks/Pulumi.local.yaml');
const base = planConfigFromStackFile(file.config);
const inputs = loadProgramInputs('local', base.config, { missingTeamSecrets: 'report' });
const cfg = withMissingSecretPlaceholders(base, inputs.missingTeamSecrets);
const rec: string[] = [];
process.on('unhandledRejection', (e) => console.error('UNHANDLED', e));
await pulumi.runtime.setMocks(paddockMocks((r) => rec.push(r.type + ' ' + r.name), 'x'), 'paddock', 'local', false);
pulumi.runtime.setAllConfig(engineConfig(cfg.config), [...cfg.secretKeys]);
try {
  await pulumi.runtime.runInPulumiStack(async () => { const o = await paddockProgram(); return o; });
} catch (e) { console.error('ERR', e); }
console.log(rec.length);
await new Promise(r => setTimeout(r, 2000));
console.log(rec.length, rec.filter(x => x.startsWith('kubernetes')).slice(0,5));
