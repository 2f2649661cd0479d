import { KINDS } from '../kinds.ts';
import type { PolicyRule } from '../types.ts';

const CAPS = {
  cpu: ['cpu', 'requests.cpu', 'limits.cpu'],
  memory: ['memory', 'requests.memory', 'limits.memory'],
} as const;

export const teamResourceQuota: PolicyRule = {
  id: 'team-resource-quota',
  description: "Every team namespace has a ResourceQuota capping CPU and memory, so one team cannot starve the others.",
  *check(context) {
    const capped = new Map<string, Set<string>>();
    for (const quota of context.ofKind(KINDS.ResourceQuota)) {
      const hard = Object.keys(((quota.spec ?? {}) as { hard?: Record<string, unknown> }).hard ?? {});
      const namespace = quota.metadata.namespace ?? 'default';
      const set = capped.get(namespace) ?? new Set<string>();
      for (const [resource, keys] of Object.entries(CAPS)) if (keys.some((k) => hard.includes(k))) set.add(resource);
      capped.set(namespace, set);
    }
    for (const name of context.teamNamespaces()) {
      const object = context.namespaceObject(name) ?? { kind: 'Namespace', metadata: { name } };
      const set = capped.get(name);
      if (!set) {
        yield { object, message: `team namespace ${name} has no ResourceQuota; add one capping requests/limits for cpu and memory` };
        continue;
      }
      const missing = Object.keys(CAPS).filter((r) => !set.has(r));
      if (missing.length > 0) yield { object, message: `the ResourceQuotas of team namespace ${name} do not cap ${missing.join(' or ')}; add ${missing.map((m) => `requests.${m}/limits.${m}`).join(' and ')} to spec.hard` };
    }
  },
};
