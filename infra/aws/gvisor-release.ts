/**
 * Where the gVisor nodes get runsc, as data: the release directory URL of gVisor's own bucket
 * (https://gvisor.dev/docs/user_guide/install/, "Install latest release": binaries under
 * `release/<yyyymmdd>.<n>/<arch>/` with a `.sha512` beside each), and the rule that nothing is
 * installed without SHA-512 checksums pinned in the stack file. The checksums are not shipped
 * here: they could not be confirmed from gVisor's bucket when this was written (no network
 * access to it), and an unconfirmed checksum is worse than none. `scripts/gvisor-checksums.sh`
 * downloads a release, checks it against gVisor's published `.sha512` files and prints the
 * block to pin; from then on every node verifies the bytes it downloads against it.
 */
import type { ConfigProblem } from '../../config/errors.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { GVISOR_RUNTIME_CLASS } from '../../config/runtime-classes.ts';
import { isArmInstanceType } from './eks-settings.ts';

/** gVisor's release bucket (checked 2026-12 against gvisor.dev's install guide). */
export const GVISOR_RELEASES_URL = 'https://storage.googleapis.com/gvisor/releases/release';
/** the two binaries a containerd node needs: the runtime, and the shim containerd starts it through */
export const GVISOR_BINARIES = ['runsc', 'containerd-shim-runsc-v1'] as const;

export type GvisorArch = 'x86_64' | 'aarch64';

export interface GvisorDownload {
  readonly release: string;
  readonly arch: GvisorArch;
}

/** gVisor names architectures as `uname -m` does. */
export function gvisorArch(instanceTypes: readonly string[]): GvisorArch {
  return instanceTypes.every(isArmInstanceType) ? 'aarch64' : 'x86_64';
}

export function gvisorReleaseUrl({ release, arch }: GvisorDownload): string {
  return `${GVISOR_RELEASES_URL}/${release}/${arch}`;
}

export function checksumCommand({ release, arch }: GvisorDownload): string {
  return `scripts/gvisor-checksums.sh ${release} ${arch}`;
}

/** The gVisor release a stack would install without pinned checksums, if any. */
export function unverifiedGvisorDownload(spec: PlatformSpec): GvisorDownload | undefined {
  const group = spec.platform.eks?.gvisorNodeGroup;
  if (!group || !spec.platform.runtimeClasses.includes(GVISOR_RUNTIME_CLASS) || group.runsc.sha512) return undefined;
  return { release: group.runsc.release, arch: gvisorArch(group.instanceTypes) };
}

export function missingChecksumProblem(download: GvisorDownload): ConfigProblem {
  return {
    path: ['paddock:platform', 'eks', 'gvisorNodeGroup', 'runsc', 'sha512'],
    message: `is not set, and the gVisor nodes never install a download they cannot verify: run \`${checksumCommand(download)}\` and add the sha512 block it prints under runsc`,
  };
}
