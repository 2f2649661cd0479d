/** "New session": a harness of the team (the admin picks team and harness) and a title. */
import { useState } from 'preact/hooks';
import { ApiError, type Session } from '../api.ts';
import type { Signed } from '../app.tsx';

const SEPARATOR = '/';

export function NewSession({ signed, onCreated, onCancel }: { signed: Signed; onCreated: (session: Session) => void; onCancel: () => void }) {
  const admin = signed.listing.principal.kind === 'admin';
  const choices = signed.listing.teams.flatMap((team) => team.harnesses.map((h) => ({ team: team.name, ...h })));
  const firstAvailable = choices.find((c) => c.available) ?? choices[0];
  const [choice, setChoice] = useState(firstAvailable ? `${firstAvailable.team}${SEPARATOR}${firstAvailable.name}` : '');
  const [title, setTitle] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const [team, harness] = choice.split(SEPARATOR) as [string, string | undefined];
    if (!harness) {
      setProblem('Choose a harness.');
      return;
    }
    setBusy(true);
    try {
      const session = await signed.api.createSession({ harness, ...(title.trim() ? { title: title.trim() } : {}), ...(admin ? { team } : {}) });
      onCreated(session);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) signed.rejected();
      else setProblem(error instanceof Error ? error.message : String(error));
      setBusy(false);
    }
  };

  return (
    <form class="card new-session" onSubmit={submit}>
      <div class="field">
        <label for="new-harness">Harness</label>
        <select id="new-harness" value={choice} onChange={(e) => setChoice(e.currentTarget.value)} required>
          {signed.listing.teams.map((team) => {
            const options = team.harnesses.map((h) => (
              <option key={`${team.name}/${h.name}`} value={`${team.name}${SEPARATOR}${h.name}`}>
                {admin ? `${team.name} / ${h.name}` : h.name}
                {h.available ? '' : ' (not runnable here)'}
              </option>
            ));
            return admin ? <optgroup key={team.name} label={team.name}>{options}</optgroup> : options;
          })}
        </select>
      </div>
      <div class="field">
        <label for="new-title">Title</label>
        <input id="new-title" type="text" maxLength={200} aria-describedby="new-title-hint" value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        <span id="new-title-hint" class="hint">Optional</span>
      </div>
      {problem && <p class="problem" role="alert">{problem}</p>}
      <div class="actions">
        <button type="submit" disabled={busy || choices.length === 0}>Create session</button>
        <button type="button" class="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
