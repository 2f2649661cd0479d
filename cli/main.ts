/** `paddock <command>`: the one entry point for synth, plan, dev and schema. */
import { processIo, type CliIo } from './io.ts';

const USAGE = `Usage: paddock <command> [options]

Commands:
  synth    render every stack in stacks/ to manifests/<stack>/ (--check to verify)
  plan     offline, mock-based preview of what \`pulumi up\` would create (--stack NAME)
  dev      run the runtime locally: embedded Postgres, local driver, scripted harness
  schema   regenerate schema/paddock-stack.schema.json (--check to verify)

Run \`paddock <command> --help\` for a command's options.`;

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  synth: async () => (await import('./synth.ts')).runSynth,
  plan: async () => (await import('./plan.ts')).runPlan,
  dev: async () => (await import('./dev.ts')).runDevCommand,
  schema: async () => (await import('./schema.ts')).runSchema,
};

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`paddock: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  return (await load())(rest, io);
}
