/**
 * The gVisor nodes' user data: the MIME document nodeadm reads, the containerd handler, and the
 * install script — linted with shellcheck and run for real with bash (curl, systemctl and
 * install replaced by recorders on PATH; sha512sum, mktemp and the rest are the real tools).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gvisorArch, gvisorReleaseUrl } from '../../../infra/aws/gvisor-release.ts';
import { MIME_BOUNDARY, RUNSC_CONFIG_PATH, gvisorContainerdConfig, gvisorInstallScript, gvisorUserData, type GvisorUserDataArgs } from '../../../infra/aws/gvisor-user-data.ts';

const RELEASE = '20251006.0';
/** what the fake curl serves for each binary */
const content = (binary: string) => `fake ${binary} of ${RELEASE}\n`;
const sha512 = (text: string) => createHash('sha512').update(text).digest('hex');
const PINNED = { runsc: sha512(content('runsc')), containerdShim: sha512(content('containerd-shim-runsc-v1')) };
const args = (extra: Partial<GvisorUserDataArgs> = {}): GvisorUserDataArgs => ({ release: RELEASE, arch: 'x86_64', sha512: PINNED, ...extra });

describe('gVisor user data: the MIME document', () => {
  const document = gvisorUserData(args());
  const parts = document.split(`--${MIME_BOUNDARY}`);

  it('is multipart/mixed with a NodeConfig part, then the install script, then the closing boundary', () => {
    expect(document.startsWith(`MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"\n`)).toBe(true);
    expect(parts).toHaveLength(4);
    expect(parts[1]!.startsWith('\nContent-Type: application/node.eks.aws\n\n')).toBe(true);
    expect(parts[2]!.startsWith('\nContent-Type: text/x-shellscript; charset="us-ascii"\n\n#!/usr/bin/env bash\n')).toBe(true);
    expect(parts[3]).toBe('--\n');
  });

  it('adds the containerd runtime handler runsc, through the shim, with its config file', () => {
    const nodeConfig = parse(parts[1]!.replace('\nContent-Type: application/node.eks.aws\n\n', '')) as { apiVersion: string; kind: string; spec: { containerd: { config: string } } };
    expect(nodeConfig.apiVersion).toBe('node.eks.aws/v1alpha1');
    expect(nodeConfig.kind).toBe('NodeConfig');
    expect(Object.keys(nodeConfig.spec)).toEqual(['containerd']); // EKS adds the cluster part
    expect(nodeConfig.spec.containerd.config).toBe(gvisorContainerdConfig());
    const config = gvisorContainerdConfig();
    expect(config).toContain('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]\n  runtime_type = "io.containerd.runsc.v1"\n');
    expect(config).toContain(`[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc.options]\n  TypeUrl = "io.containerd.runsc.v1.options"\n  ConfigPath = "${RUNSC_CONFIG_PATH}"\n`);
    // containerd config v2 keys: nodeadm migrates them on containerd 2; v3 keys would fail on containerd 1.7
    expect(config).not.toMatch(/io\.containerd\.cri\.v1\./);
  });

  it('downloads from the pinned release and architecture', () => {
    expect(gvisorReleaseUrl({ release: RELEASE, arch: 'aarch64' })).toBe(`https://storage.googleapis.com/gvisor/releases/release/${RELEASE}/aarch64`);
    expect(gvisorArch(['m7g.xlarge'])).toBe('aarch64');
    expect(gvisorArch(['m6i.xlarge'])).toBe('x86_64');
    expect(gvisorInstallScript(args({ arch: 'aarch64' }))).toContain(`readonly RELEASE_URL="https://storage.googleapis.com/gvisor/releases/release/${RELEASE}/aarch64"`);
  });

  it('refuses to build a script for a malformed release or checksum', () => {
    expect(() => gvisorInstallScript(args({ release: 'latest' }))).toThrow('"latest" is not a gVisor release');
    expect(() => gvisorInstallScript(args({ sha512: { runsc: 'abc', containerdShim: PINNED.containerdShim } }))).toThrow('sha512.runsc is not a SHA-512 checksum');
  });
});

