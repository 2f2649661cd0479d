/** `paddock schema [--check]`: writes (or checks) the editor JSON Schema for stack files. */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { JSON_SCHEMA_PATH, renderJsonSchema } from '../config/json-schema.ts';
import type { CliIo } from './io.ts';

export async function runSchema(argv: readonly string[], io: CliIo): Promise<number> {
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    io.stderr(`paddock schema: unknown argument ${unknown[0]}\nUsage: paddock schema [--check]\n`);
    return 2;
  }
  const path = resolve(io.cwd, JSON_SCHEMA_PATH);
  const fresh = renderJsonSchema();
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (argv.includes('--check')) {
    if (current === fresh) return 0;
    io.stderr(`${JSON_SCHEMA_PATH} is ${current === undefined ? 'missing' : 'stale'}: run \`npm run schema\`\n`);
    return 1;
  }
  mkdirSync(dirname(path), { recursive: true });
  if (current !== fresh) writeFileSync(path, fresh);
  io.stdout(`${JSON_SCHEMA_PATH} ${current === fresh ? 'unchanged' : 'written'}\n`);
  return 0;
}
