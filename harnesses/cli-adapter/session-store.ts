/**
 * Which CLI session belongs to which Paddock session. Kept as a small JSON file under the
 * harness's writable state directory (in HOME, a writable mount), so an adapter process that
 * restarts inside the same sandbox still resumes the CLI's own session. Writes are atomic
 * (temporary file, then rename); a missing or unreadable file means "no sessions yet".
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface CliSessionRecord {
  /** the CLI's own session/thread id */
  readonly cliSessionId: string;
  /** the last turn number that ran in it */
  readonly turn: number;
  readonly updatedAt: string;
}

export class SessionStore {
  private readonly file: string;

  constructor(stateDir: string, name = 'sessions.json') {
    this.file = join(stateDir, name);
  }

  private readAll(): Record<string, CliSessionRecord> {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, CliSessionRecord>) : {};
    } catch {
      return {};
    }
  }

  get(sessionId: string): CliSessionRecord | undefined {
    const record = this.readAll()[sessionId];
    return record && typeof record.cliSessionId === 'string' ? record : undefined;
  }

  set(sessionId: string, cliSessionId: string, turn: number): void {
    const all = this.readAll();
    all[sessionId] = { cliSessionId, turn, updatedAt: new Date().toISOString() };
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}
