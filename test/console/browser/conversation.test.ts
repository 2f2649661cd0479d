/**
 * The console in real Chromium against `paddock dev` (a real process) with the scripted
 * harness: a conversation as a person has it, and what the page shows when the agent crashes,
 * a turn is aborted, the page is reloaded mid-stream and the runtime is killed and started again.
 * Where it matters the page is compared with the API's own event list.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEvents, eventually, createSession, expectedTurn, expectGapFree, renderedTurn, screenshot, sendMessage, signIn, startDevAndBrowser, turn, UI_TIMEOUT_MS, waitForTurnState } from '../../support/console-page.ts';
import type { DevMode } from '../../support/dev-mode.ts';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.ts';

let dev: DevMode;
/** the browser reaches the console through it, so that the network between them can be cut */
let network: TcpProxy;
let browser: Browser;
let page: Page;
let token: string;
let sessionId: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  ({ dev, browser } = await startDevAndBrowser());
  token = dev.tokens.teams.platform!;
  const { hostname, port } = new URL(dev.url);
  network = await startTcpProxy({ host: hostname, port: Number(port) });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await network?.close();
  await dev?.stop();
});

/** every turn the API knows, as the page must show it */
async function expectPageMatchesApi(): Promise<void> {
  const events = await apiEvents(dev.url, token, sessionId);
  expectGapFree(events);
  const turns = [...new Set(events.map((e) => e.turn).filter((t): t is number => t !== null))];
  await eventually(() => page.getByRole('list', { name: 'Conversation' }).locator(':scope > li.turn').count()).toBe(turns.length);
  for (const n of turns) expect({ turn: n, ...(await renderedTurn(page, n)) }).toEqual({ turn: n, ...expectedTurn(events, n) });
}

/** a mark on the page's window: still there later means the page resumed by itself, without a reload */
const markDocument = () => page.evaluate(() => void ((globalThis as { __sameDocument?: boolean }).__sameDocument = true));
const sameDocument = () => page.evaluate(() => (globalThis as { __sameDocument?: boolean }).__sameDocument === true);

