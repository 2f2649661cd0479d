/**
 * A JSON report of unknown shape as a table: the first array of objects found at the top level
 * (or the body itself when it is one), columns in first-seen order, every value as text.
 */
export interface ReportTable {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

const MAX_ROWS = 500;

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function recordsOf(body: unknown): ReportTable | undefined {
  const isRecordList = (value: unknown): value is Array<Record<string, unknown>> => Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
  let list: Array<Record<string, unknown>> | undefined;
  if (isRecordList(body)) list = body;
  else if (typeof body === 'object' && body !== null) list = Object.values(body).find(isRecordList);
  if (!list) return undefined;
  const columns: string[] = [];
  for (const record of list.slice(0, MAX_ROWS)) for (const key of Object.keys(record)) if (!columns.includes(key)) columns.push(key);
  return { columns, rows: list.slice(0, MAX_ROWS).map((record) => columns.map((c) => cellText(record[c]))) };
}
