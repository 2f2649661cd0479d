/**
 * Small JSON-over-node:http helpers shared by harness servers and the runtime API: bounded body
 * reading (413 past the limit), strict schema validation (400 naming the field), errors as
 * `{"error":{"code","message"}}`, and constant-time token comparison.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { describeIssues } from './schema.ts';
import { MAX_BODY_BYTES } from './types.ts';

/** An error that maps to one HTTP answer. Thrown by helpers, caught by the request handler. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), 'cache-control': 'no-store', ...headers });
  res.end(payload);
}

export function sendNoContent(res: ServerResponse, status = 204): void {
  res.writeHead(status, { 'cache-control': 'no-store' });
  res.end();
}

export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Readonly<Record<string, string>> = {}): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

export function sendHttpError(res: ServerResponse, error: HttpError): void {
  sendError(res, error.status, error.code, error.message, error.headers);
}

/**
 * Reads the whole body as UTF-8, refusing more than `limit` bytes: a declared Content-Length
 * over the limit is refused before reading; a chunked body is cut off when it crosses it.
 */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new HttpError(413, 'payload_too_large', `the request body is ${declared} bytes; the limit is ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new HttpError(413, 'payload_too_large', `the request body exceeds the limit of ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface JsonBodyOptions {
  readonly limit?: number;
  /** treat an empty body as `{}` (for endpoints whose fields are all optional) */
  readonly allowEmpty?: boolean;
}

/**
 * Reads, parses and validates a JSON body. 415 when the content type is not JSON, 400
 * `invalid_json` when it does not parse, 400 `invalid_body` naming every wrong or unknown field.
 */
export async function readJsonBody<S extends z.ZodType>(req: IncomingMessage, schema: S, options: JsonBodyOptions = {}): Promise<z.output<S>> {
  const text = await readBody(req, options.limit ?? MAX_BODY_BYTES);
  let raw: unknown;
  if (text.trim() === '') {
    if (!options.allowEmpty) throw new HttpError(400, 'invalid_body', 'the request body is empty; expected a JSON object');
    raw = {};
  } else {
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'unsupported_media_type', `send the body as "content-type: application/json" (got ${type ? JSON.stringify(type) : 'none'})`);
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, 'invalid_json', `the request body is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new HttpError(400, 'invalid_body', 'the request body must be a JSON object');
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new HttpError(400, 'invalid_body', describeIssues(parsed.error.issues));
  return parsed.data;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with an expected one, via their hashes. */
export function secretsEqual(presented: string, expected: string): boolean {
  return hashesEqual(sha256Hex(presented), sha256Hex(expected));
}

/** Constant-time comparison of two hex sha256 digests. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === 32 && right.length === 32 && timingSafeEqual(left, right);
}
