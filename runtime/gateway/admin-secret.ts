/**
 * Reads the mounted Secret `paddock-gateway-admin` (config/model-gateway.ts): `masterKey` (the
 * gateway's LITELLM_MASTER_KEY) and `team-<name>` (each team's gateway key). Kubernetes swaps a
 * mounted Secret's files in place when it changes, so the reconciler reads it again before every
 * pass and a rotated key converges without a restart. Values are trimmed and never logged; the
 * fingerprint (a hash over all of them) only tells whether anything changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_MASTER_KEY_KEY } from '../../config/model-gateway.ts';

export interface GatewayAdminSecret {
  readonly masterKey: string;
  /** team name -> key value */
  readonly teamKeys: ReadonlyMap<string, string>;
  /** changes exactly when a value changes */
  readonly fingerprint: string;
}

export class GatewayAdminSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayAdminSecretError';
  }
}

export function readGatewayAdminSecret(dir: string): GatewayAdminSecret {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new GatewayAdminSecretError(`the gateway admin Secret's directory ${dir} does not exist (is Secret paddock-system/paddock-gateway-admin mounted there?)`);
  let masterKey = '';
  const teamKeys = new Map<string, string>();
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue; // Kubernetes' ..data bookkeeping
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const value = readFileSync(path, 'utf8').trim();
    hash.update(`${name}\0${value}\0`);
    if (name === GATEWAY_MASTER_KEY_KEY) masterKey = value;
    else if (name.startsWith('team-')) teamKeys.set(name.slice('team-'.length), value);
  }
  if (masterKey === '') throw new GatewayAdminSecretError(`${join(dir, GATEWAY_MASTER_KEY_KEY)} is missing or empty: the reconciler needs the gateway's master key`);
  return { masterKey, teamKeys, fingerprint: hash.digest('hex') };
}
