// Small, total helpers over libpg_query parse trees (the protobuf JSON form: every node is a
// one-key object `{ NodeType: {...} }`, and false/0/empty fields are omitted).
import type { Node } from 'libpg-query';
import type { NodeOf, NodeType, TableRef } from './types.js';

/** The node's type name (`ColumnDef`, `A_Const` …). */
export function typeOf(node: unknown): NodeType | undefined {
  if (!node || typeof node !== 'object') return undefined;
  for (const k in node as object) return k as NodeType;
  return undefined;
}

/** The node's payload when it is of type `k`. */
export function as<K extends NodeType>(node: unknown, k: K): NodeOf<K> | undefined {
  if (!node || typeof node !== 'object') return undefined;
  return (node as Record<string, unknown>)[k] as NodeOf<K> | undefined;
}

/** The `sval`s of a list of `String` nodes (names, qualified names). */
export function strings(list: readonly Node[] | undefined): string[] {
  const out: string[] = [];
  for (const n of list ?? []) {
    const s = as(n, 'String');
    if (s) out.push(s.sval ?? '');
  }
  return out;
}

export function tableRef(rv: NodeOf<'RangeVar'> | undefined): TableRef | undefined {
  if (!rv?.relname) return undefined;
  return makeRef(rv.schemaname, rv.relname);
}

export function makeRef(schema: string | undefined, name: string): TableRef {
  return schema ? { schema, name, key: `${schema}.${name}` } : { name, key: name };
}

/** `a.b.c` → ref of the last two parts (DROP TABLE / DROP INDEX object names). */
export function refFromNames(names: string[]): TableRef | undefined {
  if (names.length === 0) return undefined;
  const name = names[names.length - 1]!;
  return makeRef(names.length > 1 ? names[names.length - 2] : undefined, name);
}

/** Display form of a relation, quoting only when needed. */
export function show(ref: TableRef | undefined): string {
  if (!ref) return '?';
  const q = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);
  return ref.schema ? `${q(ref.schema)}.${q(ref.name)}` : q(ref.name);
}

export function ident(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}

/** Integer value of an `A_Const` (0 is encoded as an empty `ival`). */
export function constInt(node: unknown): number | undefined {
  const c = as(node, 'A_Const');
  if (!c) return undefined;
  if (c.ival) return c.ival.ival ?? 0;
  return undefined;
}

/** String or number value of an `A_Const` (for `SET x = …`). */
export function constValue(node: unknown): string | number | boolean | undefined {
  const c = as(node, 'A_Const');
  if (!c) return undefined;
  if (c.ival) return c.ival.ival ?? 0;
  if (c.sval) return c.sval.sval ?? '';
  if (c.fval) return Number(c.fval.fval ?? 0);
  if (c.boolval) return c.boolval.boolval ?? false;
  return undefined;
}

/** The column name of a plain `ColumnRef` (`a`, or `t.a` → `a`). */
export function columnName(node: unknown): string | undefined {
  const r = as(node, 'ColumnRef');
  if (!r) return undefined;
  const parts = strings(r.fields);
  return parts.length && parts.length === (r.fields?.length ?? 0) ? parts[parts.length - 1] : undefined;
}

/** The column a CHECK constraint proves non-null: `col IS NOT NULL`, or null for anything else. */
export function notNullCheckColumn(expr: unknown): string | undefined {
  const t = as(expr, 'NullTest');
  if (!t || t.nulltesttype !== 'IS_NOT_NULL') return undefined;
  return columnName(t.arg);
}

// ---- column types -------------------------------------------------------------------------------

export interface ColumnType {
  /** Normalized base type name: int4, int8, varchar, text, numeric, timestamptz, bpchar … */
  name: string;
  schema?: string;
  /** Integer type modifiers (varchar length, numeric precision/scale, time precision …). */
  mods: number[];
  array: boolean;
}

const ALIASES: Record<string, string> = {
  int: 'int4',
  integer: 'int4',
  smallint: 'int2',
  bigint: 'int8',
  serial4: 'serial',
  serial8: 'bigserial',
  serial2: 'smallserial',
  float: 'float8',
  real: 'float4',
  decimal: 'numeric',
  boolean: 'bool',
  'character varying': 'varchar',
  character: 'bpchar',
  'bit varying': 'varbit',
};

export function columnType(t: NodeOf<'TypeName'> | undefined): ColumnType | undefined {
  if (!t) return undefined;
  const names = strings(t.names).map((s) => s.toLowerCase());
  if (names.length === 0) return undefined;
  let schema: string | undefined;
  let name = names[names.length - 1]!;
  if (names.length > 1) schema = names[names.length - 2];
  if (schema === 'pg_catalog') schema = undefined;
  name = ALIASES[name] ?? name;
  const mods: number[] = [];
  for (const m of t.typmods ?? []) {
    const v = constInt(m);
    if (v !== undefined) mods.push(v);
  }
  const out: ColumnType = { name, mods, array: (t.arrayBounds?.length ?? 0) > 0 };
  if (schema) out.schema = schema;
  return out;
}

const INTERVAL_FULL_RANGE = 32767;

