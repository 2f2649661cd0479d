import { KINDS } from '../kinds.ts';
import type { PolicyRule } from '../types.ts';

export const teamLimitRange: PolicyRule = {
  id: 'team-limit-range',
  description: 'Every team namespace has a LimitRange with at least one limit, so any container the quota would otherwise reject gets defaults and bounds.',
  *check(context) {
    const limited = new Set<string>();
    for (const range of context.ofKind(KINDS.LimitRange)) {
      const limits = ((range.spec ?? {}) as { limits?: unknown[] }).limits ?? [];
      if (limits.length > 0) limited.add(range.metadata.namespace ?? 'default');
    }
    for (const name of context.teamNamespaces()) {
      if (limited.has(name)) continue;
      yield {
        object: context.namespaceObject(name) ?? { kind: 'Namespace', metadata: { name } },
        message: `team namespace ${name} has no LimitRange with limits; add one with Container defaults and maximums`,
      };
    }
  },
};
