import { describe, expect, it } from 'vitest';
import { apiGroupOf, isKind, isWorkload, KINDS } from '../../policy/kinds.ts';

describe('kinds', () => {
  it('reads the API group of an apiVersion', () => {
    expect(apiGroupOf('v1')).toBe('');
    expect(apiGroupOf('apps/v1')).toBe('apps');
    expect(apiGroupOf('extensions.agents.x-k8s.io/v1beta1')).toBe('extensions.agents.x-k8s.io');
  });

  it('matches kind and group together', () => {
    expect(isKind({ apiVersion: 'apps/v1', kind: 'Deployment' }, KINDS.Deployment)).toBe(true);
    expect(isKind({ apiVersion: 'example.com/v1', kind: 'Deployment' }, KINDS.Deployment)).toBe(false);
    expect(isKind({ apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox' }, KINDS.Sandbox)).toBe(true);
    expect(isKind({ apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'Sandbox' }, KINDS.Sandbox)).toBe(false);
  });

  it('knows which kinds make pods', () => {
    expect(isWorkload({ apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool' })).toBe(true);
    expect(isWorkload({ apiVersion: 'batch/v1', kind: 'CronJob' })).toBe(true);
    expect(isWorkload({ apiVersion: 'v1', kind: 'Service' })).toBe(false);
  });
});
