import { describe, expect, it } from 'vitest';
import { codeLabel, RuntimeMetrics } from '../../runtime/metrics.ts';
import { parsePrometheusText, sampleOf } from '../support/prometheus-text.ts';

describe('runtime metrics', () => {
  it('renders counters, histograms, scrape-time gauges and the process metrics in Prometheus text format', async () => {
    const m = new RuntimeMetrics();
    m.turns.inc({ team: 'alpha', harness: 'scripted', outcome: 'completed' });
    m.turns.inc({ team: 'alpha', harness: 'scripted', outcome: 'completed' });
    m.events.inc(7);
    m.sandboxClaimSeconds.observe({ team: 'alpha', driver: 'local' }, 0.3);
    m.sandboxClaimSeconds.observe({ team: 'alpha', driver: 'local' }, 3);
    m.sandboxClaimSeconds.observe({ team: 'beta', driver: 'local' }, 0.07);
    m.turnSeconds.observe({ team: 'alpha', harness: 'scripted', outcome: 'completed' }, 1.5);
    m.dbErrors.inc({ kind: 'unavailable' });
    const families = parsePrometheusText(await m.render({ sessionsByState: { active: 2, ended: 1, failed: 0 }, turnsRunning: 1, ready: true, streams: 3 }));

    expect(families.get('paddock_turns_total')?.type).toBe('COUNTER');
    expect(sampleOf(families.get('paddock_turns_total'), { team: 'alpha', outcome: 'completed' })?.value).toBe('2');
    expect(sampleOf(families.get('paddock_events_total'))?.value).toBe('7');
    const claim = sampleOf(families.get('paddock_sandbox_claim_seconds'), { team: 'alpha', driver: 'local' });
    expect(families.get('paddock_sandbox_claim_seconds')?.type).toBe('HISTOGRAM');
    expect(claim?.buckets).toMatchObject({ '0.25': '0', '0.5': '1', '5': '2', '+Inf': '2' });
    expect(Number(claim?.sum)).toBeCloseTo(3.3);
    expect(claim?.count).toBe('2');
    expect(sampleOf(families.get('paddock_sandbox_claim_seconds'), { team: 'beta' })).toMatchObject({ count: '1', sum: '0.07', buckets: { '0.05': '0', '0.1': '1' } });
    expect(sampleOf(families.get('paddock_turn_duration_seconds'), { outcome: 'completed' })?.buckets).toMatchObject({ '1': '0', '2.5': '1' });
    expect(sampleOf(families.get('paddock_sessions'), { state: 'active' })?.value).toBe('2');
    expect(sampleOf(families.get('paddock_db_errors_total'), { kind: 'unavailable' })?.value).toBe('1');
    expect(sampleOf(families.get('paddock_turns_running'))?.value).toBe('1');
    expect(sampleOf(families.get('paddock_event_streams'))?.value).toBe('3');
    expect(sampleOf(families.get('paddock_ready'))?.value).toBe('1');
    // the standard process and Node metrics
    expect(Number(sampleOf(families.get('process_cpu_seconds_total'))?.value)).toBeGreaterThan(0);
    expect(Number(sampleOf(families.get('process_resident_memory_bytes'))?.value)).toBeGreaterThan(1e6);
    expect(families.get('nodejs_eventloop_lag_seconds')?.type).toBe('GAUGE');
    expect(families.get('nodejs_heap_size_used_bytes')).toBeDefined();

    // without the database the session gauge is left out rather than reported as zero
    const later = parsePrometheusText(await m.render({ sessionsByState: undefined, turnsRunning: 0, ready: false, streams: 0 }));
    expect(later.get('paddock_sessions')?.metrics ?? []).toEqual([]);
    expect(sampleOf(later.get('paddock_ready'))?.value).toBe('0');
  });

  it('sums a counter over the series matching some labels', async () => {
    const m = new RuntimeMetrics({ defaultMetrics: false });
    m.turns.inc({ team: 'alpha', harness: 'scripted', outcome: 'completed' }, 2);
    m.turns.inc({ team: 'beta', harness: 'scripted', outcome: 'completed' });
    m.turns.inc({ team: 'beta', harness: 'scripted', outcome: 'failed' });
    expect(await m.total(m.turns, { outcome: 'completed' })).toBe(3);
    expect(await m.total(m.turns, { team: 'beta' })).toBe(2);
    expect(await m.total(m.turns)).toBe(4);
  });

  it('keeps error codes a bounded label: free text from a harness becomes "other"', () => {
    expect(codeLabel('sandbox_lost')).toBe('sandbox_lost');
    expect(codeLabel('budget_exceeded')).toBe('budget_exceeded');
    expect(codeLabel('Error: ENOENT /home/user/file')).toBe('other');
    expect(codeLabel('x'.repeat(100))).toBe('other');
  });
});
