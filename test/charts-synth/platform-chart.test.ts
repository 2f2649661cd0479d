import * as kplus from 'cdk8s-plus-30';
import { describe, expect, it } from 'vitest';
import { synthChart } from '../../charts-synth/platform-chart.ts';

const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { k: 'v' } };

describe('synthChart', () => {
  it('renders plain objects and cdk8s-plus constructs of one chart body', () => {
    const objects = synthChart('test', (chart) => {
      chart.addObjects([configMap]);
      new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'sa', namespace: 'ns' } });
    });
    expect(objects).toEqual([configMap, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'ns' }, automountServiceAccountToken: false }]);
  });

  it('refuses an object defined twice', () => {
    expect(() => synthChart('test', [configMap, configMap])).toThrow('chart test: ConfigMap ns/c is defined twice');
  });

  it('validates every workload pod template it renders, naming the workload', () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'ns' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'app', image: 'i', ports: [{ containerPort: 'eighty' }] }] } } },
    };
    expect(() => synthChart('test', [deployment])).toThrow(/^Deployment ns\/app: invalid pod template: /);
    expect(() => synthChart('test', [{ ...deployment, spec: {} }])).toThrow('Deployment ns/app: has no pod template');
  });
});
