/** metav1.Status objects, the way the Kubernetes API server answers failures. */
export interface KubeStatus {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message: string;
  readonly reason: string;
  readonly details?: { readonly name?: string; readonly group?: string; readonly kind?: string; readonly causes?: readonly { reason: string; message: string; field: string }[] };
  readonly code: number;
}

export function kubeStatus(code: number, reason: string, message: string, details?: KubeStatus['details']): KubeStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: code < 400 ? 'Success' : 'Failure', message, reason, ...(details ? { details } : {}), code };
}

const RESOURCE = 'sandboxclaims.extensions.agents.x-k8s.io';
const DETAILS = (name: string) => ({ name, group: 'extensions.agents.x-k8s.io', kind: 'sandboxclaims' });

export const statuses = {
  notFound: (name: string) => kubeStatus(404, 'NotFound', `${RESOURCE} "${name}" not found`, DETAILS(name)),
  alreadyExists: (name: string) => kubeStatus(409, 'AlreadyExists', `${RESOURCE} "${name}" already exists`, DETAILS(name)),
  conflict: (name: string, why: string) => kubeStatus(409, 'Conflict', `Operation cannot be fulfilled on ${RESOURCE} "${name}": ${why}`, DETAILS(name)),
  invalid: (name: string, causes: readonly { field: string; message: string }[]) =>
    kubeStatus(422, 'Invalid', `SandboxClaim.extensions.agents.x-k8s.io "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`, {
      ...DETAILS(name),
      causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
    }),
  badRequest: (message: string) => kubeStatus(400, 'BadRequest', message),
  unauthorized: () => kubeStatus(401, 'Unauthorized', 'Unauthorized'),
  gone: (requested: string, oldest: number) => kubeStatus(410, 'Expired', `too old resource version: ${requested} (${oldest})`),
  /** what RBAC answers a service account without a binding in the namespace */
  forbidden: (verb: string, namespace: string) =>
    kubeStatus(403, 'Forbidden', `sandboxclaims.extensions.agents.x-k8s.io is forbidden: User "system:serviceaccount:paddock-system:paddock-runtime" cannot ${verb} resource "sandboxclaims" in API group "extensions.agents.x-k8s.io" in the namespace "${namespace}"`, { group: 'extensions.agents.x-k8s.io', kind: 'sandboxclaims' }),
  /** what the namespace lifecycle admission answers a create in a namespace that does not exist */
  namespaceNotFound: (namespace: string) => kubeStatus(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' }),
  resourceNotFound: () => kubeStatus(404, 'NotFound', 'the server could not find the requested resource'),
  methodNotAllowed: (method: string) => kubeStatus(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`),
};
