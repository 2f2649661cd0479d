import { describe, expect, it } from 'vitest';
import { parseImageReference, unpinnedReason } from '../../../policy/workload/image-reference.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('image references', () => {
  it('splits registry ports from tags, and digests from both', () => {
    expect(parseImageReference('localhost:5000/team/app:1.2')).toEqual({ repository: 'localhost:5000/team/app', tag: '1.2' });
    expect(parseImageReference('localhost:5000/team/app')).toEqual({ repository: 'localhost:5000/team/app' });
    expect(parseImageReference(`ghcr.io/a/b:1.0@${DIGEST}`)).toEqual({ repository: 'ghcr.io/a/b', tag: '1.0', digest: DIGEST });
  });

  it.each([
    ['ghcr.io/paddock-dev/paddock-runtime:0.1.0', undefined],
    ['registry.k8s.io/agent-sandbox/agent-sandbox-controller:v0.5.6', undefined],
    ['docker.io/library/postgres:16.4-alpine3.20', undefined],
    [`ghcr.io/a/b@${DIGEST}`, undefined],
    [`ghcr.io/a/b:main@${DIGEST}`, undefined],
    ['busybox', 'has no tag'],
    ['busybox:latest', 'mutable tag "latest"'],
    [`busybox:latest@${DIGEST}`, 'mutable tag "latest"'],
    ['busybox:stable', 'not a version'],
    ['busybox@sha256:xyz', 'malformed digest'],
    [undefined, 'has no image'],
  ])('%s', (image, reason) => {
    const found = unpinnedReason(image);
    if (reason === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(reason);
  });
});
