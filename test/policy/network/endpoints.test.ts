import { describe, expect, it } from 'vitest';
import { endpointsByNamespace } from '../../../policy/network/endpoints.ts';
import { networkPoliciesOf } from '../../../policy/network/policy-model.ts';
import { podSiteOf, type PodSite } from '../../../policy/workload/pod-sites.ts';
import { sandboxTemplate, teamObjects } from '../fixtures/stack.ts';

describe('endpointsByNamespace', () => {
  it('lists template pods with controller labels, selector witnesses and an unlabelled pod', () => {
    const template = sandboxTemplate('alpha', 'codex');
    (template.spec as { podTemplate: { metadata: { labels: Record<string, string> } } }).podTemplate.metadata.labels['agents.x-k8s.io/dropped'] = 'x';
    const objects = [...teamObjects('alpha', []), template];
    const sites = objects.map(podSiteOf).filter((s): s is PodSite => s !== undefined);
    const endpoints = endpointsByNamespace(['team-alpha'], sites, networkPoliciesOf(objects)).get('team-alpha')!;
    expect(endpoints.map((e) => [e.origin, e.labels])).toEqual([
      ['SandboxTemplate team-alpha/codex', { 'paddock.dev/harness': 'codex', 'paddock.dev/team': 'alpha', 'agents.x-k8s.io/sandbox-template-ref-hash': 'team-alpha.codex' }],
      ['any other pod', {}],
      // allow-model-gateway, allow-egress-list and allow-runtime-to-harness share one selector
      ['pods selected by NetworkPolicy team-alpha/allow-model-gateway', { 'paddock.dev/harness': 'probe' }],
    ]);
    expect(endpoints[0]!.ports).toEqual([{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
  });
});
