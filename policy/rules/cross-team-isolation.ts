import { describeEndpoint, type DirectionVerdict } from '../network/evaluator.ts';
import { findCrossNamespaceConnections, type CrossNamespaceConnection } from '../network/pairwise-reachability.ts';
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
    const bySource = new Map<string, CrossNamespaceConnection[]>();
    for (const connection of findCrossNamespaceConnections(evaluator, context.teamEndpoints())) {
      const list = bySource.get(connection.from.namespace);
      if (list) list.push(connection);
      else bySource.set(connection.from.namespace, [connection]);
    }
    for (const [source, connections] of bySource) {
      const first = connections[0]!;
      const example = first.ports.first()!;
      const verdict = evaluator.explain(first.from, first.to, example);
      const targets = connections.map((c) => c.to.namespace);
      const listed = targets.slice(0, LISTED).join(', ') + (targets.length > LISTED ? ` and ${targets.length - LISTED} more` : '');
      yield {
        object: context.namespaceObject(source) ?? { kind: 'Namespace', metadata: { name: source } },
        message:
          `pods in team namespace ${source} can open connections to pods in ${targets.length} other team namespace${targets.length > 1 ? 's' : ''} (${listed}). ` +
          `For example ${describeEndpoint(first.from)} -> ${describeEndpoint(first.to)} on ${first.ports.toString()}: egress ${side(verdict.egress)}; ingress ${side(verdict.ingress)}. ` +
          'Teams must never reach each other: remove the rules that admit other team namespaces, and keep default-deny in both',
      };
    }
  },
};
