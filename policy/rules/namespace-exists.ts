import { describeObject } from '../../charts-synth/kube-object.ts';
import type { PolicyRule } from '../types.ts';

export const namespaceExists: PolicyRule = {
  id: 'namespace-exists',
  description: 'Every namespace that runs pods (workloads, Sandboxes, SandboxTemplates, warm pools, claims) is a Namespace object of the stack, so its labels and policies are ours.',
  *check(context) {
    for (const [namespace, objects] of context.podRunningNamespaces()) {
      if (context.namespaceObject(namespace)) continue;
      for (const object of objects) {
        yield {
          object,
          path: 'metadata.namespace',
          message: `${describeObject(object)} runs pods in namespace "${namespace}", which the stack does not define; add the Namespace (with its Pod Security labels and default-deny NetworkPolicy) or move the object`,
        };
      }
    }
  },
};
