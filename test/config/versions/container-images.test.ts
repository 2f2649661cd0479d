import { describe, expect, it } from 'vitest';
import { DEFAULT_KIND_NODE_IMAGE, DEFAULT_POSTGRES_IMAGE } from '../../../config/schema.ts';
import { DEFAULT_KIND_NODE, KIND_NODE_IMAGES, kindNodeImageFor, postgresImageMajor } from '../../../config/versions/container-images.ts';
import { DEFAULT_EKS_KUBERNETES_VERSION } from '../../../config/versions/eks-kubernetes-versions.ts';
import { DEFAULT_RDS_POSTGRES_VERSION } from '../../../config/versions/rds-postgres-versions.ts';

describe('image versions that follow the platform versions', () => {
  it('run kind on a kindest/node of the EKS default\'s Kubernetes minor, pinned by digest, from a named kind release', () => {
    expect(DEFAULT_KIND_NODE_IMAGE).toBe(DEFAULT_KIND_NODE.image);
    expect(DEFAULT_KIND_NODE_IMAGE).toMatch(new RegExp(`^kindest/node:v${DEFAULT_EKS_KUBERNETES_VERSION.replace('.', '\\.')}\\.\\d+@sha256:[0-9a-f]{64}$`));
    expect(DEFAULT_KIND_NODE.kindRelease).toBe('v0.31.0');
    for (const [minor, entry] of Object.entries(KIND_NODE_IMAGES)) {
      expect(entry.image, minor).toMatch(new RegExp(`^kindest/node:v${minor.replace('.', '\\.')}\\.\\d+@sha256:[0-9a-f]{64}$`));
      expect(entry.kindRelease, minor).toMatch(/^v\d+\.\d+\.\d+$/);
    }
    expect(() => kindNodeImageFor('1.30')).toThrow('no kindest/node image is recorded for Kubernetes 1.30 in config/versions/container-images.ts (recorded: 1.35, 1.36)');
  });

  it('run the in-cluster Postgres on the RDS default\'s major, at an exact patch tag', () => {
    expect(postgresImageMajor(DEFAULT_POSTGRES_IMAGE)).toBe(DEFAULT_RDS_POSTGRES_VERSION);
    expect(DEFAULT_POSTGRES_IMAGE).toMatch(/^docker\.io\/library\/postgres:\d+\.\d+-alpine\d+\.\d+$/);
    expect(postgresImageMajor('docker.io/library/postgres:16.4-alpine3.20')).toBe('16');
  });
});
