/**
 * A team's LimitRange: containers get defaults when a template forgets them, and no single
 * container or volume may exceed what the team's largest harness needs.
 */
import type { KubeObject } from '../kube-object.ts';
import type { TeamSpec } from '../../config/platform-spec.ts';
import { MANAGED_BY_LABELS } from '../../config/names.ts';
import { formatCpu, formatMemory, parseQuantity } from '../../config/quantity.ts';

export function teamLimitRange(team: TeamSpec): KubeObject {
  const max = (pick: (h: TeamSpec['harnesses'][number]) => string) => Math.max(...team.harnesses.map((h) => parseQuantity(pick(h))));
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'paddock-team-limits', namespace: team.namespace, labels: { ...MANAGED_BY_LABELS } },
    spec: {
      limits: [
        {
          type: 'Container',
          max: { cpu: formatCpu(max((h) => h.resources.limits.cpu)), memory: formatMemory(max((h) => h.resources.limits.memory)) },
          default: { cpu: '500m', memory: '512Mi' },
          defaultRequest: { cpu: '100m', memory: '128Mi' },
        },
        { type: 'PersistentVolumeClaim', max: { storage: formatMemory(max((h) => h.definition.workspace.size)) } },
      ],
    },
  };
}
