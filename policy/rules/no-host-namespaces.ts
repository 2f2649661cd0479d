import { podRule } from '../workload/pod-rule.ts';

const HOST_NAMESPACES = [
  ['hostNetwork', "the node's network (bypassing every NetworkPolicy)"],
  ['hostPID', "the node's process table"],
  ['hostIPC', "the node's IPC namespace"],
] as const;

export const noHostNamespaces = podRule(
  { id: 'no-host-namespaces', description: "No pod shares the node's network, PID or IPC namespace (hostNetwork, hostPID, hostIPC)." },
  function* (site) {
    for (const [field, what] of HOST_NAMESPACES) {
      if (site.spec[field] !== true) continue;
      yield { path: `${site.specPath}.${field}`, message: `the pod shares ${what}; remove ${field}: true` };
    }
  },
);
