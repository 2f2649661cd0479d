import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../../../runtime/drivers/sandbox-driver.ts';
import { claimFailureError, harnessEndpoint, readClaimState, TERMINAL_CLAIM_REASONS, TRANSIENT_CLAIM_REASONS } from '../../../../runtime/drivers/kubernetes/claim-state.ts';
import type { SandboxClaim } from '../../../../runtime/drivers/kubernetes/sandbox-claim.ts';

function claim(status?: SandboxClaim['status'], extra: Partial<SandboxClaim['metadata']> = {}): SandboxClaim {
  return { metadata: { name: 'session-1', namespace: 'team-a', ...extra }, spec: { warmPoolRef: { name: 'scripted' } }, ...(status ? { status } : {}) };
}
const ready = (status: 'True' | 'False' | 'Unknown', reason: string, message = '') => ({ type: 'Ready', status, reason, message, lastTransitionTime: '2030-01-01T00:00:00Z' });
const ctx = { namespace: 'team-a', claimName: 'session-1', team: 'a', harness: 'scripted', warmPool: 'scripted' };

describe('readClaimState', () => {
  it('is ready with the Sandbox name and pod IPs when Ready=True (the warm name, not the claim name)', () => {
    expect(readClaimState(claim({ conditions: [ready('True', 'DependenciesReady')], sandbox: { name: 'scripted-x2b4z', podIPs: ['10.1.2.3'] } }))).toEqual({
      kind: 'ready',
      sandboxName: 'scripted-x2b4z',
      podIPs: ['10.1.2.3'],
    });
  });

  it('keeps waiting while Ready=True lacks the sandbox name or an IP', () => {
    expect(readClaimState(claim({ conditions: [ready('True', 'DependenciesReady')] }))).toMatchObject({ kind: 'pending', reason: 'NoSandboxName' });
    expect(readClaimState(claim({ conditions: [ready('True', 'DependenciesReady')], sandbox: { name: 's', podIPs: [''] } }))).toMatchObject({ kind: 'pending', reason: 'NoPodIP' });
  });

  it('keeps waiting with no status yet, on the documented transient reasons, and on reasons it does not know', () => {
    expect(readClaimState(claim())).toMatchObject({ kind: 'pending', reason: 'NoReadyCondition' });
    for (const reason of [...TRANSIENT_CLAIM_REASONS, 'AdoptionPending', 'SandboxMissing']) {
      expect(readClaimState(claim({ conditions: [ready('False', reason, 'm')] }))).toEqual({ kind: 'pending', reason, message: 'm' });
    }
  });

  it('fails on every terminal reason, and is terminating once a deletionTimestamp is set', () => {
    for (const reason of Object.keys(TERMINAL_CLAIM_REASONS)) {
      expect(readClaimState(claim({ conditions: [ready('False', reason, 'why')] }))).toEqual({ kind: 'failed', reason, message: 'why' });
    }
    expect(readClaimState(claim({ conditions: [ready('True', 'x')], sandbox: { name: 's', podIPs: ['1.2.3.4'] } }, { deletionTimestamp: '2030-01-01T00:00:00Z' }))).toEqual({ kind: 'terminating' });
  });
});

describe('claimFailureError', () => {
  it.each([
    ['WarmPoolNotFound', 'warm_pool_not_found', false],
    ['TemplateNotFound', 'template_not_found', false],
    ['InvalidMetadata', 'claim_rejected', true],
    ['EnvVarsInjectionRejected', 'claim_rejected', true],
    ['VolumeClaimTemplatesError', 'claim_rejected', true],
    ['ClaimExpired', 'sandbox_expired', false],
    ['SandboxExpired', 'sandbox_expired', false],
  ] as const)('maps %s to %s (terminal: %s) with a message naming the claim, team, harness and pool', (reason, code, terminal) => {
    const error = claimFailureError(reason, 'SandboxWarmPool "scripted" not found', ctx);
    expect(error).toBeInstanceOf(SandboxError);
    expect(error).toMatchObject({ code, terminal });
    expect(error.message).toContain(`failed with reason ${reason}`);
    expect(error.message).toContain('SandboxClaim "session-1" in namespace "team-a" (team "a", harness "scripted", warm pool "scripted")');
    expect(error.message).toContain('SandboxWarmPool "scripted" not found');
  });
});

describe('harnessEndpoint', () => {
  it('builds http://ip:port and brackets IPv6', () => {
    expect(harnessEndpoint('10.244.1.7', 8080)).toBe('http://10.244.1.7:8080');
    expect(harnessEndpoint('fd00::7', 8080)).toBe('http://[fd00::7]:8080');
  });
});
