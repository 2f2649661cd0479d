/**
 * Effective security settings: a container's securityContext overrides the pod's for the
 * fields both have (runAsUser, runAsNonRoot, seccompProfile, seLinuxOptions, appArmorProfile).
 */
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { ContainerSite, PodSite } from './pod-sites.ts';

type Shared = 'runAsUser' | 'runAsNonRoot' | 'seccompProfile' | 'seLinuxOptions' | 'appArmorProfile';

export interface Effective<T> {
  readonly value: T | undefined;
  /** where the value comes from (or, when unset, where to set it) */
  readonly path: string;
  readonly level: 'container' | 'pod' | 'unset';
}

export function effectiveSetting<K extends Shared>(site: PodSite, container: ContainerSite, field: K): Effective<ISecurityContext[K]> {
  const own = container.container.securityContext?.[field];
  if (own !== undefined) return { value: own, path: `${container.path}.securityContext.${field}`, level: 'container' };
  const pod = site.spec.securityContext?.[field];
  if (pod !== undefined) return { value: pod as ISecurityContext[K], path: `${site.specPath}.securityContext.${field}`, level: 'pod' };
  return { value: undefined, path: `${site.specPath}.securityContext.${field}`, level: 'unset' };
}
