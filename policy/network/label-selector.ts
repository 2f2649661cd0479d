/**
 * Kubernetes label selectors (matchLabels AND matchExpressions), as NetworkPolicy, PDB and
 * topology-spread selectors use them.
 */
import type { INetworkPolicySpec } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicySpec';

export type LabelSelector = INetworkPolicySpec['podSelector'];
export type Labels = Readonly<Record<string, string>>;

/** True when the selector selects every object (`{}`): no labels and no expressions. */
export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  if (!selector) return false;
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, expression.key);
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(labels[expression.key] ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[expression.key] ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // the API server rejects unknown operators; a selector we cannot read selects nothing
        return false;
    }
  }
  return true;
}

/** A canonical string for a selector (key order and value order do not matter). */
export function selectorKey(selector: LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const expressions = (selector.matchExpressions ?? [])
    .map((e) => `${e.key} ${e.operator} ${[...(e.values ?? [])].sort().join(',')}`)
    .sort();
  return JSON.stringify([labels, expressions]);
}

/**
 * The smallest label set the selector matches, or undefined when no label set can (e.g. `In`
 * and `DoesNotExist` on one key). Used to probe "a pod this policy is about" when no rendered
 * workload carries such labels.
 */
export function witnessLabels(selector: LabelSelector): Record<string, string> | undefined {
  const labels: Record<string, string> = { ...(selector.matchLabels ?? {}) };
  for (const expression of selector.matchExpressions ?? []) {
    if (expression.operator === 'In' && !(expression.key in labels)) {
      const first = [...(expression.values ?? [])].sort()[0];
      if (first === undefined) return undefined;
      labels[expression.key] = first;
    } else if (expression.operator === 'Exists' && !(expression.key in labels)) {
      labels[expression.key] = 'probe';
    }
  }
  return matchesSelector(selector, labels) ? labels : undefined;
}

export function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? '{}' : `{${entries.map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}