describe.sequential('a conversation in the console', () => {
  it('signs in with a team token, creates a session and shows the reply assembled from its deltas', async () => {
    await signIn(page, network.url, token);
    await eventually(() => page.getByText('Signed in as team platform').isVisible()).toBe(true);
    sessionId = await createSession(page, 'Browser conversation');
    await sendMessage(page, 'hello there');
    await waitForTurnState(page, 1, 'completed');
    // the deltas ("I heard: ", "hello ", ...) are one block of text, not one line each
    await eventually(() => turn(page, 1).locator('.agent-text').allTextContents()).toEqual(['I heard: hello there (turn 1, 0 history messages)']);
    expect(await turn(page, 1).locator('.user-text').textContent()).toBe('hello there');
    await expectPageMatchesApi();
  });

  it('/tool shows the tool call as a collapsed block that opens to its input and output', async () => {
    await sendMessage(page, '/tool look here');
    await waitForTurnState(page, 2, 'completed');
    const tool = turn(page, 2).locator('details.tool');
    await eventually(() => tool.count()).toBe(1);
    expect(await tool.locator('summary').textContent()).toBe('Tool echo — done');
    expect(await tool.getAttribute('open')).toBe(null);
    expect(await tool.getByText('look here').first().isVisible()).toBe(false);
    await tool.locator('summary').click();
    expect(await tool.getAttribute('open')).toBe('');
    const [input, output] = await tool.locator('pre').allTextContents();
    expect(JSON.parse(input!)).toEqual({ text: 'look here' });
    expect(output).toBe('look here');
    expect(await tool.locator('pre').nth(1).isVisible()).toBe(true);
    await screenshot(page, 'session-tool-desktop');
    await expectPageMatchesApi();
  });

  it('/crash: the turn fails with sandbox_lost, and the next message is answered on a replaced sandbox', async () => {
    await sendMessage(page, '/crash boom');
    await waitForTurnState(page, 3, 'failed', 30_000);
    const crashed = turn(page, 3);
    expect(await crashed.locator('.sandbox-line').allTextContents()).toEqual([expect.stringMatching(/^Sandbox lost \(generation 1\): /)]);
    expect(await crashed.locator('.error-line code').allTextContents()).toEqual(['sandbox_lost']);
    // what the agent said before it died is kept
    expect(await crashed.locator('.agent-text').textContent()).toBe('I ');

    await sendMessage(page, 'after the crash');
    await waitForTurnState(page, 4, 'completed', 30_000);
    expect(await turn(page, 4).locator('.sandbox-line').allTextContents()).toEqual(['Sandbox replaced (generation 2)']);
    expect(await turn(page, 4).locator('.agent-text').textContent()).toMatch(/^I heard: after the crash \(turn 4, \d+ history messages\)$/);
    await expectPageMatchesApi();
  });

  it('Abort stops a /slow turn: the turn says aborted and Abort goes away', async () => {
    await sendMessage(page, '/slow 400 one two three four five six seven eight nine ten');
    const abort = page.getByRole('button', { name: 'Abort' });
    await abort.waitFor({ state: 'visible' });
    await eventually(() => turn(page, 5).locator('.agent-text').textContent().catch(() => '')).toMatch(/^I heard: one /);
    await abort.click();
    await waitForTurnState(page, 5, 'aborted');
    await abort.waitFor({ state: 'detached' });
    expect(await turn(page, 5).locator('.agent-text').textContent()).not.toContain('ten (turn 5');
    await expectPageMatchesApi();
  });

  it('a reload mid-stream rebuilds the conversation with no event duplicated or lost', async () => {
    await sendMessage(page, '/slow 150 alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima');
    await eventually(() => turn(page, 6).locator('.agent-text').textContent().catch(() => '')).toContain('charlie');
    await page.reload();
    await waitForTurnState(page, 6, 'completed');
    expect(await turn(page, 6).locator('.agent-text').textContent()).toMatch(/^I heard: alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima \(turn 6, \d+ history messages\)$/);
    await expectPageMatchesApi();
  });

  it('a network drop mid-stream: the page says it is reconnecting and resumes where it was, nothing duplicated or lost', async () => {
    await sendMessage(page, '/slow 150 uno dos tres cuatro cinco seis siete ocho nueve diez once doce');
    await eventually(() => turn(page, 7).locator('.agent-text').textContent().catch(() => '')).toContain('dos');
    await markDocument();
    network.drop();
    await eventually(() => page.getByRole('status').textContent()).toMatch(/^Reconnecting/);
    network.restore();
    await waitForTurnState(page, 7, 'completed');
    await eventually(() => page.getByRole('status').textContent()).toBe('Live');
    expect(await turn(page, 7).locator('.agent-text').textContent()).toMatch(/^I heard: uno dos tres cuatro cinco seis siete ocho nueve diez once doce \(turn 7, \d+ history messages\)$/);
    await expectPageMatchesApi();
    expect(await sameDocument()).toBe(true);
  });

  it('the runtime killed mid-stream and started again on the same port: the page reconnects and the stream resumes', async () => {
    await sendMessage(page, '/slow 250 one two three four five six seven eight nine ten eleven twelve');
    await eventually(() => turn(page, 8).locator('.agent-text').textContent().catch(() => '')).toContain('two');
    await markDocument();
    await dev.kill();
    await eventually(() => page.getByRole('status').filter({ hasText: /Reconnecting|Connecting/ }).count()).toBeGreaterThan(0);
    await dev.restart();
    // the turn the crash cut short is reported, not silently re-run or left spinning
    await waitForTurnState(page, 8, 'interrupted', 40_000);
    await eventually(() => page.getByRole('status').textContent()).toBe('Live');
    await sendMessage(page, 'still there?');
    await waitForTurnState(page, 9, 'completed', 30_000);
    await expectPageMatchesApi();
    expect(await sameDocument()).toBe(true);
    expect(pageErrors).toEqual([]);
    // a restart of the runtime (Postgres included) takes long on a busy machine: bounded, with room
  }, 180_000);
});
