/**
 * Debian's Chromium driven by playwright-core for the console's browser tests. Playwright's own
 * browser downloads are not used (nothing is downloaded on CI machines): the browser is the
 * system package (`apt-get install chromium`, done by .ci/run) or the one PADDOCK_CHROMIUM names.
 */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** where Debian and Ubuntu put the browser; the first executable one wins */
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'] as const;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium to drive, or why there is none (the message says how to get one). */
export function findChromium(env: NodeJS.ProcessEnv = process.env): { path: string } | { problem: string } {
  const chosen = env.PADDOCK_CHROMIUM;
  if (chosen) return executable(chosen) ? { path: chosen } : { problem: `PADDOCK_CHROMIUM=${chosen} is not an executable file` };
  const found = SYSTEM_CHROMIUM.find(executable);
  return found ? { path: found } : { problem: `no Chromium at ${SYSTEM_CHROMIUM.join(' or ')}: install it (apt-get install -y chromium) or set PADDOCK_CHROMIUM to a Chromium binary` };
}

/**
 * Chromium's own sandbox needs user namespaces it cannot have as root (CI containers run as
 * root), so it is turned off there and only there (playwright-core's default is off for
 * everyone); the pages under test are the console's own.
 */
export function useChromiumSandbox(uid: number | undefined = process.getuid?.()): boolean {
  return uid !== 0;
}

export async function launchChromium(): Promise<Browser> {
  const found = findChromium();
  if ('problem' in found) throw new Error(found.problem);
  return chromium.launch({ executablePath: found.path, headless: true, chromiumSandbox: useChromiumSandbox(), timeout: 60_000 });
}
