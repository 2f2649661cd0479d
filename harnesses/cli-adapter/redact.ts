/**
 * Credentials must never reach a log line or an event: the CLI's stderr is shown to people (as
 * an error message) only after every secret-looking value of the environment and every
 * well-known key shape has been masked.
 */

const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)/i;
const KEY_SHAPES = [
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI / Anthropic style keys (sk-..., sk-ant-..., sk-proj-...)
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(x-api-key|api[_-]?key|authorization)(["']?\s*[:=]\s*["']?)[^\s"',;]{6,}/gi,
];

/** The values to mask: env vars whose names look secret, at least 6 characters long. */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && typeof value === 'string' && value.length >= 6)
    .map(([, value]) => value as string)
    .sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  out = out.replace(KEY_SHAPES[0]!, '[redacted]');
  out = out.replace(KEY_SHAPES[1]!, (_m, scheme: string) => `${scheme} [redacted]`);
  out = out.replace(KEY_SHAPES[2]!, (_m, name: string, sep: string) => `${name}${sep}[redacted]`);
  return out;
}
