/**
 * README.md's worked example, done for real: the team in its diff block is added to the local
 * stack's config and synthesized; the files that change, and the objects of the new team's
 * file, are the ones the README lists. Its example error lines are what validation prints for
 * a stack file with those mistakes, all at once.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject } from '../../charts-synth/kube-object.ts';
import { renderChartYaml } from '../../charts-synth/render.ts';
import { synthesizeStack } from '../../charts-synth/synthesize.ts';
import { ConfigError } from '../../config/errors.ts';
import { readStackFile } from '../../config/stack-file.ts';
import { validatePlatformConfig } from '../../config/validate.ts';
import { harnessRegistry } from '../support/fixtures.ts';

const readme = readFileSync('README.md', 'utf8');
const section = readme.slice(readme.indexOf('## Adding a team'), readme.indexOf('## Config reference'));
const stackFile = readStackFile('stacks/Pulumi.local.yaml');
const baseTeams = stackFile.config['paddock:teams'] as unknown[];

function validate(teams: unknown[]) {
  return validatePlatformConfig({ ...stackFile.config, 'paddock:teams': teams }, { file: stackFile.path, stack: stackFile.stack, registry: harnessRegistry() });
}

function rendered(teams: unknown[]): Map<string, string> {
  return new Map(synthesizeStack(validate(teams)).map((c) => [c.file, renderChartYaml(c, 'local')]));
}

/** The team the README's diff block adds. */
function exampleTeam(): Record<string, unknown> {
  const diff = /```diff\n([\s\S]*?)```/.exec(section)?.[1];
  if (!diff) throw new Error('README.md: no ```diff block in "Adding a team"');
  const added = diff.split('\n').filter((l) => l.startsWith('+')).map((l) => l.slice(1).replace(/^ {4}/, ''));
  const [team] = parse(added.join('\n')) as Record<string, unknown>[];
  return team!;
}

/** The bullets after "The change to review is exactly:" → file → its text. */
function documentedChanges(): Map<string, string> {
  const list = section.slice(section.indexOf('The change to review is exactly:'));
  const bullets = list.split(/\n- /).slice(1).map((b) => b.split('\n\n')[0]!.replace(/\s+/g, ' '));
  return new Map(bullets.map((b) => [/`manifests\/local\/([^`]+)`/.exec(b)![1]!, b]));
}

describe('README worked example: adding a team', () => {
  const team = exampleTeam();

  it('changes exactly the files the README lists', () => {
    const before = rendered(baseTeams);
    const after = rendered([...baseTeams, team]);
    const changed = [...after.keys()].filter((f) => before.get(f) !== after.get(f)).sort();
    expect([...before.keys()].filter((f) => !after.has(f))).toEqual([]);
    expect(changed).toEqual([...documentedChanges().keys()].sort());
    expect(documentedChanges().get(`team-${team.name as string}.k8s.yaml`)).toContain('(new)');
    expect(before.has(`team-${team.name as string}.k8s.yaml`)).toBe(false);
  });

  it('puts in the new team\'s file exactly the objects the README names', () => {
    const chart = synthesizeStack(validate([...baseTeams, team])).find((c) => c.name === `team-${team.name as string}`)!;
    const text = documentedChanges().get(chart.file)!;
    // every kind is named (NetworkPolicies for several), and every backticked name is an object's
    const kinds = [...new Set(chart.objects.map((o) => o.kind))];
    for (const kind of kinds) {
      const plural = kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : `${kind}s`;
      expect(text, kind).toMatch(new RegExp(`\\b(${kind}|${plural})\\b`));
    }
    const names = new Set(chart.objects.map((o) => o.metadata.name));
    const documented = [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).filter((n) => !n.startsWith('manifests/'));
    for (const name of documented) expect(names.has(name), `${name} in ${chart.file}`).toBe(true);
    const policies = chart.objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name).sort();
    expect(documented.filter((n) => policies.includes(n)).sort()).toEqual(policies);
  });

  it('changes in runtime.k8s.yaml only the runtime\'s ConfigMap and the config checksum on its pod template', () => {
    const objects = (teams: unknown[]) => synthesizeStack(validate(teams)).find((c) => c.name === 'runtime')!.objects;
    const before = objects(baseTeams);
    const after = objects([...baseTeams, team]);
    const changed = after.filter((o, i) => JSON.stringify(o) !== JSON.stringify(before[i])).map((o) => `${o.kind} ${o.metadata.name}`);
    expect(changed.sort()).toEqual(['ConfigMap paddock-runtime-config', 'Deployment paddock-runtime']);
    const withoutTemplateAnnotations = (o: KubeObject) => {
      const copy = structuredClone(o) as KubeObject & { spec: { template: { metadata: { annotations?: unknown } } } };
      delete copy.spec.template.metadata.annotations;
      return copy;
    };
    const deployment = (list: readonly KubeObject[]) => withoutTemplateAnnotations(list.find((o) => o.kind === 'Deployment')!);
    expect(deployment(after)).toEqual(deployment(before));
    expect(documentedChanges().get('runtime.k8s.yaml')).toMatch(/ConfigMap.*checksum on the runtime's pod template/);
  });

  it('prints the README\'s example errors, all at once, for a stack file with those mistakes', () => {
    const block = /written, e\.g\.\n\n```\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block, 'the example error block').toBeDefined();
    const documented = block!.trim().split('\n');
    // "Mobile Team" as a name, warm pools needing 6 CPUs of a quota of 4, "quotas" for "quota"
    const mistaken = { ...team, name: 'Mobile Team', harnesses: [{ name: 'codex', warmPool: 3 }], quota: { cpu: '4', memory: '16Gi', maxSandboxes: 4 }, quotas: {} };
    let lines: string[] = [];
    try {
      validate([...baseTeams, mistaken]);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      lines = error.lines;
    }
    expect(lines).toEqual(documented);
  });
});
