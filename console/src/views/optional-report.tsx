/**
 * A report the runtime may not have (GET /v1/usage, GET /v1/audit): a 404 says so; otherwise
 * its scalar fields as a summary and its records as a table, with the report's own query
 * choices (e.g. group by) and "More" while it returns a nextCursor.
 */
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import type { Signed } from '../app.tsx';
import { recordsIn, summaryOf, tableOf } from '../report.ts';

export interface ReportChoice {
  readonly name: string;
  readonly label: string;
  readonly options: readonly string[];
}

type State = { kind: 'loading' } | { kind: 'missing' } | { kind: 'failed'; message: string } | { kind: 'loaded'; body: unknown; records: Array<Record<string, unknown>>; nextCursor: string | null };

function withQuery(path: string, params: Record<string, string>): string {
  const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '')).toString();
  return search ? `${path}?${search}` : path;
}

export function OptionalReport({ signed, path, title, choices = [] }: { signed: Signed; path: string; title: string; choices?: readonly ReportChoice[] }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(choices.map((c) => [c.name, c.options[0] ?? ''])));
  const [loadingMore, setLoadingMore] = useState(false);

  const fetchPage = (cursor?: string) => signed.api.optional(withQuery(path, { ...values, ...(cursor ? { cursor } : {}) }));
  const failed = (error: unknown) => {
    if (error instanceof ApiError && error.status === 401) signed.rejected();
    else setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  };

  useEffect(() => {
    document.title = `${title} · Paddock`;
    setState({ kind: 'loading' });
    fetchPage().then((body) => {
      if (body === undefined) setState({ kind: 'missing' });
      else setState({ kind: 'loaded', body, records: recordsIn(body) ?? [], nextCursor: nextCursorOf(body) });
    }, failed);
  }, [signed, path, ...Object.values(values)]);

  const more = async () => {
    if (state.kind !== 'loaded' || !state.nextCursor) return;
    setLoadingMore(true);
    try {
      const body = await fetchPage(state.nextCursor);
      setState({ ...state, records: [...state.records, ...(recordsIn(body) ?? [])], nextCursor: nextCursorOf(body) });
    } catch (error) {
      failed(error);
    } finally {
      setLoadingMore(false);
    }
  };

  const table = state.kind === 'loaded' ? tableOf(state.records) : undefined;
  return (
    <section>
      <h1 tabIndex={-1}>{title}</h1>
      {choices.length > 0 && state.kind !== 'missing' && (
        <div class="filters">
          {choices.map((choice) => (
            <Fragment key={choice.name}>
              <label for={`report-${choice.name}`}>{choice.label}</label>
              <select id={`report-${choice.name}`} value={values[choice.name]} onChange={(e) => setValues({ ...values, [choice.name]: e.currentTarget.value })}>
                {choice.options.map((o) => <option key={o} value={o}>{o}</option>)}
              </select>
            </Fragment>
          ))}
        </div>
      )}
      {state.kind === 'loading' && <p role="status">Loading…</p>}
      {state.kind === 'missing' && <p class="empty">This runtime has no {path} yet.</p>}
      {state.kind === 'failed' && <p class="problem" role="alert">{state.message}</p>}
      {state.kind === 'loaded' && (
        <dl class="summary">
          {summaryOf(state.body).map(([key, value]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
      {table && table.rows.length === 0 && <p class="empty">Nothing recorded in this range.</p>}
      {table && table.rows.length > 0 && (
        // focusable and named, so that a keyboard user can scroll a table wider than the screen (axe: scrollable-region-focusable)
        <div class="scroll-x" tabIndex={0} role="region" aria-label={`${title} table`}>
          <table role="table">
            <thead role="rowgroup">
              <tr role="row">{table.columns.map((c) => <th role="columnheader" key={c} scope="col">{c}</th>)}</tr>
            </thead>
            <tbody role="rowgroup">
              {table.rows.map((row, i) => (
                <tr role="row" key={i}>{row.map((cell, j) => <td role="cell" key={j} data-label={table.columns[j]}>{cell}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {state.kind === 'loaded' && state.nextCursor && (
        <button type="button" class="secondary" onClick={() => void more()} disabled={loadingMore}>More</button>
      )}
    </section>
  );
}

function nextCursorOf(body: unknown): string | null {
  const cursor = typeof body === 'object' && body !== null ? (body as { nextCursor?: unknown }).nextCursor : undefined;
  return typeof cursor === 'string' && cursor !== '' ? cursor : null;
}
