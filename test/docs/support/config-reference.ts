/**
 * The README's config reference against the stack-file schema.
 *
 * Key paths come from the JSON Schema generated from config/schema.ts: `paddock:envFile`,
 * `paddock:platform.runtime.image`, `paddock:teams[].egress[].cidr`. An object with declared
 * properties is descended into (every branch of a union); anything else — scalars, arrays of
 * scalars, maps such as `env` — is a leaf, and every leaf must be documented.
 *
 * The reference is the tables under "## Config reference". A `### \`paddock:x\`` heading sets
 * the prefix of its table's keys (`paddock:teams[]` → `paddock:teams[].`); a key starting with
 * `paddock:` is absolute. In the key column, `a.b`, `.c` means `a.b`, `a.c`, and
 * `a.b/c/d` means `a.b`, `a.c`, `a.d`. A row documents its own key, and the keys below it whose
 * every remaining segment is named in the row's type column (`egress[]` with type
 * `{cidr, ports[], protocol?, description?}` documents `egress[].cidr`).
 */

export interface ReferenceRow {
  /** absolute key paths named in the key column */
  readonly keys: readonly string[];
  /** identifiers named inside `{...}` in the type column */
  readonly typeMembers: ReadonlySet<string>;
  /** the default column, split at the commas outside backticks */
  readonly defaults: readonly string[];
  /** the row as written, for messages */
  readonly text: string;
}

type JsonSchema = { readonly [key: string]: unknown };

function asSchema(value: unknown): JsonSchema | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonSchema) : undefined;
}

/** The object schemas a schema may be: itself, or the branches of anyOf/oneOf/allOf. */
function objectBranches(schema: JsonSchema): JsonSchema[] {
  const branches = ['anyOf', 'oneOf', 'allOf'].flatMap((k) => (Array.isArray(schema[k]) ? (schema[k] as unknown[]) : [])).flatMap((b) => (asSchema(b) ? objectBranches(asSchema(b)!) : []));
  return asSchema(schema.properties) ? [schema, ...branches] : branches;
}

export interface SchemaKey {
  readonly path: string;
  /** true for an object with properties or an array of them: documented through its children */
  readonly container: boolean;
  /** the schema's `default`, when it declares one */
  readonly default?: unknown;
}

/** Every key path of the schema, containers and leaves. */
export function schemaKeys(schema: JsonSchema, prefix = ''): SchemaKey[] {
  const keys: SchemaKey[] = [];
  const visit = (node: JsonSchema, path: string) => {
    const withDefault = 'default' in node ? { default: node.default } : {};
    const items = asSchema(node.items);
    if (items && objectBranches(items).length > 0) {
      keys.push({ path: `${path}[]`, container: true, ...withDefault });
      for (const branch of objectBranches(items)) visitProperties(branch, `${path}[]`);
      return;
    }
    const branches = objectBranches(node);
    if (branches.length > 0) {
      keys.push({ path, container: true, ...withDefault });
      for (const branch of branches) visitProperties(branch, path);
      return;
    }
    keys.push({ path, container: false, ...withDefault });
  };
  const visitProperties = (node: JsonSchema, path: string) => {
    for (const [name, child] of Object.entries(asSchema(node.properties) ?? {})) visit(asSchema(child) ?? {}, path ? `${path}.${name}` : name);
  };
  visitProperties(schema, prefix);
  const seen = new Set<string>();
  return keys.filter((k) => !seen.has(k.path) && seen.add(k.path));
}

const SECTION = /^## Config reference\s*$/m;

/** Splits at `separator` outside backticks. */
function splitOutsideCode(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inCode = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '`') inCode = !inCode;
    if (!inCode && text.startsWith(separator, i)) {
      parts.push(current.trim());
      current = '';
      i += separator.length - 1;
      continue;
    }
    current += ch;
  }
  parts.push(current.trim());
  return parts;
}

function cells(line: string): string[] {
  // split on | that is not escaped and not inside backticks
  const out: string[] = [];
  let current = '';
  let inCode = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '`') inCode = !inCode;
    if (ch === '\\' && line[i + 1] === '|') {
      current += '|';
      i++;
      continue;
    }
    if (ch === '|' && !inCode) {
      out.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  out.push(current.trim());
  return out.slice(1, -1);
}

/** `a.b`, `.c`, `x.y/z` in a key cell → ["a.b", "a.c", "x.y", "x.z"] (relative to the table). */
export function expandKeyCell(cell: string): string[] {
  const items = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.trim());
  const keys: string[] = [];
  let parent = '';
  for (const item of items) {
    const full = item.startsWith('.') ? `${parent}${item.slice(1)}` : item;
    const lastDot = full.lastIndexOf('.');
    const head = lastDot >= 0 ? full.slice(0, lastDot + 1) : '';
    const tail = lastDot >= 0 ? full.slice(lastDot + 1) : full;
    for (const alternative of tail.split('/')) keys.push(`${head}${alternative}`);
    if (!item.startsWith('.')) parent = head;
  }
  return keys;
}

