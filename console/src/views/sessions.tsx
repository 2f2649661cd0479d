/** The sessions list: newest first, filtered by state (and team for the admin), paged by cursor. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Session, type SessionState } from '../api.ts';
import type { Signed } from '../app.tsx';
import { relativeTime } from '../format.ts';
import { navigate, onLinkClick } from '../router.ts';
import { NewSession } from './new-session.tsx';

const PAGE = 25;

export function SessionsPage({ signed }: { signed: Signed }) {
  const admin = signed.listing.principal.kind === 'admin';
  const [state, setState] = useState<SessionState | ''>('');
  const [team, setTeam] = useState('');
  const [sessions, setSessions] = useState<readonly Session[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);

  const load = async (from: string | undefined) => {
    setLoading(true);
    try {
      const page = await signed.api.listSessions({ limit: PAGE, ...(state ? { state } : {}), ...(team ? { team } : {}), ...(from ? { cursor: from } : {}) });
      setSessions((previous) => (from ? [...previous, ...page.sessions] : page.sessions));
      setCursor(page.nextCursor);
      setProblem(undefined);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) signed.rejected();
      else setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    document.title = 'Sessions · Paddock';
    void load(undefined);
  }, [state, team]);

  return (
    <section>
      <div class="page-head">
        <h1 tabIndex={-1}>Sessions</h1>
        <button type="button" onClick={() => setCreating(true)} disabled={creating}>New session</button>
        <button type="button" class="secondary" onClick={() => void load(undefined)} disabled={loading}>Refresh</button>
      </div>
      {creating && <NewSession signed={signed} onCancel={() => setCreating(false)} onCreated={(session) => navigate(`/sessions/${session.id}`)} />}
      <div class="filters">
        <label for="filter-state">State</label>
        <select id="filter-state" value={state} onChange={(e) => setState(e.currentTarget.value as SessionState | '')}>
            <option value="">All</option>
            <option value="active">Active</option>
            <option value="ended">Ended</option>
            <option value="failed">Failed</option>
        </select>
        {admin && (
          <>
            <label for="filter-team">Team</label>
            <select id="filter-team" value={team} onChange={(e) => setTeam(e.currentTarget.value)}>
              <option value="">All teams</option>
              {signed.listing.teams.map((t) => (
                <option key={t.name} value={t.name}>{t.name}</option>
              ))}
            </select>
          </>
        )}
      </div>
      {problem && <p class="problem" role="alert">{problem}</p>}
      {!loading && sessions.length === 0 && !problem && <p class="empty">No sessions{state ? ` in state ${state}` : ''} yet. Start one with “New session”.</p>}
      {sessions.length > 0 && (
        <table role="table" class="sessions">
          <caption class="visually-hidden">Sessions, newest first</caption>
          <thead role="rowgroup">
            <tr role="row">
              <th role="columnheader" scope="col">Title</th>
              <th role="columnheader" scope="col">State</th>
              {admin && <th role="columnheader" scope="col">Team</th>}
              <th role="columnheader" scope="col">Harness</th>
              <th role="columnheader" scope="col">Turns</th>
              <th role="columnheader" scope="col">Last activity</th>
            </tr>
          </thead>
          <tbody role="rowgroup">
            {sessions.map((s) => (
              <tr role="row" key={s.id}>
                <td role="cell" data-label="Title">
                  <a href={`/sessions/${s.id}`} onClick={(e) => onLinkClick(e, `/sessions/${s.id}`)}>{s.title || `Session ${s.id.slice(0, 8)}`}</a>
                </td>
                <td role="cell" data-label="State"><span class={`badge state-${s.state}`}>{s.state}</span>{s.error && <span class="code"> {s.error.code}</span>}</td>
                {admin && <td role="cell" data-label="Team">{s.team}</td>}
                <td role="cell" data-label="Harness">{s.harness}</td>
                <td role="cell" data-label="Turns">{s.turns}</td>
                <td role="cell" data-label="Last activity"><time dateTime={s.updatedAt} title={s.updatedAt}>{relativeTime(s.updatedAt)}</time></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {loading && <p role="status">Loading…</p>}
      {cursor && !loading && (
        <button type="button" class="secondary" onClick={() => void load(cursor)}>More sessions</button>
      )}
    </section>
  );
}
