/**
 * Named (prepared) statements for the runtime's hot path. Postgres parses and plans a named
 * statement once per connection instead of on every call; for the turn path's large CTEs that
 * is about a third of each statement's time (docs/adr/0014-turn-latency.md).
 *
 * A prepared statement's result shape is fixed when it is prepared: a later `ALTER TABLE`
 * that changes what `*` expands to makes Postgres reject it ("cached plan must not change
 * result type") on every replica still running the old code. So prepared statements name
 * their columns (records.ts) and never select `*`; new columns then leave them valid during a
 * rolling deploy.
 */
import type { QueryConfig } from 'pg';

const registered = new Map<string, string>();

export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
  /** the query config for one execution */
  with(values: readonly unknown[]): QueryConfig;
}

/** Declares a named statement; a name declared twice with different text is a bug. */
export function prepared(name: string, text: string): PreparedStatement {
  if (!/^paddock_[a-z0-9_]+$/.test(name)) throw new Error(`prepared statement name "${name}" must match paddock_[a-z0-9_]+`);
  const previous = registered.get(name);
  if (previous !== undefined && previous !== text) throw new Error(`prepared statement "${name}" is declared twice with different SQL`);
  if (/(^|[\s,(.])\*(\s|,|$)/.test(text.replace(/count\(\*\)/g, ''))) throw new Error(`prepared statement "${name}" selects "*": name the columns (a new column would invalidate it)`);
  registered.set(name, text);
  return { name, text, with: (values) => ({ name, text, values: [...values] }) };
}
