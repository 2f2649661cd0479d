/**
 * Every upstream v0.5.6 example manifest is accepted by our CRDs (ajv, strict, unknown fields
 * as errors), and its pod template passes the client-side PodSpec check ADR 0003 relies on.
 */
import { describe, expect, it } from 'vitest';
import { PodTemplateSpec, type IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { agentSandboxResourceValidator, validateCustomResource } from '../../support/crd-validator.ts';
import { parseDocuments, readUpstreamText, UPSTREAM_EXAMPLE_FILES, upstreamAvailable, upstreamSkipNote } from './upstream-reference.ts';

interface ExampleResource {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { podTemplate?: IPodTemplateSpec };
}

function examples(file: string): ExampleResource[] {
  return parseDocuments(readUpstreamText(file), file) as ExampleResource[];
}

describe.skipIf(!upstreamAvailable)(`upstream agent-sandbox v0.5.6 examples${upstreamSkipNote}`, () => {
  it.each(UPSTREAM_EXAMPLE_FILES)('%s validates against our CRDs', (file) => {
    const resources = examples(file);
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) {
      expect(agentSandboxResourceValidator().handles(resource.apiVersion, resource.kind), `${file}: ${resource.apiVersion} ${resource.kind}`).toBe(true);
      expect(validateCustomResource(resource), file).toEqual([]);
    }
  });

  it('the examples cover all four kinds', () => {
    const kinds = new Set(UPSTREAM_EXAMPLE_FILES.flatMap((file) => examples(file).map((r) => r.kind)));
    expect([...kinds].sort()).toEqual(['Sandbox', 'SandboxClaim', 'SandboxTemplate', 'SandboxWarmPool']);
  });

  it.each(UPSTREAM_EXAMPLE_FILES)('%s: pod templates pass the kubernetes-models PodTemplateSpec check', (file) => {
    for (const resource of examples(file)) {
      if (!resource.spec.podTemplate) continue;
      expect(() => new PodTemplateSpec(resource.spec.podTemplate).validate(), `${file}`).not.toThrow();
    }
  });

  it('sandboxtemplate.yaml with its commented-out keys enabled is rejected, naming both keys', () => {
    const text = readUpstreamText('sandboxtemplate.yaml');
    const uncommented = text.replace(/^(\s*)#(enableDisruptionControl:|shutdownTime:)/gm, '$1$2');
    expect(uncommented).not.toBe(text);
    const [template] = parseDocuments(uncommented, 'sandboxtemplate.yaml (uncommented)');
    expect(validateCustomResource(template)).toEqual([
      'SandboxTemplate default/secure-datascience-template: spec.enableDisruptionControl: unknown field (not in the schema; the API server would drop it)',
      'SandboxTemplate default/secure-datascience-template: spec.shutdownTime: unknown field (not in the schema; the API server would drop it)',
    ]);
  });

  it('secure-sandboxtemplate.yaml: the int-or-string DNS ports and selector peers are checked, not just passed through', () => {
    const [template] = examples('secure-sandboxtemplate.yaml') as unknown as [{ spec: { networkPolicy: { egress: { ports: { port: unknown }[] }[]; ingress: { from: Record<string, unknown>[] }[] } } }];
    template.spec.networkPolicy.egress[0]!.ports[0]!.port = true;
    template.spec.networkPolicy.ingress[0]!.from[0]!.podSelector = { matchLabel: { app: 'x' } };
    expect(validateCustomResource(template)).toEqual([
      'SandboxTemplate default/secure-datascience-template: spec.networkPolicy.egress[0].ports[0].port: must be of type integer or string (got true)',
      'SandboxTemplate default/secure-datascience-template: spec.networkPolicy.ingress[0].from[0].podSelector.matchLabel: unknown field (not in the schema; the API server would drop it)',
    ]);
  });
});
