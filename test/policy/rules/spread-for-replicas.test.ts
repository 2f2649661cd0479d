import { describe, expect, it } from 'vitest';
import { violationsOf, where } from '../fixtures/check.ts';
import { compliantStack, withChange } from '../fixtures/stack.ts';

const RULE = 'spread-for-replicas';
const base = compliantStack();
const RUNTIME = 'Deployment paddock-system/paddock-runtime';

describe(RULE, () => {
  it('passes the compliant stack', () => {
    expect(violationsOf(RULE, base)).toEqual([]);
  });

  it('flags a multi-replica Deployment with neither spread nor anti-affinity', () => {
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      delete o.spec.template.spec.topologySpreadConstraints;
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: RUNTIME, path: 'spec.template.spec.topologySpreadConstraints' }]);
  });

  it('flags a spread constraint that selects other pods', () => {
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      o.spec.template.spec.topologySpreadConstraints[0].labelSelector = { matchLabels: { app: 'other' } };
    });
    expect(where(violationsOf(RULE, objects))).toEqual([{ rule: RULE, object: RUNTIME, path: 'spec.template.spec.topologySpreadConstraints' }]);
  });

  it('accepts preferred pod anti-affinity on its own pods instead', () => {
    const objects = withChange(base, 'Deployment', 'paddock-system/paddock-runtime', (o) => {
      const spec = o.spec.template.spec;
      delete spec.topologySpreadConstraints;
      spec.affinity = {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'paddock-runtime' } } } },
          ],
        },
      };
    });
    expect(violationsOf(RULE, objects)).toEqual([]);
  });
});
