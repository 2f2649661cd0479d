/** Which Chromium the browser tests drive, and when its sandbox is on (test/support/chromium.ts). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { findChromium, launchChromium, useChromiumSandbox } from '../../support/chromium.ts';

const dir = mkdtempSync(join(tmpdir(), 'paddock-chromium-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('PADDOCK_CHROMIUM wins when it names an executable, and is named when it does not', () => {
  const binary = join(dir, 'chromium');
  writeFileSync(binary, '#!/bin/sh\n', { mode: 0o755 });
  const notExecutable = join(dir, 'readme.txt');
  writeFileSync(notExecutable, 'not a browser', { mode: 0o644 });
  expect(findChromium({ PADDOCK_CHROMIUM: binary })).toEqual({ path: binary });
  expect(findChromium({ PADDOCK_CHROMIUM: join(dir, 'missing') })).toEqual({ problem: `PADDOCK_CHROMIUM=${join(dir, 'missing')} is not an executable file` });
  // no execute bit at all: refused even for root
  expect(findChromium({ PADDOCK_CHROMIUM: notExecutable })).toEqual({ problem: `PADDOCK_CHROMIUM=${notExecutable} is not an executable file` });
});

it("Chromium's sandbox is off for root only", () => {
  expect(useChromiumSandbox(0)).toBe(false);
  expect(useChromiumSandbox(1000)).toBe(true);
});

it('the system Chromium launches, headless, and renders a page (CI installs it: .ci/run)', async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent('<main><button>Ready</button></main>');
    expect(await page.getByRole('button', { name: 'Ready' }).count()).toBe(1);
    expect(browser.version()).toMatch(/^\d+\./);
  } finally {
    await browser.close();
  }
});