describe('gVisor user data: the install script', () => {
  it('passes shellcheck', () => {
    const result = spawnSync('/usr/bin/shellcheck', ['--shell=bash', '--severity=style', '-'], { input: gvisorInstallScript(args()), encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('stops at the first error and verifies before it installs', () => {
    const script = gvisorInstallScript(args());
    expect(script.split('\n').slice(0, 3)).toEqual(['#!/usr/bin/env bash', expect.stringContaining(RELEASE), 'set -euo pipefail']);
    expect(script.indexOf('sha512sum --check --strict')).toBeGreaterThan(0);
    expect(script.indexOf('sha512sum --check --strict')).toBeLessThan(script.indexOf('install -o root'));
    expect(script).toContain(`${PINNED.runsc}  runsc\n${PINNED.containerdShim}  containerd-shim-runsc-v1\n`);
  });

  /** Runs the script with recorders for curl, systemctl and install, its absolute paths moved into a temp dir. */
  function runScript(script: string, options: { curlFails?: boolean } = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'paddock-gvisor-'));
    const bin = join(dir, 'bin');
    const log = join(dir, 'calls.log');
    const etc = join(dir, 'etc-containerd');
    spawnSync('mkdir', ['-p', bin, etc, join(dir, 'usr-local-bin')]);
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "${log}"\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    stub('curl', options.curlFails ? 'exit 22' : 'out=""; url=""; while [ $# -gt 0 ]; do case "$1" in --output) out="$2"; shift 2;; --*) shift;; *) url="$1"; shift;; esac; done; printf "fake %s of ' + RELEASE + '\\n" "$(basename "$url")" > "$out"');
    stub('systemctl', '');
    stub('install', `cp runsc containerd-shim-runsc-v1 "${join(dir, 'usr-local-bin')}/"`);
    const moved = script.replaceAll('/etc/containerd/', `${etc}/`);
    const result = spawnSync('bash', ['-c', moved], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, installed: existsSync(join(dir, 'usr-local-bin', 'runsc')), runscConfig: existsSync(join(etc, 'runsc.toml')) ? readFileSync(join(etc, 'runsc.toml'), 'utf8') : undefined };
  }

  it('installs both binaries and the runsc config when the downloads match the pinned checksums', () => {
    const run = runScript(gvisorInstallScript(args()));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.calls.filter((c) => c.startsWith('curl')).map((c) => c.split(' ').at(-1))).toEqual([
      `https://storage.googleapis.com/gvisor/releases/release/${RELEASE}/x86_64/runsc`,
      `https://storage.googleapis.com/gvisor/releases/release/${RELEASE}/x86_64/containerd-shim-runsc-v1`,
    ]);
    expect(run.calls).toContain('install -o root -g root -m 0755 runsc containerd-shim-runsc-v1 /usr/local/bin/');
    expect(run.calls.some((c) => c.startsWith('systemctl'))).toBe(false);
    expect(run.installed).toBe(true);
    expect(run.runscConfig).toBe('[runsc_config]\n  systemd-cgroup = "true"\n');
  });

  it('installs nothing and keeps the node out of the cluster when a download does not match', () => {
    const run = runScript(gvisorInstallScript(args({ sha512: { runsc: sha512('another build'), containerdShim: PINNED.containerdShim } })));
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain('runsc: FAILED');
    expect(run.stdout).toContain('containerd-shim-runsc-v1: OK');
    expect(run.calls.some((c) => c.startsWith('install'))).toBe(false);
    expect(run.installed).toBe(false);
    expect(run.calls).toContain('systemctl mask kubelet.service nodeadm-run.service');
  });

  it('keeps the node out of the cluster when the release cannot be downloaded', () => {
    const failed = runScript(gvisorInstallScript(args()), { curlFails: true });
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain(`installing gVisor ${RELEASE} failed; masking kubelet so this node never joins`);
    expect(failed.calls).toEqual([expect.stringMatching(/^curl /), 'systemctl mask kubelet.service nodeadm-run.service']);
    expect(failed.installed).toBe(false);
  });
});
