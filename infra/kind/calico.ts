/**
 * Calico, the CNI of kind stacks: kindnet (kind's default) is disabled because the platform's
 * isolation rests on NetworkPolicy, which Calico enforces. Pinned to a release whose manifest
 * supports Kubernetes 1.30; the manifest is fetched by the Kubernetes provider at `pulumi up`
 * (never under `paddock plan` or the tests, which run against mocks).
 */
export const CALICO_VERSION = 'v3.28.2';
export const CALICO_MANIFEST_URL = `https://raw.githubusercontent.com/projectcalico/calico/${CALICO_VERSION}/manifests/calico.yaml`;
