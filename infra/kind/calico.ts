/**
 * Calico, the CNI of kind stacks: kindnet (kind's default) is disabled because the platform's
 * isolation rests on NetworkPolicy, which Calico enforces. The release is data: its manifest URL
 * and the sha256 `pulumi up` checks before applying it (kind-scripts.ts CALICO_FETCH), and the
 * images it runs, which are loaded into the kind nodes like the stack's own (images.ts).
 *
 * v3.32.1 (tag dated 2026-06-24): its release notes build it against Kubernetes 1.35; Tigera's
 * requirements page lists 1.34–1.36 for 3.32 (as quoted by third parties; check
 * https://docs.tigera.io/calico/3.32/getting-started/kubernetes/requirements), which covers the
 * kindest/node minors in config/versions/container-images.ts. The sha256 is that of
 * manifests/calico.yaml at git tag v3.32.1 of github.com/projectcalico/calico (the bytes
 * raw.githubusercontent.com serves for the URL), hashed from a copy of the repository on
 * 2026-12-04. Its images are on quay.io, not Docker Hub.
 */
export interface CalicoRelease {
  readonly version: string;
  readonly manifestUrl: string;
  readonly sha256: string;
  readonly images: readonly string[];
  readonly source: string;
}

export const CALICO: CalicoRelease = {
  version: 'v3.32.1',
  manifestUrl: 'https://raw.githubusercontent.com/projectcalico/calico/v3.32.1/manifests/calico.yaml',
  sha256: 'a1df919d9721cf667accdc3e72848911b0cb25cfab7d2478ad0c996302c95744',
  images: ['quay.io/calico/cni:v3.32.1', 'quay.io/calico/kube-controllers:v3.32.1', 'quay.io/calico/node:v3.32.1'],
  source: 'github.com/projectcalico/calico tag v3.32.1, manifests/calico.yaml (sha256 of the blob, recorded 2026-12-04)',
};

export const CALICO_VERSION = CALICO.version;
export const CALICO_MANIFEST_URL = CALICO.manifestUrl;
