import { describe, expect, it } from 'vitest';
import { RuntimeMetrics } from '../../runtime/metrics.ts';

describe('runtime metrics', () => {
  it('renders counters, histograms and scrape-time gauges in Prometheus text format', () => {
    const m = new RuntimeMetrics();
    m.turns.inc({ outcome: 'completed' });
    m.turns.inc({ outcome: 'completed' });
    m.events.inc({}, 7);
    m.sandboxClaimSeconds.observe(0.3, { driver: 'local' });
    m.sandboxClaimSeconds.observe(3, { driver: 'local' });
    m.dbErrors.inc({ kind: 'unavailable' });
    const text = m.render({ sessionsByState: { active: 2, ended: 1, failed: 0 }, turnsRunning: 1, ready: true, streams: 3 });
    expect(text).toContain('# TYPE paddock_turns_total counter\npaddock_turns_total{outcome="completed"} 2');
    expect(text).toContain('paddock_events_total 7');
    expect(text).toContain('paddock_sandbox_claim_seconds_bucket{driver="local",le="0.25"} 0');
    expect(text).toContain('paddock_sandbox_claim_seconds_bucket{driver="local",le="0.5"} 1');
    expect(text).toContain('paddock_sandbox_claim_seconds_bucket{driver="local",le="+Inf"} 2');
    expect(text).toContain('paddock_sandbox_claim_seconds_sum{driver="local"} 3.3');
    expect(text).toContain('paddock_sandbox_claim_seconds_count{driver="local"} 2');
    expect(text).toContain('paddock_sessions{state="active"} 2');
    expect(text).toContain('paddock_db_errors_total{kind="unavailable"} 1');
    expect(text).toContain('paddock_turns_running 1\n');
    expect(text).toContain('paddock_event_streams 3\n');
    expect(text.endsWith('\n')).toBe(true);
    // without the database the session gauge is left out rather than reported as zero
    expect(m.render({ sessionsByState: undefined, turnsRunning: 0, ready: false, streams: 0 })).not.toContain('paddock_sessions{');
  });
});