/** `varchar(20)`, `numeric(12,2)`, `timestamptz(3)`, `int4[]` … */
export function showType(t: ColumnType): string {
  let mods = t.mods;
  if (t.name === 'interval') mods = t.mods.length === 2 ? [t.mods[1]!] : [];
  const base = `${t.schema ? `${t.schema}.` : ''}${t.name}${mods.length ? `(${mods.join(',')})` : ''}`;
  return t.array ? `${base}[]` : base;
}

export function sameType(a: ColumnType, b: ColumnType): boolean {
  return a.name === b.name && (a.schema ?? '') === (b.schema ?? '') && a.array === b.array && a.mods.join(',') === b.mods.join(',');
}

export type TypeChange =
  /** Catalog-only: no rewrite, no index rebuild. */
  | 'no-rewrite'
  /** No table rewrite, but indexes on the column are rebuilt (text ↔ citext). */
  | 'index-rebuild'
  /** timestamp ↔ timestamptz: no rewrite only when the session TimeZone is UTC (PG 12+). */
  | 'timezone-dependent'
  | 'rewrite';

const TIME_TYPES = new Set(['timestamp', 'timestamptz', 'time', 'timetz']);

/**
 * What ALTER COLUMN … TYPE does to the table for a change from `old` to `next` without a USING
 * expression, per PostgreSQL's binary-coercibility rules and typmod support functions
 * (varchar_support, numeric_support, timestamp_support, time_support, interval_support,
 * varbit_support). Each case was checked against PostgreSQL 18 by comparing relfilenodes.
 */
export function typeChangeEffect(old: ColumnType, next: ColumnType): TypeChange {
  if (sameType(old, next)) return 'no-rewrite';
  // Arrays: the element typmod is enforced per element; any change rewrites.
  if (old.array || next.array) return 'rewrite';
  const o = old.name;
  const n = next.name;
  const noMods = next.mods.length === 0;
  const textLike = (x: string) => x === 'varchar' || x === 'text';
  if (n === 'varchar') {
    if (o === 'varchar') return noMods || (old.mods.length > 0 && next.mods[0]! >= old.mods[0]!) ? 'no-rewrite' : 'rewrite';
    if (o === 'text') return noMods ? 'no-rewrite' : 'rewrite';
    if (o === 'citext') return noMods ? 'index-rebuild' : 'rewrite';
    return 'rewrite';
  }
  if (n === 'text') {
    if (textLike(o)) return 'no-rewrite';
    if (o === 'citext') return 'index-rebuild';
    return 'rewrite';
  }
  if (n === 'citext') return textLike(o) ? 'index-rebuild' : 'rewrite';
  if (n === 'numeric' && o === 'numeric') {
    if (noMods) return 'no-rewrite';
    if (old.mods.length === 0) return 'rewrite';
    const [op, os = 0] = old.mods;
    const [np, ns = 0] = next.mods;
    return np! >= op! && ns === os ? 'no-rewrite' : 'rewrite';
  }
  if (TIME_TYPES.has(n) && TIME_TYPES.has(o)) {
    const precision = (t: ColumnType) => (t.mods.length ? t.mods[0]! : 6);
    const wider = precision(next) >= precision(old);
    if (o === n) return wider ? 'no-rewrite' : 'rewrite';
    if ((o === 'timestamp' && n === 'timestamptz') || (o === 'timestamptz' && n === 'timestamp')) return wider ? 'timezone-dependent' : 'rewrite';
    return 'rewrite';
  }
  if (n === 'interval' && o === 'interval') {
    const fields = (t: ColumnType) => (t.mods.length ? t.mods[0]! : INTERVAL_FULL_RANGE);
    const precision = (t: ColumnType) => (t.mods.length === 2 ? t.mods[1]! : 6);
    return precision(next) >= precision(old) && (fields(next) === INTERVAL_FULL_RANGE || fields(next) === fields(old)) ? 'no-rewrite' : 'rewrite';
  }
  if (n === 'varbit' && o === 'varbit') return noMods || (old.mods.length > 0 && next.mods[0]! >= old.mods[0]!) ? 'no-rewrite' : 'rewrite';
  if (n === 'inet' && o === 'cidr') return 'no-rewrite';
  return 'rewrite';
}

/** Target types for which some old type changes without a rewrite (used when the old type is unknown). */
export function mayBeRewriteFree(next: ColumnType): boolean {
  if (next.array) return false;
  return ['varchar', 'text', 'citext', 'numeric', 'timestamp', 'timestamptz', 'time', 'timetz', 'interval', 'varbit', 'inet'].includes(next.name);
}

// ---- misc -------------------------------------------------------------------------------------------

/** Column names of a constraint's key list (`keys`, `fk_attrs`). */
export function keyNames(list: readonly Node[] | undefined): string[] {
  return strings(list);
}

/** Column names an index covers, leading first (expressions give `undefined`). */
export function indexColumns(params: readonly Node[] | undefined): (string | undefined)[] {
  return (params ?? []).map((p) => as(p, 'IndexElem')?.name);
}

/** Lower-cased function name (last part) and its schema. */
export function funcName(names: readonly Node[] | undefined): { name: string; schema?: string } {
  const parts = strings(names).map((s) => s.toLowerCase());
  const name = parts[parts.length - 1] ?? '';
  return parts.length > 1 ? { name, schema: parts[parts.length - 2]! } : { name };
}
