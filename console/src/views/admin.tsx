/**
 * Admin overview: every team, its harnesses, its active sessions and the turns running or
 * queued in them (read from each active session's activeTurn, four at a time; at most 100
 * sessions a team, shown as "100+" beyond).
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Session, type Turn } from '../api.ts';
import type { Signed } from '../app.tsx';
import { relativeTime } from '../format.ts';
import { onLinkClick } from '../router.ts';

/** active sessions read per team (each one GET for its active turn) */
const ACTIVE_LIMIT = 100;

/** `fn` over `items`, at most `limit` at a time, results in order */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface TeamRow {
  readonly team: string;
  readonly harnesses: readonly string[];
  readonly active: ReadonlyArray<Session & { activeTurn: Turn | null }>;
  readonly more: boolean;
}

export function AdminPage({ signed }: { signed: Signed }) {
  const [rows, setRows] = useState<readonly TeamRow[] | undefined>();
  const [problem, setProblem] = useState<string | undefined>();

  useEffect(() => {
    let stale = false;
    void (async () => {
      try {
        const result = await Promise.all(
          signed.listing.teams.map(async (team) => {
            const page = await signed.api.listSessions({ team: team.name, state: 'active', limit: ACTIVE_LIMIT });
            const active = await mapLimited(page.sessions, 4, (s) => signed.api.getSession(s.id));
            return { team: team.name, harnesses: team.harnesses.map((h) => h.name), active, more: page.nextCursor !== null };
          }),
        );
        if (!stale) setRows(result);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) signed.rejected();
        else if (!stale) setProblem(error instanceof Error ? error.message : String(error));
      }
    })();
    return () => {
      stale = true;
    };
  }, [signed]);

  return (
    <section>
      <h1 tabIndex={-1}>Teams</h1>
      {problem && <p class="problem" role="alert">{problem}</p>}
      {!rows && !problem && <p role="status">Loading…</p>}
      {rows && (
        <table role="table" class="teams">
          <thead role="rowgroup">
            <tr role="row">
              <th role="columnheader" scope="col">Team</th>
              <th role="columnheader" scope="col">Harnesses</th>
              <th role="columnheader" scope="col">Active sessions</th>
              <th role="columnheader" scope="col">Turns running or queued</th>
            </tr>
          </thead>
          <tbody role="rowgroup">
            {rows.map((row) => (
              <tr role="row" key={row.team}>
                <td role="cell" data-label="Team">{row.team}</td>
                <td role="cell" data-label="Harnesses">{row.harnesses.join(', ')}</td>
                <td role="cell" data-label="Active sessions">{row.active.length}{row.more ? '+' : ''}</td>
                <td role="cell" data-label="Turns">
                  {row.active.filter((s) => s.activeTurn).length === 0 ? (
                    'none'
                  ) : (
                    <ul class="plain">
                      {row.active
                        .filter((s) => s.activeTurn)
                        .map((s) => (
                          <li key={s.id}>
                            <a href={`/sessions/${s.id}`} onClick={(e) => onLinkClick(e, `/sessions/${s.id}`)}>{s.title || s.id.slice(0, 8)}</a>: turn {s.activeTurn!.number} {s.activeTurn!.state} · {relativeTime(s.updatedAt)}
                          </li>
                        ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
