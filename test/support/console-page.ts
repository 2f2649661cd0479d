/**
 * Driving the web console in a real browser the way a person does (by the controls' accessible
 * names), plus what the browser tests check the page against: the API's own event list, axe-core
 * and screenshots under .paddock/console-screenshots/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium } from './chromium.ts';
import { startDevMode, type DevMode } from './dev-mode.ts';

const REPO = join(import.meta.dirname, '..', '..');
export const SCREENSHOT_DIR = join(REPO, '.paddock', 'console-screenshots');
const require = createRequire(import.meta.url);

/** generous, because the machine running the tests may be busy; bounded, so a hang fails */
export const UI_TIMEOUT_MS = 20_000;

/** expect.poll with the UI timeout (its own default, 1 s, is too short on a busy machine) */
export function eventually<T>(value: () => T | Promise<T>, timeout = UI_TIMEOUT_MS) {
  return expect.poll(value, { timeout, interval: 100 });
}

/**
 * `paddock dev` and Chromium, started side by side; when one of them fails the other is
 * stopped before the error is thrown (no browser or dev runtime outlives a failed setup).
 */
export async function startDevAndBrowser(): Promise<{ dev: DevMode; browser: Browser }> {
  const [dev, browser] = await Promise.allSettled([startDevMode(), launchChromium()]);
  if (dev.status === 'fulfilled' && browser.status === 'fulfilled') return { dev: dev.value, browser: browser.value };
  if (dev.status === 'fulfilled') await dev.value.stop();
  if (browser.status === 'fulfilled') await browser.value.close();
  throw dev.status === 'rejected' ? dev.reason : (browser as PromiseRejectedResult).reason;
}

export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await eventually(() => page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
}

/** Creates a session through "New session" and returns its id (from the URL it opens). */
export async function createSession(page: Page, title: string, harness = 'scripted'): Promise<string> {
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Harness').selectOption({ label: harness });
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Create session' }).click();
  await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/, { timeout: UI_TIMEOUT_MS });
  await page.getByRole('heading', { name: title }).waitFor({ timeout: UI_TIMEOUT_MS });
  return new URL(page.url()).pathname.split('/').at(-1)!;
}

export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  // the composer empties once the API took the message
  await eventually(() => page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('');
}

/** the rendered turn `n` (1-based) of the conversation */
export const turn = (page: Page, n: number) => page.getByRole('list', { name: 'Conversation' }).locator(':scope > li.turn').nth(n - 1);

/** Waits until turn `n` says it ended in `state` ("completed", "aborted", ...). */
export async function waitForTurnState(page: Page, n: number, state: string, timeout = UI_TIMEOUT_MS): Promise<void> {
  await eventually(() => turn(page, n).locator('.turn-state').textContent().catch(() => ''), timeout).toBe(`Turn ${n} ${state}`);
}

export interface WireEvent {
  readonly seq: number;
  readonly turn: number | null;
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Every event of a session from the API (GET /v1/sessions/:id/events, all pages). */
export async function apiEvents(url: string, token: string, sessionId: string): Promise<WireEvent[]> {
  const out: WireEvent[] = [];
  for (let after = 0; ; ) {
    const res = await fetch(`${url}/v1/sessions/${sessionId}/events?after=${after}&limit=1000`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`GET events of ${sessionId}: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { events: WireEvent[]; nextAfter: number; hasMore: boolean };
    out.push(...body.events);
    after = body.nextAfter;
    if (!body.hasMore) return out;
  }
}

/** What the page shows of one turn, in the same terms as expectedTurn derives from the API's events. */
export interface TurnContent {
  readonly user: string;
  readonly text: string;
  readonly tools: number;
  readonly toolOutputs: readonly string[];
  readonly statuses: readonly string[];
  readonly errors: readonly string[];
  readonly sandboxes: number;
}

export async function renderedTurn(page: Page, n: number): Promise<TurnContent> {
  const li = turn(page, n);
  return {
    user: (await li.locator('.user-text').textContent()) ?? '',
    text: (await li.locator('.agent-text').allTextContents()).join(''),
    tools: await li.locator('details.tool').count(),
    // the second <pre> of a tool block is its output (present, if folded away, while closed)
    toolOutputs: await li.locator('details.tool').evaluateAll((blocks) => blocks.map((b) => (b as unknown as { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> }).querySelectorAll('pre')[1]?.textContent ?? '')),
    statuses: await li.locator('.status-line').allTextContents(),
    errors: (await li.locator('.error-line code').allTextContents()),
    sandboxes: await li.locator('.sandbox-line').count(),
  };
}

/** A turn's content from the API's events: every delta once, in seq order. */
export function expectedTurn(events: readonly WireEvent[], n: number): TurnContent {
  const mine = events.filter((e) => e.turn === n).sort((a, b) => a.seq - b.seq);
  return {
    user: String(mine.find((e) => e.type === 'user_message')?.text ?? ''),
    text: mine.filter((e) => e.type === 'text_delta').map((e) => String(e.text)).join(''),
    tools: mine.filter((e) => e.type === 'tool_call').length,
    toolOutputs: mine.filter((e) => e.type === 'tool_result').map((e) => String(e.output)),
    statuses: mine.filter((e) => e.type === 'status').map((e) => String(e.message)),
    errors: mine.filter((e) => e.type === 'error').map((e) => String(e.code)),
    sandboxes: mine.filter((e) => e.type === 'sandbox').length,
  };
}

/** The API's seq numbers are 1..n with no gap or repeat (what the rendered view is compared against). */
export function expectGapFree(events: readonly WireEvent[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: ReadonlyArray<{ readonly target: unknown; readonly failureSummary?: string }>;
}

/** axe-core run in the page: the serious and critical violations, printed so a failure says what and where. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // evaluated over the DevTools protocol, not added as a <script>: the console's CSP rightly refuses inline scripts
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    // runs in the page (no DOM types in this project's test config)
    const page = globalThis as unknown as { document: unknown; axe: { run(context: unknown, options: object): Promise<{ violations: AxeViolation[] }> } };
    const result = await page.axe.run(page.document, { resultTypes: ['violations'] });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    at ${JSON.stringify(n.target)}: ${n.failureSummary ?? ''}`).join('\n')}`);
}

/** Saves a full-page screenshot as a test artifact (.paddock/ is not committed). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
