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

/** The kinds whose spec holds a pod template (claims and warm pools reference a template). */
const POD_TEMPLATE_KINDS = new Set(['Sandbox', 'SandboxTemplate']);

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

  it.each(UPSTREAM_EXAMPLE_FILES)('%s: a Sandbox or SandboxTemplate carries a pod template that passes the kubernetes-models PodTemplateSpec check; claims and warm pools carry none', (file) => {
    for (const resource of examples(file)) {
      const where = `${file}: ${resource.kind} ${resource.metadata.name}`;
      if (!POD_TEMPLATE_KINDS.has(resource.kind)) {
        // they name a SandboxTemplate instead; a pod template here would be dropped by the API server
        expect(resource.spec.podTemplate, where).toBeUndefined();
        continue;
      }
      expect(resource.spec.podTemplate?.spec?.containers?.length, where).toBeGreaterThan(0);
      expect(() => new PodTemplateSpec(resource.spec.podTemplate).validate(), where).not.toThrow();
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
