import type { KubeObject } from '../../charts-synth/kube-object.ts';
import type { PolicyRule } from '../types.ts';

export const POD_SECURITY_MODES = ['enforce', 'audit', 'warn'] as const;

export function podSecurityLabel(mode: (typeof POD_SECURITY_MODES)[number]): string {
  return `pod-security.kubernetes.io/${mode}`;
}

export const podSecurityRestricted: PolicyRule = {
  id: 'pod-security-restricted',
  description: 'Every team namespace enforces, audits and warns at Pod Security level "restricted" (pod-security.kubernetes.io/{enforce,audit,warn}: restricted).',
  *check(context) {
    for (const name of context.teamNamespaces()) {
      const namespace: KubeObject | undefined = context.namespaceObject(name);
      if (!namespace) continue; // namespace-exists reports it
      const labels = namespace.metadata.labels ?? {};
      const wrong = POD_SECURITY_MODES.filter((mode) => labels[podSecurityLabel(mode)] !== 'restricted');
      if (wrong.length === 0) continue;
      yield {
        object: namespace,
        path: 'metadata.labels',
        message: `team namespace ${name} ${wrong.map((m) => `${podSecurityLabel(m)} is ${labels[podSecurityLabel(m)] === undefined ? 'unset' : `"${labels[podSecurityLabel(m)]}"`}`).join(', ')}; set each to "restricted"`,
      };
    }
  },
};
