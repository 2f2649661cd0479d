/**
 * The console's views in real Chromium against `paddock dev`: axe-core finds no serious or
 * critical violation on the sign-in, sessions, session and admin views; the keyboard alone signs
 * in and sends a message; a phone-sized screen shows and uses the main controls; the state
 * filter works. Screenshots of every view (desktop and phone) go to .paddock/console-screenshots/.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, eventually, screenshot, sendMessage, seriousA11yViolations, signIn, startDevAndBrowser, turn, UI_TIMEOUT_MS, waitForTurnState } from '../../support/console-page.ts';
import type { DevMode } from '../../support/dev-mode.ts';

let dev: DevMode;
let browser: Browser;

const DESKTOP = { viewport: { width: 1100, height: 900 } };
/** a test that runs several turns and views: bounded, with room for a busy machine */
const LONG_TEST_MS = 120_000;
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

beforeAll(async () => {
  ({ dev, browser } = await startDevAndBrowser());
});

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
});

async function newPage(options: typeof DESKTOP | typeof PHONE): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  return page;
}

async function expectAccessible(page: Page, view: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  expect(violations, `axe-core on the ${view} view:\n${violations.join('\n')}`).toEqual([]);
}

const isFocused = (locator: Locator) => locator.evaluate((el) => el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement);

/** Presses Tab until `target` has the focus (bounded), as a keyboard user would. */
async function tabTo(page: Page, target: Locator, maxPresses = 25): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    if (await isFocused(target)) return;
    await page.keyboard.press('Tab');
  }
  if (!(await isFocused(target))) throw new Error(`${maxPresses} presses of Tab did not reach ${target.toString()}`);
}

