/**
 * .github/workflows/e2e-kind.yml (it runs only on GitHub): its structure, pinned actions and
 * tools, the images it builds against the ones the local stack loads into kind, and the order
 * of its steps.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KIND_NODE_IMAGES } from '../../../config/versions/container-images.ts';
import { locallyBuiltImages } from '../../../infra/kind/images.ts';
import { shippedSpec } from '../../support/fixtures.ts';

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}
interface Job {
  readonly 'runs-on': string;
  readonly 'timeout-minutes'?: number;
  readonly env?: Record<string, unknown>;
  readonly steps: Step[];
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const workflow = parse(readFileSync('.github/workflows/e2e-kind.yml', 'utf8')) as Workflow;
const job = workflow.jobs['e2e-kind']!;
const runs = job.steps.map((s) => s.run ?? '');
const stepIndex = (pattern: RegExp) => job.steps.findIndex((s) => pattern.test(s.run ?? ''));

describe('the e2e-kind workflow', () => {
  it('runs the npm script on a hosted Ubuntu runner with a timeout, read-only token and manual trigger', () => {
    expect(job['runs-on']).toMatch(/^ubuntu-/);
    expect(job['timeout-minutes']).toBeGreaterThan(0);
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(workflow.on)).toContain('workflow_dispatch');
    expect(runs.filter((r) => r.trim() === 'npm run e2e:kind')).toHaveLength(1);
  });

  it('pins every action to a commit SHA or a version tag', () => {
    const uses = job.steps.flatMap((s) => (s.uses ? [s.uses] : []));
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) expect(use, use).toMatch(/^[\w.-]+\/[\w.-]+@([0-9a-f]{40}|v\d+(\.\d+){0,2})$/);
    expect(job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe('20');
  });

  it('installs pinned Pulumi and kind releases, kind being the release of the local stack\'s node image', () => {
    expect(job.env?.PULUMI_VERSION).toMatch(/^3\.\d+\.\d+$/);
    expect(job.env?.KIND_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(runs.join('\n')).toContain('get.pulumi.com | sh -s -- --version "$PULUMI_VERSION"');
    expect(runs.join('\n')).toContain('sha256sum --check kind-linux-amd64.sha256sum');
    const nodeImage = shippedSpec('local').platform.kind!.nodeImage;
    const recorded = Object.values(KIND_NODE_IMAGES).find((entry) => entry.image === nodeImage);
    expect(recorded, `${nodeImage} is recorded in config/versions/container-images.ts`).toBeDefined();
    expect(job.env?.KIND_VERSION).toBe(recorded!.kindRelease);
  });

  it('builds exactly the images the local stack loads into kind, each from its Dockerfile, before the test', () => {
    const spec = shippedSpec('local');
    const dockerfileOf = new Map<string, string>([[spec.platform.runtime.image, 'runtime/Dockerfile']]);
    for (const team of spec.teams) for (const harness of team.harnesses) dockerfileOf.set(harness.definition.image, `harnesses/${harness.name}/Dockerfile`);
    const builds = [...runs.join('\n').matchAll(/docker build -t (\S+) -f (\S+) \.$/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(builds.map(([image]) => image).sort()).toEqual(locallyBuiltImages(spec));
    for (const [image, dockerfile] of builds) expect(dockerfile, image).toBe(dockerfileOf.get(image));
    expect(stepIndex(/docker build/)).toBeLessThan(stepIndex(/^npm run e2e:kind$/m));
  });

  it('logs in to a local Pulumi backend with a passphrase before the test, after npm ci', () => {
    expect(job.env?.PULUMI_CONFIG_PASSPHRASE).toEqual(expect.any(String));
    const login = stepIndex(/^pulumi login --local$/m);
    expect(login).toBeGreaterThan(stepIndex(/^npm ci\b/m));
    expect(login).toBeLessThan(stepIndex(/^npm run e2e:kind$/m));
  });
});
