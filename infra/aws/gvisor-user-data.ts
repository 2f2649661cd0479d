/**
 * User data of the gVisor nodes, pure: a MIME multi-part document for the EKS-optimized
 * Amazon Linux 2023 AMI of a managed node group (EKS appends its own NodeConfig with the
 * cluster's details; nodeadm merges every NodeConfig part in order).
 *
 * - A NodeConfig part adds the containerd runtime handler `runsc`. It is written in containerd's
 *   config version 2 schema, which nodeadm uses as is on containerd 1.7 and migrates to version 3
 *   on containerd 2 (nodeadm: internal/containerd/config.go), so one document fits both AMIs.
 * - A shell script part downloads runsc and containerd-shim-runsc-v1 of the pinned release,
 *   verifies both against the pinned SHA-512 checksums before installing anything, and writes
 *   the runsc config (systemd cgroups, as kubelet on AL2023 uses). nodeadm's config stage runs
 *   before cloud-init and its run stage (containerd, kubelet) after cloud-final, so the binaries
 *   are in place before containerd starts.
 * - Fail closed: any failure masks kubelet and nodeadm-run, so a node that could not install a
 *   verified runsc never joins (the node group reports it) instead of joining and failing pods.
 */
import { GVISOR_HANDLER } from '../../config/runtime-classes.ts';
import { gvisorReleaseUrl, type GvisorDownload } from './gvisor-release.ts';

export interface GvisorUserDataArgs extends GvisorDownload {
  /** the pinned checksums of both binaries (a stack without them is refused before this runs) */
  readonly sha512: { readonly runsc: string; readonly containerdShim: string };
}

export const MIME_BOUNDARY = '==PADDOCK-GVISOR==';
/** where the shim reads runsc's flags from */
export const RUNSC_CONFIG_PATH = '/etc/containerd/runsc.toml';
const SHA512 = /^[0-9a-f]{128}$/;

/** The containerd fragment nodeadm merges into /etc/containerd/config.toml. */
export function gvisorContainerdConfig(): string {
  const runtime = `plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${GVISOR_HANDLER}`;
  return [`[${runtime}]`, `  runtime_type = "io.containerd.runsc.v1"`, `[${runtime}.options]`, `  TypeUrl = "io.containerd.runsc.v1.options"`, `  ConfigPath = "${RUNSC_CONFIG_PATH}"`, ''].join('\n');
}

export function gvisorNodeConfig(): string {
  const config = gvisorContainerdConfig()
    .trimEnd()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  return ['apiVersion: node.eks.aws/v1alpha1', 'kind: NodeConfig', 'spec:', '  containerd:', '    config: |', config, ''].join('\n');
}

/** The install script (bash): verify, then install; never the other way round. */
export function gvisorInstallScript(args: GvisorUserDataArgs): string {
  if (!/^\d{8}(\.\d+)?$/.test(args.release)) throw new Error(`"${args.release}" is not a gVisor release`);
  for (const [name, value] of Object.entries(args.sha512)) if (!SHA512.test(value)) throw new Error(`sha512.${name} is not a SHA-512 checksum`);
  const header = [
    '#!/usr/bin/env bash',
    `# Paddock: install gVisor (runsc) ${args.release} for containerd, verified against pinned SHA-512 checksums.`,
    'set -euo pipefail',
    '',
    `readonly GVISOR_RELEASE="${args.release}"`,
    '',
    '# Whatever fails, this node must not join the cluster without a verified runsc.',
    'refuse_to_join() {',
    '  echo "paddock-gvisor: installing gVisor ${GVISOR_RELEASE} failed; masking kubelet so this node never joins" >&2',
    '  systemctl mask kubelet.service nodeadm-run.service',
    '}',
    'trap refuse_to_join ERR',
    '',
  ];
  return [
    ...header,
    `readonly RELEASE_URL="${gvisorReleaseUrl(args)}"`,
    'workdir="$(mktemp -d)"',
    'cd "${workdir}"',
    'for binary in runsc containerd-shim-runsc-v1; do',
    '  curl --fail --silent --show-error --location --retry 5 --retry-connrefused --output "${binary}" "${RELEASE_URL}/${binary}"',
    'done',
    "sha512sum --check --strict <<'EOF'",
    `${args.sha512.runsc}  runsc`,
    `${args.sha512.containerdShim}  containerd-shim-runsc-v1`,
    'EOF',
    'install -o root -g root -m 0755 runsc containerd-shim-runsc-v1 /usr/local/bin/',
    '',
    `cat > ${RUNSC_CONFIG_PATH} <<'EOF'`,
    '[runsc_config]',
    '  systemd-cgroup = "true"',
    'EOF',
    'cd /',
    'rm -rf "${workdir}"',
    'echo "paddock-gvisor: installed runsc ${GVISOR_RELEASE}"',
    '',
  ].join('\n');
}

/** The launch template's user data (before base64). */
export function gvisorUserData(args: GvisorUserDataArgs): string {
  return [
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"`,
    '',
    `--${MIME_BOUNDARY}`,
    'Content-Type: application/node.eks.aws',
    '',
    gvisorNodeConfig(),
    `--${MIME_BOUNDARY}`,
    'Content-Type: text/x-shellscript; charset="us-ascii"',
    '',
    gvisorInstallScript(args),
    `--${MIME_BOUNDARY}--`,
    '',
  ].join('\n');
}
