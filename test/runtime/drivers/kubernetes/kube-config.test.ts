import { afterEach, describe, expect, it } from 'vitest';
import { inClusterKubeConfig } from '../../../../runtime/drivers/kubernetes/kube-config.ts';

const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
afterEach(() => {
  for (const [name, value] of [['KUBERNETES_SERVICE_HOST', saved.host], ['KUBERNETES_SERVICE_PORT', saved.port]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('inClusterKubeConfig', () => {
  it('explains what is missing outside a pod', () => {
    delete process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_PORT;
    expect(() => inClusterKubeConfig()).toThrow(/KUBERNETES_SERVICE_HOST\/KUBERNETES_SERVICE_PORT are not set, so this is not a pod; run the runtime in the cluster or pass a kubeConfig/);
  });

  it('uses the service account of the pod: the API service over HTTPS, the projected token file and CA', () => {
    process.env.KUBERNETES_SERVICE_HOST = '10.96.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
    const config = inClusterKubeConfig();
    expect(config.getCurrentCluster()).toMatchObject({ server: 'https://10.96.0.1:443', caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt', skipTLSVerify: false });
    expect(config.getCurrentUser()?.authProvider).toEqual({ name: 'tokenFile', config: { tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' } });
  });
});
