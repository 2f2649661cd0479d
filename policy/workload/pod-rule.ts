/** Rules that look at one pod spec at a time share this shape. */
import type { PolicyContext } from '../context.ts';
import type { Finding, PolicyRule, PolicyRuleInfo } from '../types.ts';
import type { PodSite } from './pod-sites.ts';

export type PodFinding = Omit<Finding, 'object'>;

export function podRule(info: PolicyRuleInfo, check: (site: PodSite, context: PolicyContext) => Iterable<PodFinding>): PolicyRule {
  return {
    ...info,
    *check(context) {
      for (const site of context.podSites()) {
        for (const finding of check(site, context)) yield { object: site.object, ...finding };
      }
    },
  };
}
