import { isKind, KINDS } from '../kinds.ts';
import type { PolicyContext } from '../context.ts';
import { podRule } from '../workload/pod-rule.ts';
import type { PodSite } from '../workload/pod-sites.ts';

interface TokenMount {
  readonly mounted: boolean;
  readonly why: string;
}

/** Whether pods of this site get an API token, and which setting decides it. */
export function serviceAccountTokenMount(site: PodSite, context: PolicyContext): TokenMount {
  const own = site.spec.automountServiceAccountToken;
  if (own !== undefined) return { mounted: own, why: `automountServiceAccountToken: ${String(own)}` };
  // agent-sandbox sets false on template-derived pods that leave it unset
  if (isKind(site.object, KINDS.SandboxTemplate)) return { mounted: false, why: 'the agent-sandbox controller disables it for template pods' };
  const name = site.spec.serviceAccountName ?? 'default';
  const account = context.find(KINDS.ServiceAccount, site.namespace, name);
  const fromAccount = (account as { automountServiceAccountToken?: boolean } | undefined)?.automountServiceAccountToken;
  if (fromAccount !== undefined) return { mounted: fromAccount, why: `ServiceAccount ${site.namespace}/${name} sets automountServiceAccountToken: ${String(fromAccount)}` };
  return { mounted: true, why: `neither the pod nor ServiceAccount ${site.namespace}/${name} sets automountServiceAccountToken, and it defaults to true` };
}

export const noServiceAccountToken = podRule(
  {
    id: 'no-service-account-token',
    description:
      'Pods do not mount a Kubernetes API token (automountServiceAccountToken: false, on the pod or its ServiceAccount). A workload that calls the API says so with a waiver.',
  },
  function* (site, context) {
    const mount = serviceAccountTokenMount(site, context);
    if (!mount.mounted) return;
    yield {
      path: `${site.specPath}.automountServiceAccountToken`,
      message: `pods mount a Kubernetes API token (${mount.why}); set automountServiceAccountToken: false, or, if this workload calls the Kubernetes API, waive no-service-account-token with the reason`,
    };
  },
);
