/**
 * Where the driver's Kubernetes credentials come from: the pod's service account (the runtime
 * runs in-cluster), or a KubeConfig the caller built (tests, or a runtime outside the cluster).
 */
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
