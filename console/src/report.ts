/**
 * A JSON report of unknown shape as a table: the first array of objects found at the top level
 * (or the body itself when it is one), columns in first-seen order, every value as text.
 * Reports (usage, audit) are other engineers' routes; the console shows whatever they return
 * without knowing their fields, so a new field appears without a console change.
 */
export interface ReportTable {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

const MAX_ROWS = 1000;

type Row = Record<string, unknown>;

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object' && !Array.isArray(value)) {
    // a principal ({kind:"team", team:"web"}) reads as "team web"
    const record = value as Row;
    if (typeof record.kind === 'string') return Object.values(record).map(cellText).join(' ');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return value.map(cellText).join(', ');
  return String(value);
}

const isRecordList = (value: unknown): value is Row[] => Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));

/** the records of a report body: the body itself, or its first list of objects */
export function recordsIn(body: unknown): Row[] | undefined {
  if (isRecordList(body)) return body;
  if (typeof body === 'object' && body !== null) return Object.values(body).find(isRecordList);
  return undefined;
}

export function tableOf(records: readonly Row[]): ReportTable {
  const shown = records.slice(0, MAX_ROWS);
  const columns: string[] = [];
  for (const record of shown) for (const key of Object.keys(record)) if (!columns.includes(key)) columns.push(key);
  return { columns, rows: shown.map((record) => columns.map((c) => cellText(record[c]))) };
}

export function recordsOf(body: unknown): ReportTable | undefined {
  const records = recordsIn(body);
  return records ? tableOf(records) : undefined;
}

/** the scalar fields of a report besides its records (from, to, groupBy, a total...) */
export function summaryOf(body: unknown): Array<[string, string]> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  return Object.entries(body as Row)
    .filter(([key, value]) => key !== 'nextCursor' && !isRecordList(value) && value !== null)
    .map(([key, value]) => [key, typeof value === 'object' ? Object.entries(value as Row).map(([k, v]) => `${k} ${cellText(v)}`).join(' · ') : cellText(value)]);
}
