/**
 * The namespaces of a stack with their labels, indexed so that a NetworkPolicy
 * `namespaceSelector` resolves without scanning every namespace (1000 teams means 1000+
 * namespaces, and each team's policies carry several selectors).
 */
import type { KubeObject } from '../../charts-synth/kube-object.ts';
import { isEmptySelector, matchesSelector, selectorKey, type LabelSelector, type Labels } from './label-selector.ts';

/** Set by the API server on every namespace since Kubernetes 1.21; policies select on it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Namespaces every cluster has, whether or not the stack renders them. */
export const BUILT_IN_NAMESPACES: readonly string[] = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** Every namespace, including ones the stack does not know about. */
export const ALL_NAMESPACES = 'all-namespaces' as const;
export type NamespaceSet = ReadonlySet<string> | typeof ALL_NAMESPACES;

export class NamespaceIndex {
  private readonly labelsByName = new Map<string, Labels>();
  private readonly byLabel = new Map<string, Map<string, string[]>>();
  private readonly selections = new Map<string, NamespaceSet>();
  private readonly selectionsBySelector = new WeakMap<LabelSelector, NamespaceSet>();
  /** sorted */
  readonly names: readonly string[];

  constructor(namespaces: Iterable<{ name: string; labels?: Labels }>) {
    for (const { name, labels } of namespaces) {
      const merged = { ...(this.labelsByName.get(name) ?? {}), ...(labels ?? {}), [NAMESPACE_NAME_LABEL]: name };
      this.labelsByName.set(name, merged);
    }
    this.names = [...this.labelsByName.keys()].sort();
    for (const name of this.names) {
      for (const [key, value] of Object.entries(this.labelsByName.get(name)!)) {
        let values = this.byLabel.get(key);
        if (!values) this.byLabel.set(key, (values = new Map()));
        const list = values.get(value);
        if (list) list.push(name);
        else values.set(value, [name]);
      }
    }
  }

  /** Namespace objects, the namespaces objects live in, and the built-in namespaces. */
  static fromObjects(objects: readonly KubeObject[]): NamespaceIndex {
    const entries: { name: string; labels?: Labels }[] = BUILT_IN_NAMESPACES.map((name) => ({ name }));
    for (const object of objects) {
      if (object.kind === 'Namespace' && object.apiVersion === 'v1') entries.push({ name: object.metadata.name, labels: object.metadata.labels ?? {} });
      else if (object.metadata.namespace) entries.push({ name: object.metadata.namespace });
    }
    return new NamespaceIndex(entries);
  }

  /** This index plus namespaces it lacks (with only their name label). */
  including(names: Iterable<string>): NamespaceIndex {
    const missing = [...names].filter((n) => !this.labelsByName.has(n));
    if (missing.length === 0) return this;
    return new NamespaceIndex([...[...this.labelsByName].map(([name, labels]) => ({ name, labels })), ...missing.map((name) => ({ name }))]);
  }

  has(name: string): boolean {
    return this.labelsByName.has(name);
  }

  /** A namespace the stack does not render still has its name label. */
  labels(name: string): Labels {
    return this.labelsByName.get(name) ?? { [NAMESPACE_NAME_LABEL]: name };
  }

  matches(selector: LabelSelector, namespace: string): boolean {
    return matchesSelector(selector, this.labels(namespace));
  }

  /**
   * The known namespaces a selector admits, in name order. `{}` admits every namespace, including ones the
   * stack does not render, hence ALL_NAMESPACES rather than a finite set.
   */
  select(selector: LabelSelector): NamespaceSet {
    if (isEmptySelector(selector)) return ALL_NAMESPACES;
    // policies are normalised once, so the same selector object is asked about again and again
    const known = this.selectionsBySelector.get(selector);
    if (known) return known;
    const key = selectorKey(selector);
    const cached = this.selections.get(key);
    if (cached) {
      this.selectionsBySelector.set(selector, cached);
      return cached;
    }
    let candidates: readonly string[] | undefined;
    for (const [label, value] of Object.entries(selector.matchLabels ?? {})) {
      const names = this.byLabel.get(label)?.get(value) ?? [];
      if (!candidates || names.length < candidates.length) candidates = names;
    }
    for (const expression of selector.matchExpressions ?? []) {
      if (expression.operator === 'In') {
        const names = (expression.values ?? []).flatMap((v) => this.byLabel.get(expression.key)?.get(v) ?? []);
        if (!candidates || names.length < candidates.length) candidates = names;
      } else if (expression.operator === 'Exists' && !candidates) {
        candidates = [...(this.byLabel.get(expression.key)?.values() ?? [])].flat();
      }
    }
    const result = new Set([...new Set(candidates ?? this.names)].filter((name) => this.matches(selector, name)).sort());
    this.selections.set(key, result);
    this.selectionsBySelector.set(selector, result);
    return result;
  }
}

export function namespaceSetHas(set: NamespaceSet, name: string): boolean {
  return set === ALL_NAMESPACES || set.has(name);
}
