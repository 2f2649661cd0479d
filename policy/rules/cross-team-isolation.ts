import { describeEndpoint, type DirectionVerdict } from '../network/evaluator.ts';
import { findCrossNamespaceReachability } from '../network/pairwise-reachability.ts';
import type { PolicyRule } from '../types.ts';

const LISTED = 5;

function side(verdict: DirectionVerdict): string {
  return verdict.isolated ? `admitted by ${verdict.allowedBy.join(' and ')}` : 'not isolated by any NetworkPolicy';
}

export const crossTeamIsolation: PolicyRule = {
  id: 'cross-team-isolation',
  description:
    "No pod of one team namespace can open a connection to a pod of another, on any port, under Kubernetes NetworkPolicy semantics (egress of the source and ingress of the destination, controller-made template policies included), for every ordered pair of team namespaces.",
  *check(context) {
    const evaluator = context.evaluator();
    for (const { namespace: source, reachable, example } of findCrossNamespaceReachability(evaluator, context.teamEndpoints())) {
      const verdict = evaluator.explain(example.from, example.to, example.ports.first()!);
      const listed = reachable.slice(0, LISTED).join(', ') + (reachable.length > LISTED ? ` and ${reachable.length - LISTED} more` : '');
      yield {
        object: context.namespaceObject(source) ?? { kind: 'Namespace', metadata: { name: source } },
        message:
          `pods in team namespace ${source} can open connections to pods in ${reachable.length} other team namespace${reachable.length > 1 ? 's' : ''} (${listed}). ` +
          `For example ${describeEndpoint(example.from)} -> ${describeEndpoint(example.to)} on ${example.ports.toString()}: egress ${side(verdict.egress)}; ingress ${side(verdict.ingress)}. ` +
          'Teams must never reach each other: remove the rules that admit other team namespaces, and keep default-deny in both',
      };
    }
  },
};
