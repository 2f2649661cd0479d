/**
 * Label and field selectors as the API server parses them (the subset a controller client
 * uses): `k=v`, `k==v`, `k!=v`, `k`, `!k` for labels; `metadata.name` and
 * `metadata.namespace` with `=`, `==`, `!=` for fields (the only fields a CRD supports).
 */
export type Selector = (object: { metadata: { name: string; namespace?: string; labels?: Record<string, string> } }) => boolean;

export class SelectorError extends Error {}

export function parseLabelSelector(text: string | null): Selector {
  if (!text) return () => true;
  const terms = text.split(',').map((term) => term.trim()).filter(Boolean).map((term): Selector => {
    const match = /^([^!=]+?)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (match) {
      const [, key = '', op, value = ''] = match;
      return (o) => ((o.metadata.labels ?? {})[key.trim()] === value.trim()) === (op !== '!=');
    }
    if (term.startsWith('!')) {
      const key = term.slice(1).trim();
      return (o) => !Object.hasOwn(o.metadata.labels ?? {}, key);
    }
    if (/^[A-Za-z0-9./_-]+$/.test(term)) return (o) => Object.hasOwn(o.metadata.labels ?? {}, term);
    throw new SelectorError(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
  return (o) => terms.every((t) => t(o));
}

export function parseFieldSelector(text: string | null): Selector {
  if (!text) return () => true;
  const terms = text.split(',').map((term) => term.trim()).filter(Boolean).map((term): Selector => {
    const match = /^([^!=]+?)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (!match) throw new SelectorError(`invalid field selector: ${JSON.stringify(term)}`);
    const [, field = '', op, value = ''] = match;
    const read = field === 'metadata.name' ? (o: Parameters<Selector>[0]) => o.metadata.name : field === 'metadata.namespace' ? (o: Parameters<Selector>[0]) => o.metadata.namespace ?? '' : undefined;
    if (!read) throw new SelectorError(`field label not supported: ${field}`);
    return (o) => (read(o) === value) === (op !== '!=');
  });
  return (o) => terms.every((t) => t(o));
}
