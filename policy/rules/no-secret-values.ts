import { KINDS } from '../kinds.ts';
import type { PolicyRule } from '../types.ts';
import { credentialLookingValue } from '../workload/secret-patterns.ts';

function nonEmptyKeys(values: unknown): string[] {
  if (!values || typeof values !== 'object') return [];
  return Object.entries(values as Record<string, unknown>)
    .filter(([, v]) => typeof v === 'string' && v !== '')
    .map(([k]) => k)
    .sort();
}

export const noSecretValues: PolicyRule = {
  id: 'no-secret-values',
  description: 'Rendered manifests hold no secret values: no Secret with data or stringData values (Pulumi creates Secrets from encrypted config), and no ConfigMap value shaped like a credential.',
  *check(context) {
    for (const secret of context.ofKind(KINDS.Secret)) {
      for (const field of ['data', 'stringData'] as const) {
        const keys = nonEmptyKeys(secret[field]);
        if (keys.length === 0) continue;
        yield {
          object: secret,
          path: field,
          message: `carries values for ${keys.join(', ')} in the rendered (committed) manifest; render only the Secret's name and keys, and let the Pulumi program set the values from encrypted config`,
        };
      }
    }
    for (const configMap of context.ofKind(KINDS.ConfigMap)) {
      const data = (configMap.data ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(data).sort()) {
        const value = data[key];
        const looksLike = typeof value === 'string' ? credentialLookingValue(value) : undefined;
        if (looksLike) yield { object: configMap, path: `data.${key}`, message: `holds ${looksLike}; ConfigMaps are plain text: move it to a Secret created by Pulumi` };
      }
    }
  },
};
