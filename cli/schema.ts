/** `paddock schema [--check]`: writes (or checks) the editor JSON Schema for stack files. */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { JSON_SCHEMA_PATH, renderJsonSchema } from '../config/json-schema.ts';
import type { CliIo } from './io.ts';

export const SCHEMA_USAGE = `Usage: paddock schema [--check]

Writes ${JSON_SCHEMA_PATH}, the JSON Schema editors use to check and complete stack files,
from the config schema (config/schema.ts).
  --check   write nothing; exit 1 when the file is missing or not what the schema produces`;

export async function runSchema(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: [...argv], options: { check: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } }, strict: true, allowPositionals: false });
  } catch (error) {
    io.stderr(`paddock schema: ${(error as Error).message}\n\n${SCHEMA_USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    io.stdout(`${SCHEMA_USAGE}\n`);
    return 0;
  }
  const path = resolve(io.cwd, JSON_SCHEMA_PATH);
  const fresh = renderJsonSchema();
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (args.values.check) {
    if (current === fresh) {
      io.stdout(`${JSON_SCHEMA_PATH} is up to date\n`);
      return 0;
    }
    io.stderr(`${JSON_SCHEMA_PATH} is ${current === undefined ? 'missing' : 'stale'}: run \`npm run schema\`\n`);
    return 1;
  }
  mkdirSync(dirname(path), { recursive: true });
  if (current !== fresh) writeFileSync(path, fresh);
  io.stdout(`${JSON_SCHEMA_PATH} ${current === fresh ? 'unchanged' : 'written'}\n`);
  return 0;
}
