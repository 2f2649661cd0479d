import { loadPlatformSpec } from '../../../config/stack-file.ts';
import { loadHarnessRegistry } from '../../../harnesses/registry.ts';
import { synthesizeStack } from '../../../charts-synth/synthesize.ts';
const reg = loadHarnessRegistry();
for (const s of ['local', 'prod']) {
  const spec = loadPlatformSpec(`stacks/Pulumi.${s}.yaml`, reg);
  const charts = synthesizeStack(spec);
  for (const c of charts) console.log(s, c.name, c.wave, c.objects.map(o => `${o.apiVersion}/${o.kind}:${o.metadata.namespace ?? ''}/${o.metadata.name}`).join(' '));
}
