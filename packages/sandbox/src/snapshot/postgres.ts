// PostgreSQL schema snapshot from the system catalogs (every user schema; the tools' own history
// tables and everything hanging off them are left out).
import pg from 'pg';
import { type SchemaSnapshot, emptySnapshot, sortKeys } from './types.js';

// metamig_observe holds metamig's own observation hook (see observe.ts), never part of the app schema.
const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'metamig_observe') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;

const CONTYPE: Record<string, SchemaSnapshot['constraints'][string]['type']> = {
  c: 'check', f: 'foreign key', p: 'primary key', u: 'unique', x: 'exclusion', t: 'trigger',
};

/** `public.users` → `users`; other schemas stay qualified. */
const qualify = (schema: string, name: string) => (schema === 'public' ? name : `${schema}.${name}`);
const stripPublic = (s: string) => s.replace(/\bpublic\./g, '');

export interface SnapshotOptions {
  /** Table names (unqualified or schema-qualified) to leave out, e.g. the tool's history table. */
  exclude?: string[];
}

export async function snapshotPostgres(url: string, opts: SnapshotOptions = {}): Promise<SchemaSnapshot> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await snapshotWith(client, opts);
  } finally {
    await client.end();
  }
}

export async function snapshotWith(client: pg.ClientBase, opts: SnapshotOptions = {}): Promise<SchemaSnapshot> {
  const excluded = new Set(opts.exclude ?? []);
  const skip = (schema: string, table: string) => excluded.has(table) || excluded.has(`${schema}.${table}`);
  const q = async <T extends pg.QueryResultRow>(sql: string) => (await client.query<T>(sql)).rows;
  const snap = emptySnapshot('postgres');

  const cols = await q<{ schema: string; tbl: string; col: string; type: string; nullable: boolean; def: string | null; identity: string; generated: string }>(`
    SELECT n.nspname AS schema, c.relname AS tbl, a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type,
           NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS def, a.attidentity AS identity, a.attgenerated AS generated
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    WHERE c.relkind IN ('r', 'p') AND ${USER_SCHEMAS}`);
  for (const r of cols) {
    if (skip(r.schema, r.tbl)) continue;
    const t = (snap.tables[qualify(r.schema, r.tbl)] ??= { columns: {} });
    const generated = r.generated === 's' ? stripPublic(r.def ?? '') : null;
    t.columns[r.col] = {
      type: r.type,
      nullable: r.nullable,
      default: generated ? null : r.def === null ? null : stripPublic(r.def),
      identity: r.identity === 'a' ? 'always' : r.identity === 'd' ? 'by default' : null,
      generated,
    };
  }

  const idx = await q<{ schema: string; name: string; tbl: string; tschema: string; def: string; unique: boolean; primary: boolean; valid: boolean }>(`
    SELECT n.nspname AS schema, ic.relname AS name, tc.relname AS tbl, tn.nspname AS tschema, pg_get_indexdef(i.indexrelid) AS def,
           i.indisunique AS unique, i.indisprimary AS primary, i.indisvalid AS valid
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
    JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
    WHERE ${USER_SCHEMAS}`);
  for (const r of idx) {
    if (skip(r.tschema, r.tbl)) continue;
    snap.indexes[qualify(r.schema, r.name)] = {
      table: qualify(r.tschema, r.tbl),
      definition: stripPublic(r.def.replace(/^CREATE (UNIQUE )?INDEX \S+ /, '')),
      unique: r.unique,
      primary: r.primary,
      valid: r.valid,
    };
  }

  const cons = await q<{ schema: string; name: string; tbl: string; contype: string; def: string; validated: boolean }>(`
    SELECT n.nspname AS schema, con.conname AS name, rel.relname AS tbl, con.contype, pg_get_constraintdef(con.oid) AS def, con.convalidated AS validated
    FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid JOIN pg_namespace n ON n.oid = con.connamespace
    WHERE con.contype <> 'n' AND ${USER_SCHEMAS}`); // 'n' (PG 18 NOT NULL constraints) is column nullability, already captured
  for (const r of cons) {
    if (skip(r.schema, r.tbl)) continue;
    snap.constraints[`${qualify(r.schema, r.tbl)}.${r.name}`] = {
      table: qualify(r.schema, r.tbl),
      type: CONTYPE[r.contype] ?? 'other',
      definition: stripPublic(r.def).replace(/ NOT VALID$/, ''), // validity is its own attribute
      validated: r.validated,
    };
  }

  const seqs = await q<{ schema: string; name: string; type: string; inc: string; min: string; max: string; cycle: boolean; owner: string | null; oschema: string | null }>(`
    SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqincrement::text AS inc,
           s.seqmin::text AS min, s.seqmax::text AS max, s.seqcycle AS cycle, t.relname AS owner, tn.nspname AS oschema
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    LEFT JOIN pg_class t ON t.oid = d.refobjid LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
    WHERE ${USER_SCHEMAS}`);
  for (const r of seqs) {
    if (r.owner && skip(r.oschema ?? 'public', r.owner)) continue;
    snap.sequences[qualify(r.schema, r.name)] = { type: r.type, increment: r.inc, min: r.min, max: r.max, cycle: r.cycle };
  }

  const enums = await q<{ schema: string; name: string; labels: string[] }>(`
    SELECT n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE ${USER_SCHEMAS} GROUP BY 1, 2`);
  for (const r of enums) snap.enums[qualify(r.schema, r.name)] = r.labels;

  const views = await q<{ schema: string; name: string; kind: string; def: string }>(`
    SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind, pg_get_viewdef(c.oid, true) AS def
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm') AND ${USER_SCHEMAS}`);
  for (const r of views) snap.views[qualify(r.schema, r.name)] = { materialized: r.kind === 'm', definition: stripPublic(r.def.trim()) };

  const triggers = await q<{ schema: string; tbl: string; name: string; def: string }>(`
    SELECT n.nspname AS schema, c.relname AS tbl, t.tgname AS name, pg_get_triggerdef(t.oid) AS def
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND ${USER_SCHEMAS}`);
  for (const r of triggers) {
    if (skip(r.schema, r.tbl)) continue;
    snap.triggers[`${qualify(r.schema, r.tbl)}.${r.name}`] = { table: qualify(r.schema, r.tbl), definition: stripPublic(r.def) };
  }

  const fns = await q<{ schema: string; sig: string; def: string }>(`
    SELECT n.nspname AS schema, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS sig, pg_get_functiondef(p.oid) AS def
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p') AND ${USER_SCHEMAS}
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`);
  for (const r of fns) snap.functions[qualify(r.schema, r.sig)] = { definition: stripPublic(r.def.trim()) };

  const exts = await q<{ name: string; version: string }>(`SELECT extname AS name, extversion AS version FROM pg_extension WHERE extname <> 'plpgsql'`);
  for (const r of exts) snap.extensions[r.name] = { version: r.version };

  return normalize(snap);
}

function normalize(s: SchemaSnapshot): SchemaSnapshot {
  const tables: SchemaSnapshot['tables'] = {};
  for (const [name, t] of Object.entries(sortKeys(s.tables))) tables[name] = { columns: sortKeys(t.columns) };
  return {
    ...s,
    tables,
    indexes: sortKeys(s.indexes),
    constraints: sortKeys(s.constraints),
    sequences: sortKeys(s.sequences),
    enums: sortKeys(s.enums),
    views: sortKeys(s.views),
    triggers: sortKeys(s.triggers),
    functions: sortKeys(s.functions),
    extensions: sortKeys(s.extensions),
  };
}

export { normalize as normalizeSnapshot };
