/**
 * The model gateway's provider keys (`paddock:gatewaySecrets.<NAME>`, set with `pulumi config
 * set --secret --path`) checked against `paddock:platform.modelGateway.providerSecrets`. Pure.
 * Messages name keys, never values.
 */
import type { ConfigProblem } from '../../config/errors.ts';
import type { PlatformSpec } from '../../config/platform-spec.ts';
import { compareText } from '../../config/compare.ts';

export const GATEWAY_SECRETS_KEY = 'paddock:gatewaySecrets';

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The command that sets one provider key of the gateway, for messages and docs. */
export function setGatewaySecretCommand(stack: string, name: string): string {
  return `pulumi config set -s ${stack} --secret --path '${GATEWAY_SECRETS_KEY}.${name}' <value>`;
}

function secretText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The provider-key names the gateway Paddock runs reads (none without `modelGateway.deploy`). */
export function gatewaySecretNames(spec: PlatformSpec): readonly string[] {
  return spec.platform.modelGateway.deploy?.providerSecrets ?? [];
}

/** The declared provider keys' values from the raw config object (after `checkGatewaySecrets` passed). */
export function gatewaySecretValues(raw: unknown, names: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  if (!isMapping(raw)) return values;
  for (const name of names) {
    const text = secretText(raw[name]);
    if (text !== undefined) values[name] = text;
  }
  return values;
}

/** Provider keys that are declared but have no value. */
export function missingGatewaySecrets(raw: unknown, spec: PlatformSpec): string[] {
  return gatewaySecretNames(spec).filter((name) => !(isMapping(raw) && Object.hasOwn(raw, name)));
}

/** Every problem with the values that exist: no gateway to give them to, an undeclared name, a value that is not text or is empty. */
export function checkGatewaySecrets(raw: unknown, spec: PlatformSpec, stack: string): ConfigProblem[] {
  if (raw === undefined) return [];
  if (!spec.platform.modelGateway.deploy) {
    return [{ path: [GATEWAY_SECRETS_KEY], message: `is only used by the gateway Paddock runs (paddock:platform.modelGateway.deploy: litellm); remove it with \`pulumi config rm -s ${stack} ${GATEWAY_SECRETS_KEY}\`` }];
  }
  if (!isMapping(raw)) return [{ path: [GATEWAY_SECRETS_KEY], message: `expected a mapping of variable name to secret value, got ${Array.isArray(raw) ? 'a list' : raw === null ? 'null' : typeof raw}` }];
  const declared = gatewaySecretNames(spec);
  const problems: ConfigProblem[] = [];
  for (const [name, value] of Object.entries(raw).sort(([a], [b]) => compareText(a, b))) {
    const path = [GATEWAY_SECRETS_KEY, name];
    if (!declared.includes(name)) problems.push({ path, message: `"${name}" is not in paddock:platform.modelGateway.providerSecrets (${declared.join(', ') || 'none'}): add it there, or remove the value with \`pulumi config rm -s ${stack} --path '${GATEWAY_SECRETS_KEY}.${name}'\`` });
    else if (secretText(value) === undefined) problems.push({ path, message: 'expected the secret as text' });
    else if (secretText(value) === '') problems.push({ path, message: 'is empty' });
  }
  return problems;
}

/** A problem per declared provider key without a value, with the command that sets it. */
export function missingGatewaySecretProblems(missing: readonly string[], stack: string): ConfigProblem[] {
  return missing.map((name) => ({ path: [GATEWAY_SECRETS_KEY, name], message: `paddock:platform.modelGateway.providerSecrets names "${name}" but no value is set: ${setGatewaySecretCommand(stack, name)}` }));
}
