import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange, without } from '../fixtures/stack.ts';

const RULE = 'pdb-for-replicas';
const base = compliantStack();
const RUNTIME = 'Deployment paddock-system/paddock-runtime';

describe(RULE, () => {
  it('passes the compliant stack (single-replica components need none)', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a multi-replica Deployment without a PodDisruptionBudget', () => {
    const objects = without(base, 'PodDisruptionBudget', 'paddock-system/paddock-runtime');
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: RUNTIME, path: 'spec.replicas' }]);
  });

  it('flags a PodDisruptionBudget that selects other pods', () => {
    const objects = withChange(base, 'PodDisruptionBudget', 'paddock-system/paddock-runtime', (o) => {
      o.spec.selector = { matchLabels: { 'app.kubernetes.io/name': 'something-else' } };
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: RUNTIME, path: 'spec.replicas' }]);
  });

  it.each([
    [{ minAvailable: 2 }, 'minAvailable 2 of 2 replicas'],
    [{ minAvailable: '100%' }, 'minAvailable 100% of 2 replicas'],
    [{ maxUnavailable: 0 }, 'maxUnavailable 0'],
  ])('flags a budget that blocks every eviction: %o', (budget, reason) => {
    const objects = withChange(base, 'PodDisruptionBudget', 'paddock-system/paddock-runtime', (o) => {
      delete o.spec.maxUnavailable;
      Object.assign(o.spec, budget);
    });
    const found = violationsOf(RULE, objects);
    expect(where(found)).toEqual([{ rule: RULE, object: RUNTIME, path: 'spec.replicas' }]);
    expect(found[0]!.message).toContain(reason);
  });

  it('accepts minAvailable 50% of 3 replicas', () => {
    const objects = withChange(
      withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => (o.spec.replicas = 3)),
      'PodDisruptionBudget',
      'paddock-system/paddock-runtime',
      (o) => {
        delete o.spec.maxUnavailable;
        o.spec.minAvailable = '50%';
      },
    );
    expect(violationsOf(RULE, objects)).toEqual([]);
  });
});
