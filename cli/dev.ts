/**
 * `paddock dev`: the runtime on this machine with embedded Postgres, the local driver and the
 * scripted harness. It isolates nothing; it is for trying Paddock and for development.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliIo } from './io.ts';

export const DEV_USAGE = `Usage: paddock dev [--stack NAME] [--port PORT] [--data-dir DIR]

Starts the runtime controller locally for the teams of a stack (default: local) with embedded
Postgres (data in --data-dir, default .paddock/dev, kept across restarts), the local sandbox
driver and the scripted harness. Prints the URL and tokens, and writes <data-dir>/tokens.json.`;

export async function runDevCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        stack: { type: 'string', default: 'local' },
        port: { type: 'string', default: '8080' },
        'data-dir': { type: 'string', default: '.paddock/dev' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (error) {
    io.stderr(`paddock dev: ${(error as Error).message}\n\n${DEV_USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    io.stdout(`${DEV_USAGE}\n`);
    return 0;
  }
  const port = Number(args.values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`paddock dev: --port ${args.values.port} is not a port number\n`);
    return 2;
  }
  // the console's files as the sources are now (a pull may have changed them since npm ci)
  const { buildConsole } = await import('../scripts/build-console.ts');
  try {
    await buildConsole({ ifStale: true, log: (line) => io.stdout(`${line}\n`) });
  } catch (error) {
    io.stderr(`paddock dev: the web console could not be built (${(error as Error).message}); the API works, / will say the console is not built\n`);
  }
  const { runDev } = await import('../runtime/dev.ts');
  return runDev({ stack: args.values.stack, port, dataDir: resolve(io.cwd, args.values['data-dir']), stacksDir: resolve(io.cwd, 'stacks') });
}
