/**
 * The console's security in real Chromium against `paddock dev`: a wrong token is told so, the
 * token lives in the tab's sessionStorage only, agent output and user input carrying HTML are
 * shown as text and never run, another team sees nothing of this team's sessions, and the page
 * has its Content-Security-Policy and sends no request to any other origin.
 */
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, eventually, sendMessage, signIn, startDevAndBrowser, turn, UI_TIMEOUT_MS, waitForTurnState } from '../../support/console-page.ts';
import type { DevMode } from '../../support/dev-mode.ts';

let dev: DevMode;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let sessionId: string;
const requests: Request[] = [];
const dialogs: string[] = [];
const cspViolations: string[] = [];

const PAYLOAD = `<img src=x onerror="window.__pwned='img';alert('img')"> <script>window.__pwned='script';alert('script')</script> <b id="injected">bold</b>`;
const TITLE = `<img src=x onerror="alert('title')">Secret project`;

beforeAll(async () => {
  ({ dev, browser } = await startDevAndBrowser());
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on('request', (request) => requests.push(request));
  page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
});

interface TabStorage {
  readonly session: Record<string, string>;
  readonly local: Record<string, string>;
}

/** what the tab keeps in sessionStorage and localStorage */
const storage = (p: Page): Promise<TabStorage> =>
  p.evaluate(() => {
    const tab = globalThis as unknown as { sessionStorage: Record<string, string>; localStorage: Record<string, string> };
    return { session: { ...tab.sessionStorage }, local: { ...tab.localStorage } };
  });

async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
  const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const otherPage = await other.newPage();
  otherPage.setDefaultTimeout(UI_TIMEOUT_MS);
  return { context: other, page: otherPage };
}

describe.sequential('the console keeps tokens, teams and untrusted output in their place', () => {
  it('a wrong token gets a clear message and no way in', async () => {
    await page.goto(dev.url);
    await page.getByLabel('API token').fill('pdk_not-a-real-token-000000000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('That API token was not accepted');
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await storage(page)).toEqual({ session: {}, local: {} });
  });

  it('the token is kept in sessionStorage only: never in a URL, localStorage or a cookie; Sign out forgets it', async () => {
    const token = dev.tokens.teams.platform!;
    await signIn(page, dev.url, token);
    sessionId = await createSession(page, TITLE);
    const kept = await storage(page);
    expect(Object.values(kept.session)).toEqual([token]);
    expect(kept.local).toEqual({});
    expect(await context.cookies()).toEqual([]);
    expect(page.url()).not.toContain(token);
    expect(requests.filter((r) => r.url().includes(token)).map((r) => r.url())).toEqual([]);
    // the API calls carry it as a bearer header
    const apiCall = requests.findLast((r) => new URL(r.url()).pathname === '/v1/harnesses');
    expect(await apiCall?.headerValue('authorization')).toBe(`Bearer ${token}`);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await storage(page)).toEqual({ session: {}, local: {} });
    await signIn(page, `${dev.url}/sessions/${sessionId}`, token);
  });

  it('HTML in a message, a tool call and a title is shown as text and never runs', async () => {
    await page.goto(`${dev.url}/sessions/${sessionId}`);
    await sendMessage(page, `/tool ${PAYLOAD}`);
    await waitForTurnState(page, 1, 'completed');
    const first = turn(page, 1);
    expect(await first.locator('.user-text').textContent()).toBe(`/tool ${PAYLOAD}`);
    expect(await first.locator('.agent-text').textContent()).toContain(PAYLOAD);
    await first.locator('details.tool summary').click();
    expect(await first.locator('details.tool pre').nth(1).textContent()).toBe(PAYLOAD);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(TITLE);

    // and on the sessions list
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('link', { name: TITLE }).waitFor();

    // no element came from the payloads, nothing ran, no dialog opened
    expect(await page.locator('img[src="x"], #main script, #injected').count()).toBe(0);
    await page.goto(`${dev.url}/sessions/${sessionId}`);
    await waitForTurnState(page, 1, 'completed');
    expect(await page.locator('img[src="x"], #main script, #injected').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned ?? null)).toBe(null);
    expect(dialogs).toEqual([]);
  });

  it("another team's token sees none of it: not in the list, not by the session's URL", async () => {
    const other = await freshPage();
    try {
      await signIn(other.page, dev.url, dev.tokens.teams.web!);
      await other.page.getByRole('heading', { name: 'Sessions' }).waitFor();
      await eventually(() => other.page.getByText(/No sessions|no sessions/).count()).toBeGreaterThan(0);
      expect(await other.page.getByText('Secret project').count()).toBe(0);

      await other.page.goto(`${dev.url}/sessions/${sessionId}`);
      await other.page.getByRole('heading', { name: 'Session not available' }).waitFor();
      expect(await other.page.getByRole('alert').textContent()).toMatch(/not_found|not found/i);
      expect(await other.page.getByText(PAYLOAD).count()).toBe(0);
      expect(await other.page.getByText('Secret project').count()).toBe(0);
    } finally {
      await other.context.close();
    }
  });

  it('every answer carries the CSP and frame protection; no request leaves the origin; no CSP violation', async () => {
    const response = await page.goto(`${dev.url}/`);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    const origin = new URL(dev.url).origin;
    expect(requests.length).toBeGreaterThan(10);
    expect([...new Set(requests.map((r) => new URL(r.url()).origin))]).toEqual([origin]);
    expect(cspViolations).toEqual([]);
  });
});
