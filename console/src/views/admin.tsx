/**
 * Admin overview: every team, its harnesses, its active sessions and the turns running or
 * queued in them (read from each active session's activeTurn; at most 200 sessions a team).
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Session, type Turn } from '../api.ts';
import type { Signed } from '../app.tsx';
import { relativeTime } from '../format.ts';
import { onLinkClick } from '../router.ts';

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
            const page = await signed.api.listSessions({ team: team.name, state: 'active', limit: 200 });
            const active = await Promise.all(page.sessions.map((s) => signed.api.getSession(s.id)));
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
        <table class="teams">
          <thead>
            <tr>
              <th scope="col">Team</th>
              <th scope="col">Harnesses</th>
              <th scope="col">Active sessions</th>
              <th scope="col">Turns running or queued</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.team}>
                <td data-label="Team">{row.team}</td>
                <td data-label="Harnesses">{row.harnesses.join(', ')}</td>
                <td data-label="Active sessions">{row.active.length}{row.more ? '+' : ''}</td>
                <td data-label="Turns">
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
