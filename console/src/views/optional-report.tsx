/**
 * A report the runtime may not have yet (GET /v1/usage, GET /v1/audit): a 404 says so, anything
 * else is shown as a table of its first list of records (each value as text), or as JSON.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import type { Signed } from '../app.tsx';
import { recordsOf } from '../report.ts';

export function OptionalReport({ signed, path, title }: { signed: Signed; path: string; title: string }) {
  const [state, setState] = useState<{ kind: 'loading' } | { kind: 'missing' } | { kind: 'loaded'; body: unknown } | { kind: 'failed'; message: string }>({ kind: 'loading' });
  useEffect(() => {
    setState({ kind: 'loading' });
    signed.api.optional(path).then(
      (body) => setState(body === undefined ? { kind: 'missing' } : { kind: 'loaded', body }),
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401) signed.rejected();
        else setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
      },
    );
  }, [signed, path]);
  const table = state.kind === 'loaded' ? recordsOf(state.body) : undefined;
  return (
    <section>
      <h1 tabIndex={-1}>{title}</h1>
      {state.kind === 'loading' && <p role="status">Loading…</p>}
      {state.kind === 'missing' && <p class="empty">This runtime has no {path} yet.</p>}
      {state.kind === 'failed' && <p class="problem" role="alert">{state.message}</p>}
      {table && table.rows.length === 0 && <p class="empty">Nothing recorded yet.</p>}
      {table && table.rows.length > 0 && (
        <div class="scroll-x">
          <table>
            <thead>
              <tr>{table.columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr>
            </thead>
            <tbody>
              {table.rows.map((row, i) => (
                <tr key={i}>{row.map((cell, j) => <td key={j} data-label={table.columns[j]}>{cell}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {state.kind === 'loaded' && !table && <pre>{JSON.stringify(state.body, null, 2)}</pre>}
    </section>
  );
}
