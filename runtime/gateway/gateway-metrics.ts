/**
 * The key reconciler's metrics, registered into the runtime's registry (runtime/metrics.ts):
 * whether the gateway's teams and keys are as configured, the passes by outcome, the changes
 * made and the teams that could not be converged. Labels are bounded: outcome, action, team.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReconcileReport } from './reconcile.ts';
import type { ReconcilerStatus } from './reconciler.ts';

export class GatewayMetrics {
  private readonly converged: Gauge;
  private readonly passes: Counter<'outcome'>;
  private readonly changes: Counter<'action'>;
  private readonly teamProblems: Gauge<'team'>;

  constructor(registry: Registry) {
    this.converged = new Gauge({ name: 'paddock_gateway_keys_converged', help: 'Whether the model gateway holds every configured team and key as configured (1) or not (0).', registers: [registry] });
    this.passes = new Counter({ name: 'paddock_gateway_reconcile_passes_total', help: 'Gateway key reconcile passes, by outcome (converged, degraded, unreachable, failing).', labelNames: ['outcome'] as const, registers: [registry] });
    this.changes = new Counter({ name: 'paddock_gateway_reconcile_changes_total', help: 'Changes the key reconciler made in the gateway, by action.', labelNames: ['action'] as const, registers: [registry] });
    this.teamProblems = new Gauge({ name: 'paddock_gateway_team_problems', help: 'Teams whose gateway team or key could not be reconciled (1 while the problem lasts).', labelNames: ['team'] as const, registers: [registry] });
  }

  record(result: { readonly report?: ReconcileReport; readonly status: ReconcilerStatus }): void {
    this.passes.inc({ outcome: result.status.state });
    this.converged.set(result.status.state === 'converged' ? 1 : 0);
    if (!result.report) return;
    for (const team of result.report.teams) for (const action of team.actions) this.changes.inc({ action });
    for (const removed of result.report.removed) this.changes.inc({ action: 'key_deleted' }, removed.keys);
    this.teamProblems.reset();
    for (const team of Object.keys(result.status.problems)) this.teamProblems.set({ team }, 1);
  }
}
