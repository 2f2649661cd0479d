/** A team's ResourceQuota: CPU, memory, sandbox count and workspace storage, warm ones included. */
import type { KubeObject } from '../kube-object.ts';
import type { TeamSpec } from '../../config/platform-spec.ts';
import { MANAGED_BY_LABELS } from '../../config/names.ts';
import { formatMemory, parseQuantity } from '../../config/quantity.ts';

export function teamResourceQuota(team: TeamSpec): KubeObject {
  const { cpu, memory, maxSandboxes } = team.quota;
  const largestWorkspace = Math.max(...team.harnesses.map((h) => parseQuantity(h.definition.workspace.size)));
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'paddock-team-quota', namespace: team.namespace, labels: { ...MANAGED_BY_LABELS } },
    spec: {
      hard: {
        'requests.cpu': cpu,
        'limits.cpu': cpu,
        'requests.memory': memory,
        'limits.memory': memory,
        pods: String(maxSandboxes),
        persistentvolumeclaims: String(maxSandboxes),
        'requests.storage': formatMemory(largestWorkspace * maxSandboxes),
        'count/sandboxes.agents.x-k8s.io': String(maxSandboxes),
        'count/sandboxclaims.extensions.agents.x-k8s.io': String(maxSandboxes),
        services: '0',
        'services.loadbalancers': '0',
        'services.nodeports': '0',
      },
    },
  };
}
