/**
 * The kubectl commands written in README.md, docs/ and scripts/ name objects that exist: their
 * namespaces, `svc/`, `deployment/` and `statefulset/` references, the Service port a
 * port-forward reaches, and the kind context, against the committed manifests and the shipped
 * stacks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../charts-synth/kube-object.ts';
import { committedObjects } from '../infra/support/program-run.ts';
import { SHIPPED_STACKS, shippedSpec } from '../support/fixtures.ts';

interface KubectlCommand {
  readonly where: string;
  readonly namespace?: string;
  readonly context?: string;
  readonly refs: readonly { kind: string; name: string }[];
  /** the remote port of `port-forward svc/x LOCAL:REMOTE` */
  readonly forwardedPort?: number;
}

const KINDS: Record<string, string> = { svc: 'Service', service: 'Service', deploy: 'Deployment', deployment: 'Deployment', sts: 'StatefulSet', statefulset: 'StatefulSet' };
const literal = (word: string | undefined) => (word && !/[$<]/.test(word) ? word.replace(/^["']|["']$/g, '') : undefined);

/** kubectl commands of a text (a line's `kubectl` up to a comment, pipe or end of inline code). */
function kubectlCommands(file: string, text: string): KubectlCommand[] {
  return text.split('\n').flatMap((line, i) =>
    [...line.matchAll(/\bkubectl\s+([^`#|\n]*)/g)].flatMap((m) => {
      const words = m[1]!.trim().split(/\s+/);
      if (words.length < 2) return [];
      const after = (flags: readonly string[]) => {
        const at = words.findIndex((w) => flags.includes(w));
        return at >= 0 ? literal(words[at + 1]) : undefined;
      };
      const refs = words.flatMap((w) => {
        const ref = /^(svc|service|deploy|deployment|sts|statefulset)\/([a-z0-9-]+)$/.exec(w);
        return ref ? [{ kind: KINDS[ref[1]!]!, name: ref[2]! }] : [];
      });
      const forward = words.includes('port-forward') ? /^["']?(?:[^:\s]+):(\d+)["']?$/.exec(words.find((w) => /:\d+["']?$/.test(w)) ?? '') : null;
      const namespace = after(['-n', '--namespace']);
      const context = after(['--context']);
      return [{ where: `${file}:${i + 1}`, refs, ...(namespace ? { namespace } : {}), ...(context ? { context } : {}), ...(forward ? { forwardedPort: Number(forward[1]) } : {}) }];
    }),
  );
}

function documents(): string[] {
  const md = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? md(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []));
  return ['README.md', ...md('docs'), ...readdirSync('scripts').filter((f) => f.endsWith('.sh')).map((f) => join('scripts', f))];
}

const objects: KubeObject[] = SHIPPED_STACKS.flatMap((stack) => committedObjects(stack));
const commands = documents().flatMap((file) => kubectlCommands(file, readFileSync(file, 'utf8')));
const kindContexts = SHIPPED_STACKS.map((s) => shippedSpec(s)).filter((s) => s.platform.environment === 'kind').map((s) => `kind-${s.platform.clusterName}`);

describe('kubectl in the docs and scripts', () => {
  it('finds the commands', () => {
    expect(commands.filter((c) => c.refs.length > 0).length).toBeGreaterThan(0);
    expect(commands.some((c) => c.where.startsWith('scripts/e2e-kind.sh') && c.forwardedPort !== undefined)).toBe(true);
  });

  it('names namespaces, objects and Service ports the manifests have', () => {
    const problems: string[] = [];
    const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
    for (const command of commands) {
      if (command.namespace && !namespaces.has(command.namespace)) problems.push(`${command.where}: no namespace ${command.namespace} in manifests/`);
      for (const ref of command.refs) {
        const found = objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name && (command.namespace === undefined || o.metadata.namespace === command.namespace));
        if (!found) {
          problems.push(`${command.where}: no ${ref.kind} ${command.namespace ?? '*'}/${ref.name} in manifests/`);
          continue;
        }
        const ports = ((found.spec as { ports?: { port: number }[] } | undefined)?.ports ?? []).map((p) => p.port);
        if (ref.kind === 'Service' && command.forwardedPort !== undefined && !ports.includes(command.forwardedPort)) problems.push(`${command.where}: Service ${ref.name} has no port ${command.forwardedPort} (it has ${ports.join(', ')})`);
      }
      if (command.context?.startsWith('kind-') && !kindContexts.includes(command.context)) problems.push(`${command.where}: context ${command.context} is not one of a kind stack (${kindContexts.join(', ')})`);
    }
    expect(problems).toEqual([]);
  });

  it('reads a command apart', () => {
    const [command] = kubectlCommands('x.md', '`kubectl --context kind-a -n paddock-system port-forward svc/paddock-runtime "${PORT}:8080" >log &`');
    expect(command).toEqual({ where: 'x.md:1', namespace: 'paddock-system', context: 'kind-a', refs: [{ kind: 'Service', name: 'paddock-runtime' }], forwardedPort: 8080 });
    expect(kubectlCommands('x.sh', 'kubectl --context "$context" rollout status deployment/x')[0]).toEqual({ where: 'x.sh:1', refs: [{ kind: 'Deployment', name: 'x' }] });
  });
});
