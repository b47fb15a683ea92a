// The one implementation of core's HistoryReader: read-only queries on PostgreSQL (pg) and SQLite
// (better-sqlite3), one connection per database URL for the whole command. Each driver is loaded on
// first use (pg alone costs ~60 ms to import): `status --fast` on a SQLite-only repo never loads pg.
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { type HistoryReader, MigratorError, formatPostgresUrl, parseDatabaseUrl, redact } from '@metamig/core';

export interface ClosableHistoryReader extends HistoryReader {
  close(): Promise<void>;
}

export function createHistoryReader(): ClosableHistoryReader {
  const pgClients = new Map<string, Promise<pg.Client>>();
  const sqlite = new Map<string, Database.Database | null>();

  const pgClient = (url: string) => {
    let c = pgClients.get(url);
    if (!c) {
      const parsed = parseDatabaseUrl(url);
      if (parsed.engine !== 'postgres') throw new Error('unreachable');
      c = (async () => {
        const { default: driver } = await import('pg');
        const client = new driver.Client({ connectionString: formatPostgresUrl(parsed), statement_timeout: 10_000 });
        client.on('error', () => {});
        await client.connect();
        await client.query('SET default_transaction_read_only = on');
        return client;
      })();
      pgClients.set(url, c);
    }
    return c;
  };
  let sqliteDriver: typeof Database | undefined;
  const sqliteDb = async (file: string) => {
    sqliteDriver ??= (await import('better-sqlite3')).default;
    // Checked after the await: two projects on one file share one handle.
    if (!sqlite.has(file)) sqlite.set(file, existsSync(file) ? new sqliteDriver(file, { readonly: true, fileMustExist: true }) : null);
    return sqlite.get(file) ?? null;
  };
  const fail = (url: string, e: unknown) =>
    new MigratorError({
      code: 'TOOL.FAILED',
      summary: `Could not read the history table directly from ${redact(url)}: ${e instanceof Error ? e.message : String(e)}`,
      fix: 'Check the database URL, or run `metamig status` without --fast (the tool itself reads it).',
    });

  return {
    async tableExists(url, table, schema) {
      const p = parseDatabaseUrl(url);
      try {
        if (p.engine === 'sqlite') {
          const db = await sqliteDb(p.file);
          return Boolean(db?.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table));
        }
        const c = await pgClient(url);
        const r = await c.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [schema ? `"${schema}"."${table}"` : `"${table}"`]);
        return r.rows[0]?.ok === true;
      } catch (e) {
        throw fail(url, e);
      }
    },
    async query<T extends Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
      const p = parseDatabaseUrl(url);
      try {
        if (p.engine === 'sqlite') {
          const db = await sqliteDb(p.file);
          return db ? (db.prepare(sql).all(...params) as T[]) : [];
        }
        const c = await pgClient(url);
        return (await c.query<T>(sql, params)).rows;
      } catch (e) {
        throw fail(url, e);
      }
    },
    async close() {
      for (const c of pgClients.values()) await c.then((x) => x.end()).catch(() => {});
      for (const db of sqlite.values()) db?.close();
      pgClients.clear();
      sqlite.clear();
    },
  };
}
