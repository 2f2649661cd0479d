import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { inClusterKubeConfig, kubeConfigFromEnvironment } from '../../../../runtime/drivers/kubernetes/kube-config.ts';

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

describe('kubeConfigFromEnvironment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-kubeconfig-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file KUBECONFIG names: its current context, server and token', () => {
    const file = join(dir, 'config');
    writeFileSync(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'fake', cluster: { server: 'http://127.0.0.1:6443' } }],
        users: [{ name: 'runtime', user: { token: 'sa-token' } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'runtime' } }],
        'current-context': 'fake',
      }),
    );
    const config = kubeConfigFromEnvironment({ KUBECONFIG: file });
    expect(config.getCurrentCluster()?.server).toBe('http://127.0.0.1:6443');
    expect(config.getCurrentUser()?.token).toBe('sa-token');
  });

  it('names the problem: a missing file, a list of files, a file without a current context', () => {
    expect(() => kubeConfigFromEnvironment({ KUBECONFIG: join(dir, 'absent') })).toThrow(`KUBECONFIG: ${join(dir, 'absent')} does not exist`);
    expect(() => kubeConfigFromEnvironment({ KUBECONFIG: `${dir}/a:${dir}/b` })).toThrow(/lists several files/);
    const empty = join(dir, 'empty');
    writeFileSync(empty, stringify({ apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] }));
    expect(() => kubeConfigFromEnvironment({ KUBECONFIG: empty })).toThrow(/has no current context with a cluster/);
  });

  it('is the in-cluster config when KUBECONFIG is not set', () => {
    process.env.KUBERNETES_SERVICE_HOST = '10.96.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
    expect(kubeConfigFromEnvironment({}).getCurrentCluster()?.server).toBe('https://10.96.0.1:443');
  });
});
