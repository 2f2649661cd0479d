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
}

/** Every key path of the schema, containers and leaves. */
export function schemaKeys(schema: JsonSchema, prefix = ''): SchemaKey[] {
  const keys: SchemaKey[] = [];
  const visit = (node: JsonSchema, path: string) => {
    const items = asSchema(node.items);
    if (items && objectBranches(items).length > 0) {
      keys.push({ path: `${path}[]`, container: true });
      for (const branch of objectBranches(items)) visitProperties(branch, `${path}[]`);
      return;
    }
    const branches = objectBranches(node);
    if (branches.length > 0) {
      keys.push({ path, container: true });
      for (const branch of branches) visitProperties(branch, path);
      return;
    }
    keys.push({ path, container: false });
  };
  const visitProperties = (node: JsonSchema, path: string) => {
    for (const [name, child] of Object.entries(asSchema(node.properties) ?? {})) visit(asSchema(child) ?? {}, path ? `${path}.${name}` : name);
  };
  visitProperties(schema, prefix);
  const seen = new Set<string>();
  return keys.filter((k) => !seen.has(k.path) && seen.add(k.path));
}

const SECTION = /^## Config reference\s*$/m;

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
    const [keyCell = '', typeCell = ''] = cells(line);
    if (keyCell === 'key') continue;
    const keys = expandKeyCell(keyCell).map((k) => (k.startsWith('paddock:') ? k : `${prefix}${k}`));
    rows.push({ keys, typeMembers: typeMembers(typeCell), text: line });
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
