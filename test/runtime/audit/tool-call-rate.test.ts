/**
 * SessionToolCallRate: the busiest session's tool calls over the last 5 minutes as one gauge,
 * sessions forgotten once quiet, and the session named in the log once per window when it
 * crosses the threshold (with a controlled clock; the registry renders the real exposition).
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SESSION_TOOL_CALLS_METRIC, SessionToolCallRate } from '../../../runtime/audit/tool-call-rate.ts';
import type { Logger, LogFields } from '../../../runtime/log.ts';
import type { SessionEvent, StoredEvent } from '../../../runtime/session-events.ts';

const toolCall: SessionEvent = { type: 'tool_call', id: 'c', name: 'bash', input: {} };
const delta: SessionEvent = { type: 'text_delta', text: 'hi' };
const stored = (sessionId: string, events: readonly SessionEvent[]): StoredEvent[] => events.map((event, i) => ({ sessionId, seq: i + 1, turn: 1, event, createdAt: new Date() }));

function setup(threshold = 5) {
  let now = 1_000_000_000_000;
  const warnings: Array<{ message: string; fields?: LogFields }> = [];
  const log: Logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (message, fields) => warnings.push({ message, fields }), child: () => log, with: () => log };
  const registry = new Registry();
  const rate = new SessionToolCallRate(registry, log, () => now, threshold);
  const gauge = async () => Number(/\n?paddock_session_tool_calls_5m_max (\d+)/.exec(await registry.metrics())?.[1]);
  return { rate, warnings, gauge, advance: (ms: number) => (now += ms) };
}

describe('SessionToolCallRate', () => {
  it('reports the busiest session over the last 5 minutes, and forgets what fell out of it', async () => {
    const { rate, gauge, advance } = setup(100);
    expect(await gauge()).toBe(0);
    rate.observe('s1', stored('s1', [toolCall, delta, toolCall]));
    rate.observe('s2', stored('s2', [toolCall]));
    expect(await gauge()).toBe(2);
    advance(120_000);
    rate.observe('s2', stored('s2', [toolCall, toolCall, toolCall]));
    expect(await gauge()).toBe(4);
    advance(200_000); // s1's calls and s2's first are older than 5 minutes now
    expect(await gauge()).toBe(3);
    advance(300_000);
    expect(await gauge()).toBe(0);
  });

  it('names a session over the threshold in the log, once per window', () => {
    const { rate, warnings, advance } = setup(5);
    for (let i = 0; i < 4; i++) rate.observe('busy', stored('busy', [toolCall, toolCall]));
    rate.observe('calm', stored('calm', [toolCall]));
    expect(warnings).toEqual([{ message: 'session calling tools at an unusual rate', fields: { session: 'busy', toolCalls: 6, windowSeconds: 300, threshold: 5 } }]);
    advance(310_000);
    for (let i = 0; i < 3; i++) rate.observe('busy', stored('busy', [toolCall, toolCall]));
    expect(warnings.map((w) => w.fields?.session)).toEqual(['busy', 'busy']);
  });

  it('registers one unlabelled gauge', async () => {
    const registry = new Registry();
    new SessionToolCallRate(registry, { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child() { return this; }, with() { return this; } });
    const metrics = await registry.getMetricsAsJSON();
    expect(metrics.map((m) => [m.name, String(m.type)])).toEqual([[SESSION_TOOL_CALLS_METRIC, 'gauge']]);
  });
});
