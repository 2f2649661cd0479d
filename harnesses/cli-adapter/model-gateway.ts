/**
 * Before a turn runs its CLI, the adapter checks that the model gateway the CLI will call can
 * be reached at all (a TCP connection, no request). Without it the CLIs retry for minutes and
 * then report a bare network error; Paddock answers at once with what to change instead:
 * dev mode takes the gateway from PADDOCK_MODEL_GATEWAY_URL (the stack's URL is usually an
 * in-cluster name this machine cannot resolve), a cluster from the stack's modelGateway.
 */
import { connect } from 'node:net';
import type { HarnessEvent } from '../protocol/types.ts';

export const MODEL_GATEWAY_UNREACHABLE = 'model_gateway_unreachable';

/** Why `url` cannot be reached (DNS or TCP), or undefined when a connection opened. */
export async function gatewayConnectProblem(url: string, timeoutMs = 3_000): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'it is not a URL';
  }
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (problem: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => done(`no answer from ${host}:${port} within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' ? `the name ${host} does not resolve here (${error.code})` : `${host}:${port}: ${error.code ?? error.message}`));
  });
}

/** Paddock's message for a gateway the CLI cannot reach, naming the variables to change. */
export function unreachableGatewayMessage(input: { readonly cli: string; readonly url: string; readonly variable: string; readonly problem: string }): string {
  return (
    `${input.cli} cannot reach the model gateway ${input.url} (${input.variable}): ${input.problem}. ` +
    'In dev mode, start paddock dev with PADDOCK_MODEL_GATEWAY_URL set to a gateway this machine reaches (e.g. a LiteLLM proxy on http://127.0.0.1:4000); ' +
    "on a cluster, check the stack's paddock:platform.modelGateway (url, and cidrs or inCluster, which open the sandboxes' egress to it)."
  );
}

/**
 * The events that end a turn when the gateway is unreachable (error + done), or none when the
 * CLI may run. An unset URL is not checked: the CLI then uses its own default endpoint.
 */
export async function modelGatewayPreflight(input: { readonly cli: string; readonly url: string | undefined; readonly variable: string; readonly timeoutMs?: number }): Promise<HarnessEvent[]> {
  if (!input.url) return [];
  const problem = await gatewayConnectProblem(input.url, input.timeoutMs);
  if (problem === undefined) return [];
  return [
    { type: 'error', code: MODEL_GATEWAY_UNREACHABLE, message: unreachableGatewayMessage({ cli: input.cli, url: input.url, variable: input.variable, problem }), retryable: true },
    { type: 'done', stopReason: 'error' },
  ];
}