/** a team's sessions as the API lists them, every page */
async function listAll(token: string): Promise<Array<{ id: string; title: string | null }>> {
  const out: Array<{ id: string; title: string | null }> = [];
  for (let cursor: string | null = ''; cursor !== null; ) {
    const res = await fetch(`${dev.url}/v1/sessions?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { sessions: Array<{ id: string; title: string | null }>; nextCursor: string | null };
    out.push(...body.sessions);
    cursor = body.nextCursor;
  }
  return out;
}

/** nothing wider than the screen: no sideways scrolling on a phone */
const horizontalOverflow = (page: Page) => page.evaluate(() => {
  const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
  return root.scrollWidth - root.clientWidth;
});

describe.sequential('the console views', () => {
  it('desktop: sign-in, sessions, session and admin views have no serious accessibility violation (screenshots saved)', async () => {
    const page = await newPage(DESKTOP);
    await page.goto(dev.url);
    await page.getByLabel('API token').waitFor();
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in-desktop');

    await signIn(page, dev.url, dev.tokens.teams.platform!);
    const id = await createSession(page, 'Fix the flaky login test');
    await sendMessage(page, 'Please look at the flaky login test');
    await waitForTurnState(page, 1, 'completed');
    await sendMessage(page, '/tool Running the login test 20 times');
    await waitForTurnState(page, 2, 'completed');
    await turn(page, 2).locator('details.tool summary').click();
    // a turn still streaming: Abort shows, the turn is busy (slow enough to outlast the admin's look below)
    await sendMessage(page, '/slow 1500 Found it: the test waits on a fixed timeout; a wait for the page would fix it');
    await eventually(() => turn(page, 3).locator('.agent-text').textContent().catch(() => '')).toContain('the test');
    await expectAccessible(page, 'session');
    await screenshot(page, 'session-desktop');

    const admin = await newPage(DESKTOP);
    await signIn(admin, dev.url, dev.tokens.admin);
    await admin.getByRole('link', { name: 'Teams' }).click();
    await admin.getByRole('table').waitFor();
    // every team of the stack, with its harnesses, and the turn running right now
    expect(await admin.getByRole('row').count()).toBe(1 + Object.keys(dev.tokens.teams).length);
    const platform = admin.getByRole('row').filter({ has: admin.getByRole('cell', { name: 'platform', exact: true }) });
    expect(await platform.getByRole('cell').allTextContents()).toEqual(['platform', 'claude-code, scripted', '1', expect.stringMatching(/^Fix the flaky login test: turn 3 running/)]);
    await expectAccessible(admin, 'admin');
    await screenshot(admin, 'admin-desktop');
    for (const report of ['Usage', 'Audit log']) {
      await admin.getByRole('link', { name: report }).click();
      await admin.getByRole('heading', { level: 1, name: report }).waitFor();
      await eventually(() => admin.getByText('Loading…').count()).toBe(0);
      await expectAccessible(admin, report);
    }
    // the audit log has rows by now (sessions made, messages sent): its table scrolls sideways by keyboard too
    await admin.getByRole('region', { name: 'Audit log table' }).waitFor();
    await screenshot(admin, 'audit-desktop');

    await page.getByRole('button', { name: 'Abort' }).click();
    await waitForTurnState(page, 3, 'aborted');
    // the admin sees the team's session too
    await admin.goto(`${dev.url}/sessions/${id}`);
    await waitForTurnState(admin, 3, 'aborted');
    await admin.context().close();

    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('link', { name: 'Fix the flaky login test' }).waitFor();
    await page.getByRole('button', { name: 'New session' }).click();
    await page.getByLabel('Harness').waitFor();
    await expectAccessible(page, 'sessions (with the new-session form)');
    await screenshot(page, 'sessions-desktop');
    await page.context().close();
  }, LONG_TEST_MS);

  it('keyboard only: sign in, create a session and send a message', async () => {
    const page = await newPage(DESKTOP);
    await page.goto(dev.url);
    await tabTo(page, page.getByLabel('API token'));
    await page.keyboard.type(dev.tokens.teams.web!);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    await tabTo(page, page.getByRole('button', { name: 'New session' }));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByLabel('Harness'));
    // the web team's first harness is codex; choose scripted with the arrow keys
    const chosen = () => page.getByLabel('Harness').locator('option:checked').textContent();
    for (let i = 0; i < 5 && (await chosen()) !== 'scripted'; i++) await page.keyboard.press('ArrowDown');
    expect(await chosen()).toBe('scripted');
    await tabTo(page, page.getByLabel('Title'));
    await page.keyboard.type('Typed, not clicked');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Typed, not clicked' }).waitFor();

    await tabTo(page, page.getByRole('textbox', { name: 'Message' }));
    await page.keyboard.type('sent from the keyboard');
    await tabTo(page, page.getByRole('button', { name: 'Send' }));
    await page.keyboard.press('Enter');
    await waitForTurnState(page, 1, 'completed');
    expect(await turn(page, 1).locator('.agent-text').textContent()).toBe('I heard: sent from the keyboard (turn 1, 0 history messages)');

    // Ctrl+Enter in the box sends too
    await tabTo(page, page.getByRole('textbox', { name: 'Message' }));
    await page.keyboard.type('and with ctrl enter');
    await page.keyboard.press('Control+Enter');
    await waitForTurnState(page, 2, 'completed');
    await page.context().close();
  });

  it('the sessions list pages with "More sessions": every session once, newest first', async () => {
    const token = dev.tokens.teams.web!;
    const before = await listAll(token);
    for (let i = 1; i <= 27; i++) {
      const res = await fetch(`${dev.url}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ harness: 'scripted', title: `Paged session ${String(i).padStart(2, '0')}` }) });
      expect(res.status).toBe(201);
    }
    const all = await listAll(token);
    expect(all.length).toBe(before.length + 27);

    const page = await newPage(DESKTOP);
    await signIn(page, dev.url, token);
    const rows = page.getByRole('table').getByRole('row');
    await eventually(() => rows.count()).toBe(1 + 25);
    await page.getByRole('button', { name: 'More sessions' }).click();
    await eventually(() => rows.count()).toBe(1 + all.length);
    await eventually(() => page.getByRole('button', { name: 'More sessions' }).count()).toBe(0);
    const titles = (await page.getByRole('table').locator('tbody tr td:first-child').allTextContents()).map((t) => t.trim());
    expect(titles).toEqual(all.map((s) => s.title ?? `Session ${s.id.slice(0, 8)}`));
    const paged = titles.filter((t) => t.startsWith('Paged session'));
    expect(paged).toEqual(Array.from({ length: 27 }, (_, i) => `Paged session ${String(27 - i).padStart(2, '0')}`));
    await page.context().close();
  });

  it('phone (390×844): the main controls are on screen and work, nothing scrolls sideways (screenshots saved)', async () => {
    const page = await newPage(PHONE);
    await page.goto(dev.url);
    await page.getByLabel('API token').waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'sign-in-phone');
    await signIn(page, dev.url, dev.tokens.teams.platform!);

    const newSession = page.getByRole('button', { name: 'New session' });
    expect(await newSession.isVisible()).toBe(true);
    expect(await page.getByLabel('State').isVisible()).toBe(true);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'sessions-phone');

    await newSession.tap();
    await page.getByLabel('Harness').selectOption({ label: 'scripted' });
    await page.getByLabel('Title').fill('On the phone');
    await page.getByRole('button', { name: 'Create session' }).tap();
    await page.getByRole('heading', { name: 'On the phone' }).waitFor();

    const box = page.getByRole('textbox', { name: 'Message' });
    await box.tap();
    await box.fill('/tool from a small screen');
    await page.getByRole('button', { name: 'Send' }).tap();
    await waitForTurnState(page, 1, 'completed');
    await turn(page, 1).locator('details.tool summary').tap();
    for (const control of [box, page.getByRole('button', { name: 'Send' }), page.getByRole('button', { name: 'End session' }), page.getByRole('button', { name: 'Sign out' })]) {
      await control.scrollIntoViewIfNeeded();
      const bounds = await control.boundingBox();
      expect(bounds, control.toString()).not.toBe(null);
      // inside the screen's width and big enough to hit with a finger
      expect(bounds!.x).toBeGreaterThanOrEqual(0);
      expect(bounds!.x + bounds!.width).toBeLessThanOrEqual(390);
      expect(bounds!.height).toBeGreaterThanOrEqual(24);
    }
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'session (phone)');
    await screenshot(page, 'session-phone');

    // End session, then the state filter finds it under "ended" and not under "active"
    await page.getByRole('button', { name: 'End session' }).tap();
    await page.getByText(/This session is ended/).waitFor();
    await page.getByRole('link', { name: 'Sessions' }).tap();
    await page.getByLabel('State').selectOption({ label: 'Ended' });
    await page.getByRole('link', { name: 'On the phone' }).waitFor();
    await page.getByLabel('State').selectOption({ label: 'Active' });
    await eventually(() => page.getByRole('link', { name: 'On the phone' }).count()).toBe(0);
    await page.context().close();

    // the admin's Teams view fits the phone too
    const admin = await newPage(PHONE);
    await signIn(admin, dev.url, dev.tokens.admin);
    await admin.getByRole('link', { name: 'Teams' }).tap();
    // the table is laid out as one card per team here (its cells' names then carry their labels)
    await admin.getByText('platform', { exact: true }).waitFor();
    expect(await horizontalOverflow(admin)).toBeLessThanOrEqual(0);
    await expectAccessible(admin, 'admin (phone)');
    await screenshot(admin, 'admin-phone');
    await admin.context().close();
  }, LONG_TEST_MS);
});
