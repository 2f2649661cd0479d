import { KINDS } from '../kinds.ts';
import type { PolicyRule } from '../types.ts';
import { containerName, containersOf, listOf } from '../workload/pod-sites.ts';
import { credentialLookingValue, isSecretLookingName } from '../workload/secret-patterns.ts';

interface EnvLike {
  readonly name: string;
  readonly value?: string;
}

function reasonFor(env: EnvLike): string | undefined {
  if (typeof env.value !== 'string' || env.value === '') return undefined;
  const looksLike = credentialLookingValue(env.value);
  if (looksLike) return `holds ${looksLike} as a literal value`;
  if (isSecretLookingName(env.name)) return 'is named like a secret and has a literal value';
  return undefined;
}

const FIX = 'reference a Secret instead (valueFrom.secretKeyRef, or envFrom.secretRef)';

export const noLiteralSecretEnv: PolicyRule = {
  id: 'no-literal-secret-env',
  description: 'No env var named like a secret (…TOKEN, …SECRET, …PASSWORD, …KEY, …CREDENTIAL) or holding a credential-shaped value has a literal value; use secretKeyRef or envFrom.secretRef.',
  *check(context) {
    for (const site of context.podSites()) {
      for (const container of containersOf(site)) {
        for (const [index, env] of listOf(container.container.env).entries()) {
          const reason = reasonFor(env);
          if (reason) yield { object: site.object, path: `${container.path}.env[${index}].value`, message: `${containerName(container)}: env ${env.name} ${reason}; ${FIX}` };
        }
      }
    }
    // claims carry literal env for the sandbox they start
    for (const claim of context.ofKind(KINDS.SandboxClaim)) {
      const env = ((claim.spec as { env?: EnvLike[] } | undefined)?.env ?? []) as readonly EnvLike[];
      for (const [index, entry] of env.entries()) {
        const reason = reasonFor(entry);
        if (reason) yield { object: claim, path: `spec.env[${index}].value`, message: `env ${entry.name} ${reason}; a claim's env is stored in plain text: put it in the team's Secret instead` };
      }
    }
  },
};
