/**
 * The RuntimeClasses Paddock provisions itself, and the contract between the nodes that run
 * them and the RuntimeClass objects that send pods there. One place, so the node group's label
 * and taint (infra/aws) and the RuntimeClass's scheduling (charts-synth) can never disagree.
 */
import type { ConfigProblem } from './errors.ts';
import type { EksSpec, Environment } from './platform-spec.ts';
import { MANAGED_BY_LABELS } from './names.ts';
import { quoted } from './primitives.ts';

export const GVISOR_RUNTIME_CLASS = 'gvisor';
/** containerd runtime handler name configured on the gVisor nodes */
export const GVISOR_HANDLER = 'runsc';
/** label and NoSchedule taint of the gVisor nodes: only pods of the gvisor RuntimeClass land there */
export const GVISOR_NODE_LABEL = { key: 'paddock.dev/runtime', value: 'gvisor' } as const;
export const GVISOR_NODE_TAINT = { key: 'paddock.dev/runtime', value: 'gvisor', effect: 'NoSchedule' } as const;

const P = 'paddock:platform';

/**
 * The RuntimeClass "gvisor": the handler the gVisor nodes configure, and scheduling that adds
 * their node selector and toleration to every pod of the class (RuntimeClass admission), so a
 * team only names the class and its sandboxes land on those nodes.
 */
export function gvisorRuntimeClass(): { apiVersion: 'node.k8s.io/v1'; kind: 'RuntimeClass'; metadata: { name: string; labels: Record<string, string> }; handler: string; scheduling: { nodeSelector: Record<string, string>; tolerations: { key: string; operator: 'Equal'; value: string; effect: string }[] } } {
  return {
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: { name: GVISOR_RUNTIME_CLASS, labels: { ...MANAGED_BY_LABELS } },
    handler: GVISOR_HANDLER,
    scheduling: {
      nodeSelector: { [GVISOR_NODE_LABEL.key]: GVISOR_NODE_LABEL.value },
      tolerations: [{ key: GVISOR_NODE_TAINT.key, operator: 'Equal', value: GVISOR_NODE_TAINT.value, effect: GVISOR_NODE_TAINT.effect }],
    },
  };
}

/**
 * gVisor is provisioned on EKS (a node group installing runsc) and refused on kind: kind nodes
 * are Docker containers sharing the host's kernel and containerd config is baked into the node
 * image, so runsc there would depend on the host, not on this stack.
 */
export function checkRuntimeClasses(environment: Environment, runtimeClasses: readonly string[], eks: EksSpec | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const gvisorAt = runtimeClasses.indexOf(GVISOR_RUNTIME_CLASS);
  if (environment === 'kind' && gvisorAt >= 0) {
    problems.push({
      path: [P, 'runtimeClasses', gvisorAt],
      message: `${quoted(GVISOR_RUNTIME_CLASS)} is not available on kind: kind nodes are Docker containers, and runsc inside them would depend on the host's kernel and Docker setup rather than on this stack; remove it (and every team's runtimeClassName: ${GVISOR_RUNTIME_CLASS}) here, or use environment "eks", where Paddock provisions a gVisor node group`,
    });
  }
  if (environment !== 'eks' || !eks) return problems;
  if (gvisorAt >= 0 && !eks.gvisorNodeGroup) {
    problems.push({ path: [P, 'eks', 'gvisorNodeGroup'], message: `is required when runtimeClasses declares ${quoted(GVISOR_RUNTIME_CLASS)}: at least runsc.release, the gVisor release its nodes install (and runsc.sha512 before \`pulumi up\`)` });
  }
  if (gvisorAt < 0 && eks.gvisorNodeGroup) {
    problems.push({ path: [P, 'eks', 'gvisorNodeGroup'], message: `is set but paddock:platform.runtimeClasses does not declare ${quoted(GVISOR_RUNTIME_CLASS)}; add it there, or remove this block` });
  }
  const group = eks.gvisorNodeGroup;
  if (group && !(group.minSize <= group.desiredSize && group.desiredSize <= group.maxSize)) {
    problems.push({ path: [P, 'eks', 'gvisorNodeGroup'], message: `needs minSize <= desiredSize <= maxSize (got ${group.minSize}, ${group.desiredSize}, ${group.maxSize})` });
  }
  return problems;
}
