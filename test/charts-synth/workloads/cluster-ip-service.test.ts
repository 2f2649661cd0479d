import { App } from 'cdk8s';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { PlatformChart } from '../../../charts-synth/platform-chart.ts';
import { addClusterIpService } from '../../../charts-synth/workloads/cluster-ip-service.ts';

describe('addClusterIpService', () => {
  it('selects by the given labels and targets the container port by name', () => {
    const chart = new PlatformChart(new App({ outdir: 'unused', recordConstructMetadata: false }), 'test');
    addClusterIpService(chart, { namespace: 'ns', name: 'api', labels: { l: 'v' }, selector: { 'app.kubernetes.io/name': 'api' }, port: { name: 'http', port: 8080 } });
    const [service] = chart.toJson();
    expect(service).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api', namespace: 'ns', labels: { l: 'v' } },
      spec: { type: 'ClusterIP', selector: { 'app.kubernetes.io/name': 'api' }, ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }] },
    });
    expect(() => new Service(service as never).validate()).not.toThrow();
  });
});