function typeMembers(cell: string): Set<string> {
  const members = new Set<string>();
  for (const braces of cell.matchAll(/\{([^}]*)\}/g)) for (const id of braces[1]!.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) members.add(id[0]);
  return members;
}

/** The rows of the config reference's tables, with absolute keys. */
export function referenceRows(markdown: string): ReferenceRow[] {
  const start = markdown.search(SECTION);
  if (start < 0) throw new Error('README.md has no "## Config reference" section');
  const rest = markdown.slice(start).split('\n').slice(1);
  const end = rest.findIndex((l) => /^## /.test(l));
  const lines = end < 0 ? rest : rest.slice(0, end);
  const rows: ReferenceRow[] = [];
  let prefix = '';
  for (const line of lines) {
    const heading = /^###\s+`(paddock:[^`]+)`/.exec(line);
    if (heading) {
      prefix = `${heading[1]}.`;
      continue;
    }
    if (/^###\s/.test(line)) prefix = '';
    if (!line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    const [keyCell = '', typeCell = '', defaultCell = ''] = cells(line);
    if (keyCell === 'key') continue;
    const keys = expandKeyCell(keyCell).map((k) => (k.includes(':') ? k : `${prefix}${k}`));
    rows.push({ keys, typeMembers: typeMembers(typeCell), defaults: splitOutsideCode(defaultCell, ', '), text: line });
  }
  return rows;
}

function segments(path: string): string[] {
  return path.split('.').map((s) => s.replace(/\[\]$/, ''));
}

/** The row that documents `path`, if any. */
export function documentingRow(path: string, rows: readonly ReferenceRow[]): ReferenceRow | undefined {
  return rows.find((row) =>
    row.keys.some((key) => {
      if (key === path) return true;
      if (!path.startsWith(`${key}.`) && !path.startsWith(`${key}[].`)) return false;
      const rest = path.slice(key.length).replace(/^(\[\])?\./, '');
      return segments(rest).every((s) => row.typeMembers.has(s));
    }),
  );
}

/**
 * A documented default, when it is a value rather than prose: a backticked value, a number,
 * `true`/`false`, `[]`/`{}` or a single word such as `db.t4g.medium`, a trailing
 * parenthetical dropped; `required` stands for "no default". A `…` in a value abbreviates it.
 */
export type DocumentedDefault = { readonly required: true } | { readonly value: string };

export function documentedDefault(cell: string): DocumentedDefault | undefined {
  const text = cell.replace(/\s*\([^)]*\)$/, '').trim();
  if (text === 'required') return { required: true };
  const code = /^`([^`]+)`$/.exec(text);
  if (code) return { value: code[1]! };
  if (/^[\w./:@\[\]{}-]+$/.test(text)) return { value: text };
  return undefined;
}

/** The text a schema default is written as: arrays of one scalar by that scalar, structures as JSON. */
function defaultText(value: unknown): string[] {
  if (Array.isArray(value) && value.length === 1 && typeof value[0] !== 'object') return [JSON.stringify(value), String(value[0])];
  return typeof value === 'object' && value !== null ? [JSON.stringify(value)] : [String(value)];
}

/**
 * The key each documented default belongs to: the row's keys in order when there are as many
 * defaults, or, for a single object key, the members its type column lists in order.
 */
export function defaultsByKey(row: ReferenceRow): [string, string][] {
  if (row.defaults.length === row.keys.length) return row.keys.map((key, i) => [key, row.defaults[i]!]);
  const members = [...row.typeMembers];
  if (row.keys.length === 1 && members.length === row.defaults.length) return members.map((member, i) => [`${row.keys[0]}.${member}`, row.defaults[i]!]);
  return [];
}

/** A problem with a documented default against the schema's, or undefined when they agree (or cannot be compared). */
export function defaultProblem(key: string, cell: string, schemaKey: SchemaKey | undefined): string | undefined {
  const documented = documentedDefault(cell);
  if (!documented || !schemaKey) return undefined;
  if ('required' in documented) return 'default' in schemaKey ? `${key}: documented as required, the schema defaults it to ${JSON.stringify(schemaKey.default)}` : undefined;
  if (!('default' in schemaKey)) return undefined; // a default applied in code (per environment, .env): prose territory
  const [head, tail] = documented.value.split('…');
  const candidates = defaultText(schemaKey.default);
  const agrees = tail === undefined ? candidates.includes(documented.value) : candidates.some((c) => c.startsWith(head!) && c.endsWith(tail));
  return agrees ? undefined : `${key}: documented default ${cell}, the schema's is ${JSON.stringify(schemaKey.default)}`;
}
