import { compareQuantities, isQuantity } from '../../config/quantity.ts';
import { podRule } from '../workload/pod-rule.ts';
import { containerName, containersOf } from '../workload/pod-sites.ts';

const RESOURCES = ['cpu', 'memory'] as const;

function quantityText(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export const containerResources = podRule(
  {
    id: 'container-resources',
    description: 'Every container and init container has CPU and memory requests and limits (requests no larger than limits), so quotas hold and the scheduler can place it.',
  },
  function* (site) {
    for (const container of containersOf(site)) {
      const resources = container.container.resources;
      const missing: string[] = [];
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of RESOURCES) {
          if (quantityText(resources?.[kind]?.[resource]) === undefined) missing.push(`${kind}.${resource}`);
        }
      }
      if (missing.length > 0) {
        yield { path: `${container.path}.resources`, message: `${containerName(container)} has no ${missing.join(', ')}; set CPU and memory requests and limits` };
        continue;
      }
      for (const resource of RESOURCES) {
        const request = quantityText(resources?.requests?.[resource])!;
        const limit = quantityText(resources?.limits?.[resource])!;
        if (isQuantity(request) && isQuantity(limit) && compareQuantities(request, limit) > 0) {
          yield { path: `${container.path}.resources.requests.${resource}`, message: `${containerName(container)} requests ${resource} ${request}, more than its limit ${limit}; lower the request or raise the limit` };
        }
      }
    }
  },
);
