/**
 * Reading the runtime's inputs from files (I/O edge): the ConfigMap's config.json, validated
 * with the same schema synth renders it from, and dev mode's tokens.json.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { runtimeConfigSchema, type RuntimeConfig } from '../config/runtime-config.ts';
import { describeIssues } from '../harnesses/protocol/schema.ts';
import { generateToken, hashToken, type TokenHashes } from './auth.ts';

export class RuntimeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeInputError';
  }
}

export function readRuntimeConfigFile(path: string): RuntimeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RuntimeInputError(`${path}: cannot read the runtime config (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RuntimeInputError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = runtimeConfigSchema.safeParse(raw);
  if (!parsed.success) throw new RuntimeInputError(`${path}: ${describeIssues(parsed.error.issues, '(top level)')}`);
  return parsed.data;
}

/** dev mode's `<data-dir>/tokens.json` */
export interface DevTokens {
  readonly admin: string;
  readonly teams: Readonly<Record<string, string>>;
}

const devTokensSchema = z.strictObject({ admin: z.string().min(32), teams: z.record(z.string(), z.string().min(32)) });

/**
 * Reads the dev tokens, adding tokens for teams that have none yet; tokens already issued
 * stay the same across restarts. Written with mode 0600.
 */
export function ensureDevTokens(path: string, teams: readonly string[]): DevTokens {
  let existing: DevTokens | undefined;
  if (existsSync(path)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new RuntimeInputError(`${path}: not valid JSON (${(error as Error).message}); fix it or delete it to issue new tokens`);
    }
    const parsed = devTokensSchema.safeParse(raw);
    if (!parsed.success) throw new RuntimeInputError(`${path}: ${describeIssues(parsed.error.issues, '(top level)')}; fix it or delete it to issue new tokens`);
    existing = parsed.data;
  }
  const tokens: DevTokens = {
    admin: existing?.admin ?? generateToken(),
    teams: Object.fromEntries([...new Set([...Object.keys(existing?.teams ?? {}), ...teams])].sort().map((team) => [team, existing?.teams[team] ?? generateToken()])),
  };
  if (JSON.stringify(tokens) !== JSON.stringify(existing)) {
    mkdirSync(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, path);
  }
  chmodSync(path, 0o600);
  return tokens;
}

/** Hashes of the dev tokens of the given teams (tokens of teams no longer in the stack are inert). */
export function devTokenHashes(tokens: DevTokens, teams: readonly string[]): TokenHashes {
  return {
    admin: [hashToken(tokens.admin)],
    teams: new Map(teams.filter((t) => tokens.teams[t] !== undefined).map((t) => [t, [hashToken(tokens.teams[t]!)]])),
  };
}
