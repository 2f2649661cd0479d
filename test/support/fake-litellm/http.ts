/**
 * HTTP plumbing of the fake LiteLLM: JSON bodies, bearer keys and LiteLLM's error shape. LiteLLM
 * answers every handled error as ProxyException.to_dict() under "error"
 * (litellm/proxy/_types.py, proxy_server.py's exception handler):
 *   {"error": {"message": str, "type": str, "param": str | null, "code": "<http status>"}}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class ProxyError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = 'None',
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function sendProxyError(res: ServerResponse, error: ProxyError): void {
  sendJson(res, error.status, { error: { message: error.message, type: error.type, param: error.param, code: String(error.status) } }, error.headers);
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProxyError(400, 'Invalid JSON body', 'bad_request_error');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ProxyError(422, 'the body must be a JSON object', 'bad_request_error');
  return parsed as Record<string, unknown>;
}

/** The key a client presents: Authorization: Bearer, or x-api-key (Anthropic clients). */
export function presentedKey(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  const bearer = typeof auth === 'string' ? /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() : undefined;
  if (bearer) return bearer;
  const header = req.headers['x-api-key'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}

/** FastAPI's validation answer (422) for a field of the wrong type. */
export function invalidField(field: string, expected: string): ProxyError {
  return new ProxyError(422, `${field}: Input should be ${expected}`, 'bad_request_error', field);
}

export const field = {
  string(body: Record<string, unknown>, name: string): string | undefined {
    const v = body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw invalidField(name, 'a valid string');
    return v;
  },
  number(body: Record<string, unknown>, name: string): number | null | undefined {
    const v = body[name];
    if (v === undefined) return undefined;
    if (v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidField(name, 'a valid number');
    return v;
  },
  integer(body: Record<string, unknown>, name: string): number | null | undefined {
    const v = field.number(body, name);
    if (typeof v === 'number' && !Number.isInteger(v)) throw invalidField(name, 'a valid integer');
    return v;
  },
  strings(body: Record<string, unknown>, name: string): string[] | undefined {
    const v = body[name];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidField(name, 'a valid list of strings');
    return v as string[];
  },
  object(body: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
    const v = body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw invalidField(name, 'a valid dictionary');
    return v as Record<string, unknown>;
  },
};
