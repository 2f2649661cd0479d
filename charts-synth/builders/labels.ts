/** Standard labels: every object says what it is and that Paddock manages it. */
import { MANAGED_BY_LABELS } from '../../config/names.ts';

export function componentLabels(name: string, component: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': component, ...MANAGED_BY_LABELS, ...extra };
}

/** The labels a Deployment/StatefulSet selects its pods by: stable, never change them. */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name };
}
