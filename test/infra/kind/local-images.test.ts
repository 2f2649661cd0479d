/** localImageIds asks Docker (here the fake in test/infra/kind/fakes) for each image's ID. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { localImageIds } from '../../../infra/kind/local-images.ts';

const saved = { PATH: process.env.PATH, FAKE_STATE: process.env.FAKE_STATE };
afterEach(() => {
  process.env.PATH = saved.PATH;
  if (saved.FAKE_STATE === undefined) delete process.env.FAKE_STATE;
  else process.env.FAKE_STATE = saved.FAKE_STATE;
});

it('maps each image Docker has to its ID and leaves out the others; no Docker at all is no IDs', () => {
  const state = mkdtempSync(join(tmpdir(), 'paddock-images-'));
  try {
    writeFileSync(join(state, 'images'), `ghcr.io/paddock-dev/paddock-runtime:0.1.0 sha256:${'3'.repeat(64)}\n`);
    process.env.PATH = `${new URL('./fakes', import.meta.url).pathname}:/usr/bin:/bin`;
    process.env.FAKE_STATE = state;
    expect(localImageIds(['ghcr.io/paddock-dev/paddock-runtime:0.1.0', 'quay.io/calico/node:v3.32.1'])).toEqual(new Map([['ghcr.io/paddock-dev/paddock-runtime:0.1.0', `sha256:${'3'.repeat(64)}`]]));
    process.env.PATH = state; // no docker here
    expect(localImageIds(['ghcr.io/paddock-dev/paddock-runtime:0.1.0'])).toEqual(new Map());
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});
