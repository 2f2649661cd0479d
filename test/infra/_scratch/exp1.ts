import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import * as random from '@pulumi/random';

const seen: string[] = [];
await pulumi.runtime.setMocks({
  newResource: (args) => { seen.push(`${args.type} ${args.name} custom=${args.custom} inputs=${JSON.stringify(args.inputs).slice(0,200)}`); return { id: `${args.name}-id`, state: { ...args.inputs, ...(args.type==='random:index/randomPassword:RandomPassword' ? { result: 'pw-value' } : {}) } }; },
  call: (args) => args.inputs,
}, 'paddock', 'local', false);
pulumi.runtime.setAllConfig({ 'paddock:x': '{"a":1}', 'paddock:teamSecrets': '{"t":{"A":"v"}}' }, ['paddock:teamSecrets']);
const parents: string[] = [];
const outputs = await pulumi.runtime.runInPulumiStack(async () => {
  pulumi.runtime.registerStackTransformation((args) => { parents.push(`${args.type} ${args.name} parent=${args.opts.parent ? pulumi.resourceType(args.opts.parent) + ' ' + pulumi.resourceName(args.opts.parent) : '-'}`); return undefined; });
  class C extends pulumi.ComponentResource { constructor(n: string, o?: pulumi.ComponentResourceOptions) { super('paddock:index:Thing', n, {}, o); this.registerOutputs({}); } }
  const c = new C('thing');
  const pw = new random.RandomPassword('pw', { length: 10 }, { parent: c });
  const cfg = new pulumi.Config('paddock');
  const ts = cfg.requireSecretObject<Record<string, Record<string,string>>>('teamSecrets');
  const s = new k8s.core.v1.Secret('s', { metadata: { name: 's', namespace: 'n' }, stringData: { a: ts.apply(t => t.t!.A!), b: pw.result } }, { parent: c });
  const s2 = new k8s.core.v1.Secret('s2', { metadata: { name: 's2', namespace: 'n' }, stringData: { plain: 'p' } }, { parent: c });
  const isS = await new Promise(r => pulumi.all([pulumi.isSecret(s.stringData), pulumi.isSecret(s2.stringData), pulumi.isSecret(pw.result), pulumi.isSecret(ts)]).apply(v => r(v)));
  console.log('isSecret', isS);
  return { token: pw.result, plain: 'x' };
});
console.log(seen.join('\n'));
console.log(parents.join('\n'));
console.log('outputs', outputs);
