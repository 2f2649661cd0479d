import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { imageResourceName, locallyBuiltImages } from '../../../infra/kind/images.ts';
import { kindClusterConfig, kindClusterConfigYaml, kindContext } from '../../../infra/kind/kind-config.ts';
import { DEFAULT_EKS_KUBERNETES_VERSION } from '../../../config/versions/eks-kubernetes-versions.ts';
import { shippedSpec } from '../../support/fixtures.ts';

describe('kind cluster config', () => {
  const spec = shippedSpec('local');

  it('pins every node to the configured image, disables kindnet and uses the stack ranges', () => {
    const config = kindClusterConfig(spec);
    expect(config.nodes).toHaveLength(1 + spec.platform.kind!.workers);
    for (const node of config.nodes) expect(node.image).toBe(spec.platform.kind!.nodeImage);
    expect(config.nodes.map((n) => n.role)).toEqual(['control-plane', ...Array.from({ length: spec.platform.kind!.workers }, () => 'worker')]);
    expect(config.networking).toEqual({ disableDefaultCNI: true, podSubnet: spec.platform.network.podCidr, serviceSubnet: spec.platform.network.serviceCidr });
    // The shipped local stack runs the node image of the EKS default's minor, pinned by digest.
    const minor = DEFAULT_EKS_KUBERNETES_VERSION.replace('.', '\\.');
    expect(spec.platform.kind!.nodeImage).toMatch(new RegExp(`^kindest/node:v${minor}\\.\\d+@sha256:[0-9a-f]{64}$`));
  });

  it('renders YAML that parses back to the same config, identically every time', () => {
    const text = kindClusterConfigYaml(spec);
    expect(parse(text)).toEqual(kindClusterConfig(spec));
    expect(kindClusterConfigYaml(spec)).toBe(text);
    expect(kindContext('paddock-local')).toBe('kind-paddock-local');
  });

  it('refuses an EKS stack', () => {
    expect(() => kindClusterConfig(shippedSpec('prod'))).toThrow('not a kind stack');
  });
});

describe('locally built images', () => {
  it('are the runtime and each harness a team uses, once each, sorted', () => {
    const spec = shippedSpec('local');
    const harnessImages = spec.teams.flatMap((t) => t.harnesses.map((h) => h.definition.image));
    expect(locallyBuiltImages(spec)).toEqual([...new Set([spec.platform.runtime.image, ...harnessImages])].sort());
  });

  it('get resource names that are unique and readable', () => {
    expect(imageResourceName('ghcr.io/paddock-dev/harness-codex:0.1.0')).toBe('ghcr.io-paddock-dev-harness-codex-0.1.0');
    expect(imageResourceName('registry.example/a/b@sha256:' + 'f'.repeat(64))).toBe('registry.example-a-b-ffffffffffff');
    expect(imageResourceName('x.io/a/img:1')).not.toBe(imageResourceName('y.io/a/img:1'));
  });
});
