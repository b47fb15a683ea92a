#!/usr/bin/env node
// metamig's direct access to Prisma Migrate's history table `_prisma_migrations`, for what the Prisma
// CLI cannot do (or cannot do here): read the table with every column, apply a chosen subset of
// pending migrations the way `prisma migrate deploy` applies each one, and record an emulated
// rollback. It prints ONE JSON document on stdout.
//
//   node metamig-prisma.cjs <read|apply|revert>      request: JSON on stdin
//
// METAMIG_PRISMA_URL (env, never argv: it carries the password): postgresql://… or file:/abs/path.
// Request: { engine: 'postgres'|'sqlite', schema?: pg schema (default public), … }
//   apply:  { migrations: [{ name, sqlFile }], timestampFormat: 'text'|'integer' }
//   revert: { steps: [{ name, sql }] }
// Exit codes: 0 ok, 1 the operation failed (a migration, the database), 2 could not start.
'use strict';
const { createHash, randomUUID } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');

const TABLE = '_prisma_migrations';
const LOCK_ID = 72707369; // the advisory lock `prisma migrate` takes on PostgreSQL
const LOCK_TIMEOUT_MS = 10_000; // Prisma's own

class Stop extends Error {
  constructor(stage, message, extra = {}) {
    super(message);
    this.stage = stage;
    this.extra = extra;
  }
}

const qi = (s) => `"${String(s).replace(/"/g, '""')}"`;

function toIso(v) {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number' || typeof v === 'bigint') return new Date(Number(v)).toISOString(); // native engine: unix ms
  const s = String(v);
  const d = new Date(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(s) ? `${s.replace(' ', 'T')}Z` : s); // CURRENT_TIMESTAMP is UTC
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

const rowOut = (r) => ({
  id: String(r.id),
  checksum: String(r.checksum),
  finishedAt: toIso(r.finished_at),
  migrationName: String(r.migration_name),
  logs: r.logs === null || r.logs === undefined ? null : String(r.logs),
  rolledBackAt: toIso(r.rolled_back_at),
  startedAt: toIso(r.started_at),
  appliedStepsCount: Number(r.applied_steps_count),
});

const SELECT = `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count FROM ${TABLE} ORDER BY started_at ASC`;

// ---- PostgreSQL ---------------------------------------------------------------------------------

function pgConfig(url) {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') || 'public';
  u.searchParams.delete('schema'); // Prisma's parameter, unknown to libpq
  return { connectionString: u.toString(), schema };
}

async function pgConnect(url) {
  const pg = require('pg');
  const { connectionString, schema } = pgConfig(url);
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
  } catch (e) {
    throw new Stop('connect', e.message, { code: e.code });
  }
  client.on('error', () => {});
  await client.query(`SET search_path TO ${qi(schema)}`); // as Prisma does: unqualified names land in the schema
  return { client, schema };
}

async function pgHasTable(client, schema) {
  const r = await client.query('SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2', [schema, TABLE]);
  return r.rowCount > 0;
}

