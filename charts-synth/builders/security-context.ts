/**
 * Pod Security "restricted" contexts. Every container Paddock renders uses these, so the
 * policy checks pass by construction rather than by patching objects afterwards.
 */
import * as kplus from 'cdk8s-plus-30';
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';

export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

export function restrictedPodSecurityContext(user: RunAs): IPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user.uid,
    runAsGroup: user.gid,
    fsGroup: user.gid,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedContainerSecurityContext(user: RunAs): ISecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user.uid,
    runAsGroup: user.gid,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The restricted pod context in cdk8s-plus form; its seccompProfile goes in as a field beyond cdk8s-plus (ADR 0022). */
export function restrictedPodSecurity(user: RunAs): kplus.PodSecurityContextProps {
  return { ensureNonRoot: true, user: user.uid, group: user.gid, fsGroup: user.gid, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH };
}

/** The restricted container context in cdk8s-plus form: renders exactly restrictedContainerSecurityContext(user). */
export function restrictedContainerSecurity(user: RunAs): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user: user.uid,
    group: user.gid,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}
