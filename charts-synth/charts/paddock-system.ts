/**
 * The paddock-system namespace and its network baseline, in a chart of its own so that the
 * database (kind) and the runtime controller can be applied in that order into it: the
 * runtime is only ready once its database answers.
 */
import type { KubeObject } from '../kube-object.ts';
import { PADDOCK_SYSTEM_NAMESPACE } from '../../config/names.ts';
import { restrictedNamespace } from '../builders/namespace.ts';
import { allowDnsEgress, defaultDenyAll } from '../builders/network-policy.ts';

export function paddockSystemObjects(): KubeObject[] {
  return [restrictedNamespace(PADDOCK_SYSTEM_NAMESPACE), defaultDenyAll(PADDOCK_SYSTEM_NAMESPACE), allowDnsEgress(PADDOCK_SYSTEM_NAMESPACE)];
}
