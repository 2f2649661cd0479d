import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'image-pinned';
const base = compliantStack();
const OBJECT = 'Deployment paddock-system/paddock-runtime';
const PATH = 'spec.template.spec.containers[0].image';

function withImage(image: string) {
  return withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
    o.spec.template.spec.containers[0].image = image;
  });
}

describe(RULE, () => {
  it('passes the compliant stack, digests and registry ports', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
    expect(violationsOf(RULE, withImage(`ghcr.io/paddock-dev/paddock-runtime@sha256:${'a'.repeat(64)}`))).toEqual([]);
    expect(violationsOf(RULE, withImage('localhost:5000/paddock-runtime:0.1.0'))).toEqual([]);
  });

  it.each([
    ['ghcr.io/paddock-dev/paddock-runtime:latest', 'mutable tag "latest"'],
    ['ghcr.io/paddock-dev/paddock-runtime', 'no tag'],
    ['localhost:5000/paddock-runtime', 'no tag'],
    ['ghcr.io/paddock-dev/paddock-runtime:stable', 'not a version'],
    ['ghcr.io/paddock-dev/paddock-runtime@sha256:abc', 'malformed digest'],
  ])('flags %s', (image, reason) => {
    const found = violationsOf(RULE, withImage(image));
    expect(where(found)).toEqual([{ rule: RULE, object: OBJECT, path: PATH }]);
    expect(found[0]!.message).toContain(reason);
  });

  it('checks sandbox template images too', () => {
    const objects = withChange(base, 'SandboxTemplate', 'team-beta/codex', (o) => {
      o.spec.podTemplate.spec.containers[0].image = 'busybox';
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: 'SandboxTemplate team-beta/codex', path: 'spec.podTemplate.spec.containers[0].image' }]);
  });
});
