/**
 * scripts/gvisor-checksums.sh run for real with bash, against a fake curl on PATH that serves a
 * release's binaries and .sha512 files from a temp dir (sha512sum, mktemp and cut are the real
 * tools): it prints the block to pin, parsed by the stack schema, and refuses bad arguments,
 * missing files and binaries that do not match gVisor's published checksums.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validate } from '../support/fixtures.ts';

const SCRIPT = resolve('scripts/gvisor-checksums.sh');
const RELEASE = '20251006.0';
const sha512 = (text: string) => createHash('sha512').update(text).digest('hex');
const binary = (name: string, arch: string) => `${name} built for ${arch}\n`;

/** A release directory as gVisor publishes it: each binary with "<sha512>  <name>" beside it. */
function bucket(options: { tamper?: string; missing?: string } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'paddock-gvisor-bucket-'));
  for (const arch of ['x86_64', 'aarch64']) {
    const dir = join(root, RELEASE, arch);
    mkdirSync(dir, { recursive: true });
    for (const name of ['runsc', 'containerd-shim-runsc-v1']) {
      if (name === options.missing) continue;
      writeFileSync(join(dir, name), name === options.tamper ? 'tampered\n' : binary(name, arch));
      writeFileSync(join(dir, `${name}.sha512`), `${sha512(binary(name, arch))}  ${name}\n`);
    }
  }
  return root;
}

function run(args: string[], root: string) {
  const bin = mkdtempSync(join(tmpdir(), 'paddock-gvisor-bin-'));
  // serves https://storage.googleapis.com/gvisor/releases/release/<path> from the bucket dir; 22 like curl --fail on a 404
  writeFileSync(
    join(bin, 'curl'),
    `#!/usr/bin/env bash\nout=""; url=""\nwhile [ $# -gt 0 ]; do case "$1" in --output) out="$2"; shift 2;; --*) shift;; *) url="$1"; shift;; esac; done\nfile="${root}/\${url#https://storage.googleapis.com/gvisor/releases/release/}"\n[ -f "$file" ] || { echo "curl: (22) 404 $url" >&2; exit 22; }\ncp "$file" "$out"\n`,
  );
  chmodSync(join(bin, 'curl'), 0o755);
  return spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
}

describe('scripts/gvisor-checksums.sh', () => {
  it('prints the runsc block with the SHA-512s of the release for the architecture, which the stack schema accepts', () => {
    for (const arch of ['x86_64', 'aarch64']) {
      const result = run([RELEASE, arch], bucket());
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const block = parse(result.stdout) as { runsc: { release: string; sha512: { runsc: string; containerdShim: string } } };
      expect(block).toEqual({ runsc: { release: RELEASE, sha512: { runsc: sha512(binary('runsc', arch)), containerdShim: sha512(binary('containerd-shim-runsc-v1', arch)) } } });
      const spec = validate({
        'paddock:platform': {
          environment: 'eks',
          clusterName: 'test',
          modelGateway: { url: 'http://litellm.litellm.svc.cluster.local:4000', inCluster: { namespace: 'litellm', podSelector: { app: 'litellm' } } },
          runtimeClasses: ['gvisor'],
          eks: { region: 'eu-west-1', publicAccessCidrs: ['198.51.100.0/24'], gvisorNodeGroup: block },
        },
      });
      expect(spec.platform.eks!.gvisorNodeGroup!.runsc.sha512).toEqual(block.runsc.sha512);
    }
  });

  it('refuses a download that does not match the checksum gVisor published, and prints nothing to pin', () => {
    const result = run([RELEASE, 'x86_64'], bucket({ tamper: 'containerd-shim-runsc-v1' }));
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('containerd-shim-runsc-v1: FAILED');
  });

  it('fails on a release or file that does not exist', () => {
    const missing = run([RELEASE, 'x86_64'], bucket({ missing: 'runsc' }));
    expect(missing.status).toBe(22);
    expect(missing.stdout).toBe('');
    const unknown = run(['20990101.0', 'x86_64'], bucket());
    expect(unknown.status).toBe(22);
    expect(unknown.stderr).toContain('404');
  });

  it('refuses arguments that are not a release and an architecture', () => {
    for (const args of [[], ['latest', 'x86_64'], [RELEASE, 'amd64'], [RELEASE]]) {
      const result = run(args, bucket());
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('usage:');
    }
  });
});
