// SQLite schema snapshot from sqlite_master and the table pragmas (read-only).
import Database from 'better-sqlite3';
import { normalizeSnapshot, type SnapshotOptions } from './postgres.js';
import { type SchemaSnapshot, emptySnapshot } from './types.js';

const squash = (sql: string) => sql.replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1').trim();

/** The CHECK (...) clauses of a CREATE TABLE statement (balanced parentheses, strings skipped). */
export function checkClauses(sql: string): string[] {
  const out: string[] = [];
  const re = /\bCHECK\s*\(/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(sql))) {
    let depth = 1;
    let i = m.index + m[0].length;
    let quote: string | null = null;
    for (; i < sql.length && depth > 0; i++) {
      const ch = sql[i]!;
      if (quote) {
        if (ch === quote) quote = null;
      } else if (ch === "'" || ch === '"') quote = ch;
      else if (ch === '(') depth++;
      else if (ch === ')') depth--;
    }
    out.push(squash(sql.slice(m.index, i)));
  }
  return out;
}

export function snapshotSqlite(file: string, opts: SnapshotOptions = {}): SchemaSnapshot {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const excluded = new Set(opts.exclude ?? []);
    const snap = emptySnapshot('sqlite');
    const objects = db
      .prepare(`SELECT type, name, tbl_name AS tbl, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all() as { type: string; name: string; tbl: string; sql: string | null }[];
    for (const o of objects) {
      if (excluded.has(o.tbl)) continue;
      if (o.type === 'table') {
        const cols = db.prepare(`PRAGMA table_xinfo(${JSON.stringify(o.name)})`).all() as {
          name: string; type: string; notnull: number; dflt_value: string | null; pk: number; hidden: number;
        }[];
        const table = (snap.tables[o.name] = { columns: {} as SchemaSnapshot['tables'][string]['columns'] });
        for (const c of cols) {
          table.columns[c.name] = {
            type: c.type.toLowerCase(),
            nullable: c.notnull === 0 && c.pk === 0,
            default: c.dflt_value,
            identity: c.pk > 0 ? `primary key #${c.pk}` : null,
            generated: c.hidden === 2 || c.hidden === 3 ? 'generated' : null,
          };
        }
        for (const check of checkClauses(o.sql ?? '')) {
          snap.constraints[`${o.name}.${check}`] = { table: o.name, type: 'check', definition: check, validated: true };
        }
        const fks = db.prepare(`PRAGMA foreign_key_list(${JSON.stringify(o.name)})`).all() as { id: number; table: string; from: string; to: string | null; on_update: string; on_delete: string }[];
        const byId = new Map<number, typeof fks>();
        for (const fk of fks) byId.set(fk.id, [...(byId.get(fk.id) ?? []), fk]);
        for (const parts of byId.values()) {
          const def = `FOREIGN KEY (${parts.map((p) => p.from).join(', ')}) REFERENCES ${parts[0]!.table}(${parts.map((p) => p.to ?? '').join(', ')}) ON UPDATE ${parts[0]!.on_update} ON DELETE ${parts[0]!.on_delete}`;
          snap.constraints[`${o.name}.${def}`] = { table: o.name, type: 'foreign key', definition: def, validated: true };
        }
        // Implicit indexes (UNIQUE / PRIMARY KEY constraints) have positional names: key them by content.
        const list = db.prepare(`PRAGMA index_list(${JSON.stringify(o.name)})`).all() as { name: string; unique: number; origin: string }[];
        for (const ix of list.filter((i) => i.origin !== 'c')) {
          const cols2 = (db.prepare(`PRAGMA index_info(${JSON.stringify(ix.name)})`).all() as { name: string }[]).map((c) => c.name);
          const kind = ix.origin === 'pk' ? 'primary key' : 'unique';
          snap.constraints[`${o.name}.${kind}(${cols2.join(', ')})`] = { table: o.name, type: kind, definition: `${kind.toUpperCase()} (${cols2.join(', ')})`, validated: true };
        }
      } else if (o.type === 'index' && o.sql) {
        snap.indexes[o.name] = {
          table: o.tbl,
          definition: squash(o.sql.replace(/^CREATE\s+(UNIQUE\s+)?INDEX\s+(IF\s+NOT\s+EXISTS\s+)?("[^"]+"|`[^`]+`|\S+)\s+/i, '')),
          unique: /^CREATE\s+UNIQUE/i.test(o.sql),
          primary: false,
          valid: true,
        };
      } else if (o.type === 'view') {
        snap.views[o.name] = { materialized: false, definition: squash(o.sql ?? '') };
      } else if (o.type === 'trigger') {
        snap.triggers[`${o.tbl}.${o.name}`] = { table: o.tbl, definition: squash(o.sql ?? '') };
      }
    }
    return normalizeSnapshot(snap);
  } finally {
    db.close();
  }
}
