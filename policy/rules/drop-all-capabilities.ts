import { podRule } from '../workload/pod-rule.ts';
import { containerName, containersOf, listOf } from '../workload/pod-sites.ts';

/** The only capability Pod Security "restricted" lets a container add back. */
export const ALLOWED_ADDED_CAPABILITIES: readonly string[] = ['NET_BIND_SERVICE'];

export const dropAllCapabilities = podRule(
  { id: 'drop-all-capabilities', description: 'Every container drops ALL Linux capabilities and adds back at most NET_BIND_SERVICE.' },
  function* (site) {
    for (const container of containersOf(site)) {
      const capabilities = container.container.securityContext?.capabilities;
      const at = `${container.path}.securityContext.capabilities`;
      if (!listOf(capabilities?.drop).includes('ALL')) {
        yield { path: `${at}.drop`, message: `${containerName(container)} keeps the runtime's default capabilities; set capabilities.drop: [ALL]` };
      }
      const extra = listOf(capabilities?.add).filter((c) => !ALLOWED_ADDED_CAPABILITIES.includes(c));
      if (extra.length > 0) {
        yield {
          path: `${at}.add`,
          message: `${containerName(container)} adds capabilities ${extra.join(', ')}; only ${ALLOWED_ADDED_CAPABILITIES.join(', ')} may be added back (listen on a port above 1024 instead of needing more)`,
        };
      }
    }
  },
);
