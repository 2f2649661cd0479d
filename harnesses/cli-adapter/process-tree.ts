/**
 * Ending an agent CLI *with everything it started*. The CLI runs as the leader of its own process
 * group, but agents start tools in new sessions too (Codex runs commands in a PTY, which calls
 * setsid), so a group kill alone can miss them. On Linux we therefore also walk /proc for the
 * CLI's descendants before signalling, remember them with their start times (so a recycled pid
 * is never hit), and SIGKILL whatever is still alive after the grace period.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcessId {
  readonly pid: number;
  /** clock ticks since boot at which the process started (/proc/<pid>/stat field 22) */
  readonly startTime: string;
}

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly startTime: string;
}

/** Parses /proc/<pid>/stat; the command name may contain spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state), so field N is fields[N - 3]
  const ppid = Number(fields[1]);
  const startTime = fields[19];
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || startTime === undefined) return undefined;
  return { pid, ppid, startTime };
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (children, grandchildren, ...); empty without /proc. */
export function descendants(root: number): ProcessId[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const children = new Map<number, ProcStat[]>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(stat);
    children.set(stat.ppid, list);
  }
  const found: ProcessId[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const next = queue.shift()!;
    for (const child of children.get(next) ?? []) {
      found.push({ pid: child.pid, startTime: child.startTime });
      queue.push(child.pid);
    }
  }
  return found;
}

/** True when the process still exists and is the same one (same start time); zombies count as gone. */
export function isAlive(id: ProcessId): boolean {
  try {
    const text = readFileSync(`/proc/${id.pid}/stat`, 'utf8');
    const stat = parseProcStat(text);
    const state = text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3);
    return stat?.startTime === id.startTime && state !== 'Z';
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

export interface KillTreeOptions {
  /** how long the CLI may take to exit after SIGTERM before everything gets SIGKILL */
  readonly graceMs?: number;
  /** resolves when the CLI (the group leader) has exited */
  readonly exited: Promise<unknown>;
}

/**
 * SIGTERM to the CLI's process group and every descendant; after `graceMs` (or as soon as the
 * CLI has exited), SIGKILL to the group and to every remembered descendant still alive.
 */
export async function killTree(leader: number, options: KillTreeOptions): Promise<void> {
  const tree = descendants(leader);
  signal(-leader, 'SIGTERM');
  for (const id of tree) signal(id.pid, 'SIGTERM');
  await Promise.race([options.exited, sleep(options.graceMs ?? 1500)]);
  // children started during the grace period are found again; the leader may be gone by now
  const late = descendants(leader);
  signal(-leader, 'SIGKILL');
  for (const id of [...tree, ...late]) if (isAlive(id)) signal(id.pid, 'SIGKILL');
}
