// Seeding the sandbox: a few hundred rows in every existing table, so that validations (SET NOT
// NULL, CHECK, FK) and rewrites really happen when a migration runs. Best effort and honest: a table
// that cannot be seeded is reported with the reason, never silently skipped.
import pg from 'pg';
import type { SeedResult } from '@metamig/core';
import type { ColumnSnapshot, SchemaSnapshot } from './snapshot/types.js';

export type { SeedResult };

const FK = /^FOREIGN KEY \(([^)]+)\) REFERENCES ([^(]+)\(([^)]+)\)/;
const ident = (name: string) => name.split('.').map((p) => `"${p.replace(/"/g, '""')}"`).join('.');

/** A SQL expression for row number `g`, or undefined to leave the column to its default. */
export function valueFor(col: ColumnSnapshot, enums: Record<string, string[]>): string | null | undefined {
  if (col.identity || col.generated || col.default !== null) return undefined;
  const t = col.type;
  const len = /\((\d+)\)/.exec(t)?.[1];
  if (t.endsWith('[]')) return `'{}'`;
  if (/^(smallint)/.test(t)) return `(g % 32000)::smallint`;
  if (/^(integer|bigint|numeric|real|double precision|decimal)/.test(t)) return `g`;
  if (/^(character varying|character|text|citext|varchar|char)/.test(t)) return len ? `left('v' || g, ${len})` : `'v' || g`;
  if (t === 'boolean') return `(g % 2 = 0)`;
  if (t === 'date') return 'current_date';
  if (t.startsWith('timestamp')) return 'now()';
  if (t.startsWith('time')) return 'current_time';
  if (t === 'interval') return `interval '1 day'`;
  if (t === 'uuid') return 'md5(g::text)::uuid';
  if (t === 'json' || t === 'jsonb') return `'{}'::${t}`;
  if (t === 'bytea') return `'\\x00'::bytea`;
  if (t === 'inet' || t === 'cidr') return `'127.0.0.1'::${t}`;
  const labels = enums[t] ?? enums[t.replace(/^public\./, '')];
  if (labels?.[0] !== undefined) return `'${labels[0].replace(/'/g, "''")}'::${t}`;
  return col.nullable ? null : undefined;
}

/** Parent tables first, so foreign keys can point at seeded rows. */
function seedOrder(snap: SchemaSnapshot): string[] {
  const deps = new Map<string, Set<string>>();
  for (const t of Object.keys(snap.tables)) deps.set(t, new Set());
  for (const c of Object.values(snap.constraints)) {
    const m = c.type === 'foreign key' ? FK.exec(c.definition) : null;
    if (m && m[2]!.trim() !== c.table) deps.get(c.table)?.add(m[2]!.trim());
  }
  const out: string[] = [];
  const visit = (t: string, path: Set<string>) => {
    if (out.includes(t) || path.has(t)) return;
    path.add(t);
    for (const d of deps.get(t) ?? []) visit(d, path);
    out.push(t);
  };
  for (const t of [...deps.keys()].sort()) visit(t, new Set());
  return out;
}

export async function seedTables(url: string, snap: SchemaSnapshot, rows = 500, only?: (table: string) => boolean): Promise<SeedResult[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  const results: SeedResult[] = [];
  try {
    for (const table of seedOrder(snap)) {
      if (only && !only(table)) continue;
      const existing = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${ident(table)}`)).rows[0]?.n ?? 0);
      if (existing > 0) continue;
      const fks = new Map<string, { table: string; column: string }>();
      for (const c of Object.values(snap.constraints)) {
        const m = c.table === table && c.type === 'foreign key' ? FK.exec(c.definition) : null;
        if (m && !m[1]!.includes(',')) fks.set(m[1]!.trim(), { table: m[2]!.trim(), column: m[3]!.trim() });
      }
      const cols: string[] = [];
      const exprs: string[] = [];
      let skipped: string | undefined;
      for (const [name, col] of Object.entries(snap.tables[table]!.columns)) {
        const fk = fks.get(name);
        let expr: string | null | undefined;
        if (fk) {
          expr = `(SELECT ${ident(fk.column)} FROM ${ident(fk.table)} ORDER BY 1 OFFSET ((g - 1) % greatest((SELECT count(*) FROM ${ident(fk.table)}), 1)) LIMIT 1)`;
        } else {
          expr = valueFor(col, snap.enums);
        }
        if (expr === undefined) {
          if (col.identity || col.generated || col.default !== null) continue;
          skipped = `no value for column ${name} of type ${col.type}`;
          break;
        }
        cols.push(ident(name));
        exprs.push(expr === null ? 'NULL' : expr);
      }
      if (skipped) {
        results.push({ table, rows: 0, skipped });
        continue;
      }
      try {
        const sql = cols.length
          ? `INSERT INTO ${ident(table)} (${cols.join(', ')}) SELECT ${exprs.join(', ')} FROM generate_series(1, ${rows}) AS g`
          : `INSERT INTO ${ident(table)} SELECT FROM generate_series(1, ${rows})`;
        await client.query(sql);
        await client.query(`ANALYZE ${ident(table)}`);
        results.push({ table, rows });
      } catch (e) {
        results.push({ table, rows: 0, skipped: e instanceof Error ? e.message : String(e) });
      }
    }
  } finally {
    await client.end();
  }
  return results;
}
