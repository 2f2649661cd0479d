/**
 * The kind stack's scripts: linted with shellcheck, and run as real processes against fake
 * `kind`, `docker` and `curl` (test/infra/kind/fakes, state in a temp dir) to show what they do:
 * which clusters they reuse, create, refuse and delete, when they load an image, and that
 * Calico's manifest is applied only with its pinned sha256.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALICO_FETCH, KIND_CREATE, KIND_DELETE, KIND_LOAD_IMAGE } from '../../../infra/kind/kind-scripts.ts';

const FAKES = new URL('./fakes', import.meta.url).pathname;
const SCRIPTS = { KIND_CREATE, KIND_DELETE, KIND_LOAD_IMAGE, CALICO_FETCH };

let state: string;
beforeEach(() => {
  state = mkdtempSync(join(tmpdir(), 'paddock-kind-fakes-'));
});
afterEach(() => rmSync(state, { recursive: true, force: true }));

function run(script: string, env: Record<string, string>, stdin = ''): { status: number; stdout: string; stderr: string } {
  const result = spawnSync('/bin/sh', ['-c', script], { input: stdin, encoding: 'utf8', env: { PATH: `${FAKES}:/usr/bin:/bin`, FAKE_STATE: state, ...env } });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
const calls = () => (existsSync(join(state, 'calls')) ? readFileSync(join(state, 'calls'), 'utf8').trim().split('\n') : []);
const file = (name: string) => readFileSync(join(state, name), 'utf8');
const cluster = { PADDOCK_KIND_CLUSTER: 'paddock-local', PADDOCK_STACK: 'local', PADDOCK_KIND_CONFIG_SHA256: 'a'.repeat(64) };
const existing = (marker?: { stack: string; configSha256: string }) => {
  writeFileSync(join(state, 'clusters'), 'paddock-local\n');
  if (marker) for (const [key, value] of Object.entries(marker)) writeFileSync(join(state, `marker-paddock-local-${key}`), value);
};

describe('kind scripts', () => {
  it.each(Object.entries(SCRIPTS))('%s passes shellcheck (POSIX sh)', (name, script) => {
    const path = join(state, `${name}.sh`);
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    expect(() => execFileSync('/usr/bin/shellcheck', ['-s', 'sh', path], { encoding: 'utf8' })).not.toThrow();
  });
});

describe('KIND_CREATE', () => {
  it('creates a missing cluster from the config on stdin and marks it as Paddock\'s, for this stack and config', () => {
    const result = run(KIND_CREATE, cluster, 'kind: Cluster\n');
    expect(result.status).toBe(0);
    expect(file('config-paddock-local')).toBe('kind: Cluster\n');
    expect(file('marker-paddock-local-stack')).toBe('local');
    expect(file('marker-paddock-local-configSha256')).toBe('a'.repeat(64));
  });

  it('reuses a cluster Paddock created for this stack with this config', () => {
    existing({ stack: 'local', configSha256: 'a'.repeat(64) });
    const result = run(KIND_CREATE, cluster);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('reusing kind cluster paddock-local');
    expect(calls().some((c) => c.startsWith('kind create'))).toBe(false);
  });

  it('refuses a cluster of the same name that Paddock did not create, saying what to do', () => {
    existing();
    const result = run(KIND_CREATE, cluster);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('a kind cluster named paddock-local exists, but Paddock did not create it');
    expect(result.stderr).toContain('kind delete cluster --name paddock-local');
    expect(calls().some((c) => c.startsWith('kind create') || c.includes('create configmap'))).toBe(false);
  });

  it('refuses a cluster Paddock created with another config or for another stack', () => {
    existing({ stack: 'local', configSha256: 'b'.repeat(64) });
    const result = run(KIND_CREATE, cluster);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`created by Paddock for stack local with kind config sha256 ${'b'.repeat(64)}, not for stack local with ${'a'.repeat(64)}`);
    existing({ stack: 'other', configSha256: 'a'.repeat(64) });
    expect(run(KIND_CREATE, cluster).stderr).toContain('created by Paddock for stack other');
  });
});

describe('KIND_DELETE', () => {
  it('deletes a cluster Paddock created for this stack', () => {
    existing({ stack: 'local', configSha256: 'a'.repeat(64) });
    expect(run(KIND_DELETE, cluster).status).toBe(0);
    expect(calls()).toContain('kind delete cluster --name paddock-local');
  });

  it('leaves alone a cluster Paddock did not create for this stack, and succeeds', () => {
    existing();
    const foreign = run(KIND_DELETE, cluster);
    expect(foreign.status).toBe(0);
    expect(foreign.stderr).toContain('leaving kind cluster paddock-local alone: Paddock did not create it for stack local (marker: none)');
    existing({ stack: 'other', configSha256: 'a'.repeat(64) });
    expect(run(KIND_DELETE, cluster).stderr).toContain('(marker: other)');
    expect(calls().some((c) => c.startsWith('kind delete'))).toBe(false);
  });

  it('does nothing when there is no such cluster', () => {
    expect(run(KIND_DELETE, cluster).status).toBe(0);
    expect(calls().some((c) => c.startsWith('kind delete'))).toBe(false);
  });
});

describe('KIND_LOAD_IMAGE', () => {
  const image = { PADDOCK_KIND_CLUSTER: 'paddock-local', PADDOCK_IMAGE: 'ghcr.io/paddock-dev/paddock-runtime:0.1.0', PADDOCK_IMAGE_SOURCE: 'local' };
  const localId = (id: string) => writeFileSync(join(state, 'images'), `${image.PADDOCK_IMAGE} sha256:${id.repeat(64)}\n`);

  it('loads an image into every node that lacks it, prints its ID, and loads nothing the next time', () => {
    writeFileSync(join(state, 'workers-paddock-local'), '');
    localId('1');
    const first = run(KIND_LOAD_IMAGE, image);
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toBe(`sha256:${'1'.repeat(64)}`);
    expect(calls().filter((c) => c.startsWith('kind load'))).toEqual([
      `kind load docker-image ${image.PADDOCK_IMAGE} --name paddock-local --nodes paddock-local-control-plane`,
      `kind load docker-image ${image.PADDOCK_IMAGE} --name paddock-local --nodes paddock-local-worker`,
    ]);
    rmSync(join(state, 'calls'));
    expect(run(KIND_LOAD_IMAGE, image).status).toBe(0);
    expect(calls().filter((c) => c.startsWith('kind load'))).toEqual([]);
  });

  it('reloads an image rebuilt under the same tag (its ID changed)', () => {
    localId('1');
    run(KIND_LOAD_IMAGE, image);
    localId('2');
    rmSync(join(state, 'calls'));
    expect(run(KIND_LOAD_IMAGE, image).stdout.trim()).toBe(`sha256:${'2'.repeat(64)}`);
    expect(calls().filter((c) => c.startsWith('kind load'))).toHaveLength(1);
  });

  it('pulls a registry image once when Docker does not have it, but asks for a local build to be made', () => {
    const calico = { ...image, PADDOCK_IMAGE: 'quay.io/calico/node:v3.32.1', PADDOCK_IMAGE_SOURCE: 'registry' };
    expect(run(KIND_LOAD_IMAGE, calico).status).toBe(0);
    expect(calls()).toContain('docker pull quay.io/calico/node:v3.32.1');
    rmSync(join(state, 'calls'));
    run(KIND_LOAD_IMAGE, calico);
    expect(calls().some((c) => c.startsWith('docker pull'))).toBe(false);

    const missing = run(KIND_LOAD_IMAGE, { ...image, PADDOCK_IMAGE: 'ghcr.io/paddock-dev/harness-codex:0.1.0' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('ghcr.io/paddock-dev/harness-codex:0.1.0 is not in the local Docker image store: build it first');
  });
});

describe('CALICO_FETCH', () => {
  const manifest = 'apiVersion: v1\nkind: ServiceAccount\n';
  const sha256 = createHash('sha256').update(manifest).digest('hex');
  const env = { PADDOCK_CALICO_URL: 'https://raw.githubusercontent.com/projectcalico/calico/v3.32.1/manifests/calico.yaml', PADDOCK_CALICO_SHA256: sha256 };

  it('prints the manifest when its sha256 is the pinned one', () => {
    writeFileSync(join(state, 'download'), manifest);
    const result = run(CALICO_FETCH, env);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(manifest);
    expect(calls()[0]).toContain(env.PADDOCK_CALICO_URL);
  });

  it('refuses (printing nothing) a manifest with another sha256', () => {
    writeFileSync(join(state, 'download'), `${manifest}# tampered\n`);
    const result = run(CALICO_FETCH, env);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`not the pinned ${sha256} (infra/kind/calico.ts); refusing to apply it`);
  });
});
