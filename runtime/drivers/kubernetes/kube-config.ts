/**
 * Where the driver's Kubernetes credentials come from: the pod's service account (the runtime
 * runs in-cluster), a kubeconfig file named by KUBECONFIG (a runtime outside the cluster, or a
 * test against a fake API server), or a KubeConfig the caller built.
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

export function inClusterKubeConfig(): KubeConfig {
  // loadFromCluster reads these from process.env itself
  if (!process.env.KUBERNETES_SERVICE_HOST || !process.env.KUBERNETES_SERVICE_PORT) {
    throw new Error(
      'the kubernetes sandbox driver needs Kubernetes API access: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set, so this is not a pod; run the runtime in the cluster or pass a kubeConfig',
    );
  }
  const kubeConfig = new KubeConfig();
  // Reads the projected service-account token file on use, so token rotation is followed.
  kubeConfig.loadFromCluster();
  return kubeConfig;
}

/**
 * KUBECONFIG when it is set (one file, its current context), else the pod's service account.
 * Pods never set KUBECONFIG, so the shipped runtime always takes the in-cluster path.
 */
export function kubeConfigFromEnvironment(env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const file = env.KUBECONFIG;
  if (!file) return inClusterKubeConfig();
  if (file.includes(':')) throw new Error(`KUBECONFIG: ${JSON.stringify(file)} lists several files; the runtime reads one kubeconfig file`);
  if (!existsSync(file)) throw new Error(`KUBECONFIG: ${file} does not exist`);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(file);
  if (!kubeConfig.getCurrentCluster()) throw new Error(`KUBECONFIG: ${file} has no current context with a cluster (set current-context)`);
  return kubeConfig;
}