async function pgLock(client) {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    const r = await client.query('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_ID]);
    if (r.rows[0].ok) return;
    if (Date.now() > deadline) throw new Stop('check', `Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock(${LOCK_ID})) after ${LOCK_TIMEOUT_MS} ms: another prisma migrate (or metamig) is running.`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const PG = {
  async read(req, url) {
    const { client, schema } = await pgConnect(url);
    try {
      const version = (await client.query('SHOW server_version')).rows[0].server_version;
      if (!(await pgHasTable(client, schema))) return { dbExists: true, hasTable: false, rows: [], serverVersion: version, timestampFormat: null };
      const rows = (await client.query(SELECT)).rows.map(rowOut);
      return { dbExists: true, hasTable: true, rows, serverVersion: version, timestampFormat: null };
    } finally {
      await client.end();
    }
  },

  async apply(req, url) {
    const { client, schema } = await pgConnect(url);
    const applied = [];
    try {
      await pgLock(client);
      if (!(await pgHasTable(client, schema))) {
        const others = await client.query("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'", [schema]);
        if (others.rowCount > 0) throw notEmpty(schema);
        await client.query(`CREATE TABLE ${TABLE} (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`);
      }
      const rows = (await client.query(SELECT)).rows.map(rowOut);
      refuseFailed(rows);
      for (const m of req.migrations) {
        if (rows.some((r) => r.migrationName === m.name && r.rolledBackAt === null)) continue; // applied meanwhile
        const script = readFileSync(m.sqlFile, 'utf8');
        const id = randomUUID();
        await client.query(`INSERT INTO ${TABLE} (id, checksum, started_at, migration_name) VALUES ($1, $2, $3, $4)`, [id, checksum(script), new Date(), m.name]);
        try {
          // One simple-query message: PostgreSQL runs the whole script in one implicit transaction,
          // exactly like Prisma's native schema engine (`simple_query(script)`).
          await client.query(script);
        } catch (e) {
          await client.query(`UPDATE ${TABLE} SET logs = $2 WHERE id = $1`, [id, pgErrorLog(e, m.name)]);
          throw new Stop('migration', pgErrorLog(e, m.name), { applied, failed: m.name, code: e.code });
        }
        await client.query(`UPDATE ${TABLE} SET applied_steps_count = applied_steps_count + 1 WHERE id = $1`, [id]);
        await client.query(`UPDATE ${TABLE} SET finished_at = $2 WHERE id = $1`, [id, new Date()]);
        applied.push(m.name);
      }
      return { applied };
    } finally {
      await client.end();
    }
  },

  async revert(req, url) {
    const { client, schema } = await pgConnect(url);
    const reverted = [];
    try {
      await pgLock(client);
      if (!(await pgHasTable(client, schema))) throw new Stop('check', `${TABLE} does not exist in schema ${schema}: nothing is applied there.`);
      for (const step of req.steps) {
        await client.query('BEGIN');
        try {
          await client.query(step.sql);
          const del = await client.query(`DELETE FROM ${TABLE} WHERE migration_name = $1 RETURNING *`, [step.name]);
          if (del.rowCount === 0) throw new Error(`${step.name} has no row in ${TABLE} (rolled back by someone else?)`);
          await client.query('COMMIT');
          reverted.push({ name: step.name, deletedRows: del.rows.map(rowOut) });
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {});
          throw new Stop('migration', pgErrorLog(e, step.name), { reverted, failed: step.name, code: e.code });
        }
      }
      return { reverted };
    } finally {
      await client.end();
    }
  },
};

function pgErrorLog(e, name) {
  const where = e.position ? ` (at character ${e.position})` : '';
  return `${e.severity ? `${e.severity}: ` : ''}${e.message}${where}${e.detail ? `\nDETAIL: ${e.detail}` : ''}${e.code ? `\nDatabase error code: ${e.code}` : ''}\nMigration: ${name}`;
}

// ---- SQLite ---------------------------------------------------------------------------------------

function sqliteFile(url) {
  return decodeURIComponent(url.replace(/^file:(\/\/)?/, '').split('?')[0]);
}

/** mode: 'read' (never creates the file), 'write' (the file must exist), 'create'. */
function sqliteOpen(url, mode) {
  const Database = require('better-sqlite3');
  const file = sqliteFile(url);
  try {
    return new Database(file, mode === 'read' ? { readonly: true, fileMustExist: true } : mode === 'write' ? { fileMustExist: true } : {});
  } catch (e) {
    throw new Stop('connect', e.message, { code: e.code });
  }
}

const sqliteHasTable = (db) => Boolean(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(TABLE));

function sqliteTimestampFormat(db) {
  const r = db.prepare(`SELECT typeof(started_at) AS t FROM ${TABLE} LIMIT 1`).get();
  return r ? (r.t === 'integer' ? 'integer' : 'text') : null;
}

const SQLITE = {
  async read(req, url) {
    if (!existsSync(sqliteFile(url))) return { dbExists: false, hasTable: false, rows: [], timestampFormat: null }; // never create it
    const db = sqliteOpen(url, 'read');
    try {
      const serverVersion = db.prepare('SELECT sqlite_version() AS v').get().v;
      if (!sqliteHasTable(db)) return { dbExists: true, hasTable: false, rows: [], serverVersion, timestampFormat: null };
      return { dbExists: true, hasTable: true, rows: db.prepare(SELECT).all().map(rowOut), serverVersion, timestampFormat: sqliteTimestampFormat(db) };
    } finally {
      db.close();
    }
  },

  async apply(req, url) {
    const db = sqliteOpen(url, 'create');
    const applied = [];
    try {
      if (!sqliteHasTable(db)) {
        const others = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all();
        if (others.length) throw notEmpty('main');
        db.exec(`CREATE TABLE "${TABLE}" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
);`);
      }
      const rows = db.prepare(SELECT).all().map(rowOut);
      refuseFailed(rows);
      // Same format as the rows already there (native engine: unix ms; driver adapters: ISO text),
      // so ORDER BY started_at keeps working.
      const format = sqliteTimestampFormat(db) ?? req.timestampFormat ?? 'text';
      const now = () => (format === 'integer' ? Date.now() : new Date().toISOString().replace('Z', '+00:00'));
      for (const m of req.migrations) {
        if (rows.some((r) => r.migrationName === m.name && r.rolledBackAt === null)) continue;
        const script = readFileSync(m.sqlFile, 'utf8');
        const id = randomUUID();
        db.prepare(`INSERT INTO ${TABLE} (id, checksum, started_at, migration_name) VALUES (?, ?, ?, ?)`).run(id, checksum(script), now(), m.name);
        try {
          db.exec(script); // statement by statement, like Prisma's SQLite engine (execute_batch)
        } catch (e) {
          const log = `${e.message}${e.code ? `\nDatabase error code: ${e.code}` : ''}\nMigration: ${m.name}`;
          db.prepare(`UPDATE ${TABLE} SET logs = ? WHERE id = ?`).run(log, id);
          throw new Stop('migration', log, { applied, failed: m.name, code: e.code });
        }
        db.prepare(`UPDATE ${TABLE} SET applied_steps_count = applied_steps_count + 1 WHERE id = ?`).run(id);
        db.prepare(`UPDATE ${TABLE} SET finished_at = ? WHERE id = ?`).run(now(), id);
        applied.push(m.name);
      }
      return { applied };
    } finally {
      db.close();
    }
  },

  async revert(req, url) {
    const db = sqliteOpen(url, 'write');
    const reverted = [];
    try {
      if (!sqliteHasTable(db)) throw new Stop('check', `${TABLE} does not exist in ${sqliteFile(url)}: nothing is applied there.`);
      for (const step of req.steps) {
        db.exec('BEGIN');
        try {
          db.exec(step.sql);
          const rows = db.prepare(`SELECT * FROM ${TABLE} WHERE migration_name = ?`).all(step.name);
          if (!rows.length) throw new Error(`${step.name} has no row in ${TABLE} (rolled back by someone else?)`);
          db.prepare(`DELETE FROM ${TABLE} WHERE migration_name = ?`).run(step.name);
          db.exec('COMMIT');
          reverted.push({ name: step.name, deletedRows: rows.map(rowOut) });
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw new Stop('migration', `${e.message}${e.code ? `\nDatabase error code: ${e.code}` : ''}\nMigration: ${step.name}`, { reverted, failed: step.name, code: e.code });
        }
      }
      return { reverted };
    } finally {
      db.close();
    }
  },
};

// ---- shared -----------------------------------------------------------------------------------------

const checksum = (script) => createHash('sha256').update(script).digest('hex');

function refuseFailed(rows) {
  const failed = rows.filter((r) => r.finishedAt === null && r.rolledBackAt === null);
  if (!failed.length) return;
  const details = failed.map((r) => `The \`${r.migrationName}\` migration started at ${r.startedAt} failed${r.logs && r.logs.trim() ? ` with the following logs:\n${r.logs.trim()}` : ''}`).join('\n');
  throw new Stop('check', `P3009: migrate found failed migrations in the target database, new migrations will not be applied.\n${details}`, { code: 'P3009', failed: failed[0].migrationName });
}

function notEmpty(schema) {
  return new Stop('check', `P3005: The database schema is not empty (schema ${schema} has tables but no ${TABLE}). Baseline it first: https://pris.ly/d/migrate-baseline`, { code: 'P3005' });
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  const op = process.argv[2];
  const out = { ok: false, op };
  try {
    if (!['read', 'apply', 'revert'].includes(op)) throw new Stop('usage', `unknown operation "${op}" (read, apply, revert)`);
    const url = process.env.METAMIG_PRISMA_URL;
    if (!url) throw new Stop('usage', 'METAMIG_PRISMA_URL is not set');
    const raw = await readStdin();
    const req = raw.trim() ? JSON.parse(raw) : {};
    const engine = req.engine === 'sqlite' ? SQLITE : req.engine === 'postgres' ? PG : undefined;
    if (!engine) throw new Stop('usage', `unknown engine "${req.engine}" (postgres, sqlite)`);
    out.engine = req.engine;
    Object.assign(out, await engine[op](req, url), { ok: true });
  } catch (e) {
    const stop = e instanceof Stop ? e : new Stop('check', e && e.message ? e.message : String(e), { code: e && e.code });
    Object.assign(out, stop.extra, { stage: stop.stage, error: { message: stop.message, ...(stop.extra.code ? { code: String(stop.extra.code) } : {}) } });
    delete out.code;
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exitCode = out.ok ? 0 : out.stage === 'usage' || out.stage === 'connect' ? 2 : 1;
}

main();
