/** What a CLI command may touch, passed in so tests run commands in-process. */
import { relative } from 'node:path';

export interface CliIo {
  readonly cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  relative(path: string): string;
  /** the clock version checks read (default: the system clock); tests pass a fixed day */
  readonly now?: () => Date;
}

export function today(io: CliIo): Date {
  return io.now ? io.now() : new Date();
}

export function processIo(): CliIo {
  const cwd = process.cwd();
  return {
    cwd,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    relative: (path) => relative(cwd, path) || '.',
    now: () => new Date(),
  };
}
