/**
 * Images whose version follows the platform's versions, as data with their sources:
 * - the kind node image: a `kindest/node` of the same Kubernetes minor as the EKS default, by
 *   digest, from the kind release that published it (kind supports a node image with the kind
 *   release it was built for, best effort with others);
 * - the in-cluster Postgres image (kind stacks): the same major as the RDS default (a test holds
 *   them together).
 */
import { DEFAULT_EKS_KUBERNETES_VERSION } from './eks-kubernetes-versions.ts';

export interface KindNodeImage {
  readonly image: string;
  /** the kind release whose release notes (and default image) name it */
  readonly kindRelease: string;
  readonly source: string;
}

export const KIND_NODE_IMAGES: Readonly<Record<string, KindNodeImage>> = {
  '1.35': {
    image: 'kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f',
    kindRelease: 'v0.31.0',
    source: 'https://github.com/kubernetes-sigs/kind/blob/v0.31.0/pkg/apis/config/defaults/image.go (the default image of the v0.31.0 release), read 2026-12-04',
  },
  '1.36': {
    image: 'kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5',
    kindRelease: 'v0.32.0',
    source: 'https://github.com/kubernetes-sigs/kind/blob/v0.32.0/pkg/apis/config/defaults/image.go (the default image of the v0.32.0 release), read 2026-12-04',
  },
};

export function kindNodeImageFor(kubernetesMinor: string): KindNodeImage {
  const entry = Object.hasOwn(KIND_NODE_IMAGES, kubernetesMinor) ? KIND_NODE_IMAGES[kubernetesMinor] : undefined;
  if (!entry) throw new Error(`no kindest/node image is recorded for Kubernetes ${kubernetesMinor} in config/versions/container-images.ts (recorded: ${Object.keys(KIND_NODE_IMAGES).join(', ')})`);
  return entry;
}

/** kind runs the same Kubernetes minor as the EKS default, so local and production behave alike. */
export const DEFAULT_KIND_NODE = kindNodeImageFor(DEFAULT_EKS_KUBERNETES_VERSION);

/**
 * The Docker official image, same major as the RDS default, exact patch tag. No digest: none could
 * be read from a source this project trusts offline. 17.9 is the newest 17.x in
 * https://github.com/docker-library/postgres/blob/6edb0a8c4d/versions.json (the newest snapshot
 * available here, 2026-02-26; variants alpine3.23, alpine3.22), read 2026-12-04; newer 17.x patches may have shipped since: check
 * https://hub.docker.com/_/postgres and docker-library/official-images library/postgres.
 */
export const DEFAULT_POSTGRES_IMAGE = 'docker.io/library/postgres:17.9-alpine3.23';

/** The major version of a postgres image tag ("…postgres:17.9-alpine3.23" -> "17"), to keep it on the RDS default's major. */
export function postgresImageMajor(image: string): string | undefined {
  return /\/postgres:(\d+)[.-]/.exec(image)?.[1];
}

/**
 * The in-cluster model gateway (ADR 0024): LiteLLM's `litellm-database` image (the one its Helm
 * chart runs: the proxy with Prisma and its engines baked in, so migrations run offline under any
 * uid since v1.90.6), at the newest patch of its long-term-support line found in its release
 * notes. No digest: none could be read from a source this project trusts offline (the release
 * notes give tags and a cosign command, not digests); verify with the release's `cosign verify`
 * and pin `modelGateway.image` by digest in your stack if your policy requires it.
 */
export interface GatewayImage {
  readonly image: string;
  readonly release: string;
  /** "lts": LiteLLM's long-term-support line (patches only; the `lts` tag follows its newest) */
  readonly channel: 'lts' | 'stable';
  readonly source: string;
}

export const LITELLM_IMAGE: GatewayImage = {
  image: 'ghcr.io/berriai/litellm-database:v1.108.23',
  release: 'v1.108.23',
  channel: 'lts',
  source: 'https://newreleases.io/project/github/BerriAI/litellm/release/v1.108.23 ("1.108.23 (LTS)", the newest 1.108.x patch found; newer non-LTS lines 1.110/1.111 exist) and https://docs.litellm.ai/release_notes/v1.90.6/v1-90-6 (Prisma baked for non-root uids), read 2026-12-04',
};

export const DEFAULT_LITELLM_IMAGE = LITELLM_IMAGE.image;
