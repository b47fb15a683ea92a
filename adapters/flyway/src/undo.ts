// metamig's emulated `flyway undo` (a paid Flyway feature): for each step, run the U<version>__*.sql
// file (placeholders expanded as Flyway would) and mark the version deleted in the schema history
// (see history.ts), in ONE transaction when the script can run in one (PostgreSQL and SQLite have
// transactional DDL), holding Flyway's own advisory lock on PostgreSQL. Everything that can be
// checked is checked before the first statement runs.
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MigratorError, type AdapterContext, type Migration, type ToolRun } from '@metamig/core';
import { historySchema } from './config.js';
import { type ConnectionFacts, type FlywayProject, sqlOfFile } from './context.js';
import { type MigrationFile, undoFilesFor } from './files.js';
import { type HistoryRow, advisoryLockKey, effectiveRow, insertDeleteRow, qualifiedTable, quoteIdent } from './history.js';
import { parseJdbcUrl } from './jdbc.js';
import { type SqlStatement, mixedStatementProblem, scriptTransactional } from './sql.js';

interface Session {
  engine: 'postgres' | 'sqlite';
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  facts(): Promise<ConnectionFacts>;
  /** Interrupt the statement running now (PostgreSQL: pg_cancel_backend from a second connection). */
  cancel(): Promise<void>;
  close(): Promise<void>;
}

async function openPostgres(t: { host: string; port: number; database: string; params: Record<string, string> }, user: string | undefined, password: string | undefined): Promise<Session> {
  const { default: pg } = await import('pg');
  const config = {
    host: t.host,
    port: t.port,
    database: t.database,
    user: user ?? t.params.user,
    password: password ?? t.params.password,
    ...(t.params.sslmode && t.params.sslmode !== 'disable' ? { ssl: t.params.sslmode === 'require' ? { rejectUnauthorized: false } : true } : {}),
    application_name: 'metamig (flyway undo)',
  };
  const client = new pg.Client(config);
  await client.connect();
  if (t.params.currentSchema) await client.query("SELECT set_config('search_path', $1, false)", [t.params.currentSchema]);
  const pid = ((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!).pid;
  return {
    engine: 'postgres',
    exec: async (sql) => void (await client.query(sql)),
    query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
    facts: async () => {
      const r = (await client.query<{ u: string; d: string; s: string | null }>('SELECT current_user AS u, current_database() AS d, current_schema() AS s')).rows[0]!;
      return { user: r.u, database: r.d, ...(r.s ? { schema: r.s } : {}) };
    },
    cancel: async () => {
      const other = new pg.Client(config);
      await other.connect();
      await other.query('SELECT pg_cancel_backend($1)', [pid]).finally(() => other.end());
    },
    close: async () => void (await client.end()),
  };
}

async function openSqlite(file: string): Promise<Session> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { fileMustExist: true });
  return {
    engine: 'sqlite',
    exec: async (sql) => void db.exec(sql),
    query: async <T>(sql: string, params: unknown[] = []) => {
      const stmt = db.prepare(sql);
      return (stmt.reader ? stmt.all(...params) : (stmt.run(...params), [])) as T[];
    },
    facts: async () => ({ user: '', schema: 'main' }), // Flyway's SQLite user is empty
    cancel: async () => undefined, // better-sqlite3 runs synchronously: a statement cannot be interrupted
    close: async () => void db.close(),
  };
}

function connectionError(fp: FlywayProject, why: string): MigratorError {
  return new MigratorError({
    code: 'CONFIG.INVALID',
    summary: `${fp.project.id}: metamig cannot connect for the emulated undo.`,
    why,
    fix: 'Pass the database with --database-url (or `database` in the metamig config); nothing was changed.',
  });
}

async function open(fp: FlywayProject): Promise<Session> {
  const s = fp.settings;
  const url = fp.override?.url ?? s.url;
  if (!url) throw connectionError(fp, 'The Flyway config has no url.');
  if (!fp.override && ['url', 'user', 'password'].some((k) => k in s.unresolved)) {
    throw connectionError(fp, `The Flyway config resolves ${Object.keys(s.unresolved).join(', ')} with a resolver metamig cannot evaluate (only \${env.X} is).`);
  }
  const t = parseJdbcUrl(url, fp.root);
  if (t?.engine === 'postgres') return openPostgres(t, fp.override ? fp.override.user : s.user, fp.override ? fp.override.password : s.password);
  if (t?.engine === 'sqlite') {
    if (t.memory) throw connectionError(fp, 'An in-memory SQLite database cannot be shared with Flyway.');
    return openSqlite(t.file);
  }
  throw connectionError(fp, `The emulated undo supports PostgreSQL and SQLite; this url is ${t?.engine ?? 'not a JDBC url'}.`);
}

interface Prepared {
  migration: Migration;
  version: string;
  file: MigrationFile;
  statements: SqlStatement[];
  transactional: boolean;
}

function prepare(fp: FlywayProject, steps: Migration[], facts: ConnectionFacts | undefined, engine: 'postgres' | 'sqlite'): Prepared[] {
  const refuse = (why: string) =>
    new MigratorError({ code: 'MIGRATION.IRREVERSIBLE', summary: `${fp.project.id}: cannot undo ${steps.map((s) => s.id).join(', ')}.`, why, fix: 'Nothing was changed. Add the missing U<version>__*.sql undo file, or fix it.' });
  return steps.map((m) => {
    const file = m.id.startsWith('R__') ? undefined : undoFilesFor(fp.scan.files, m.id);
    if (!file) throw refuse(`${m.id} is a repeatable migration: Flyway has no undo for repeatables.`);
    if (file.length !== 1) throw refuse(file.length ? `${m.id} has several undo files: ${file.map((f) => f.rel).join(', ')}.` : `${m.id} has no U${m.id}__*.sql undo file in ${fp.locations.dirs.map((d) => basename(d)).join(', ')}.`);
    const sql = sqlOfFile(fp, file[0]!, engine, facts, false);
    if (sql.error) throw refuse(`${file[0]!.rel}: Flyway would refuse it: ${sql.error}`);
    if (!sql.statements.length) throw refuse(`${file[0]!.rel} has no SQL statement.`);
    if (engine === 'postgres' && sql.statements.some((st) => st.copyData !== undefined)) throw refuse(`${file[0]!.rel} uses COPY … FROM STDIN, which metamig's undo cannot stream.`);
    const mixed = mixedStatementProblem(sql.statements, fp.settings.mixed, file[0]!.conf?.executeInTransaction);
    if (mixed) throw refuse(`${file[0]!.rel}: ${mixed}`);
    return { migration: m, version: m.id, file: file[0]!, statements: sql.statements, transactional: scriptTransactional(sql.statements, file[0]!.conf?.executeInTransaction, fp.settings.executeInTransaction) };
  });
}

/** Check every step (undo file present, placeholders, SQL) before touching the database. */
export function assertUndoable(fp: FlywayProject, steps: Migration[]): void {
  if (fp.engine === 'unknown') return; // decided once connected
  prepare(fp, steps, undefined, fp.engine);
}

export async function emulatedDown(fp: FlywayProject, steps: Migration[], ctx: AdapterContext): Promise<ToolRun> {
  const started = performance.now();
  assertUndoable(fp, steps); // before connecting: a missing U file is refused with nothing opened
  const session = await open(fp).catch((e: unknown) => {
    if (e instanceof MigratorError) throw e;
    throw new MigratorError({
      code: 'TOOL.FAILED',
      summary: `${fp.project.id}: metamig could not connect for the emulated undo: ${e instanceof Error ? e.message : String(e)}`,
      fix: `Check that ${fp.override ? 'the --database-url given' : "the database in the project's Flyway config"} is reachable with those credentials. Nothing was changed.`,
    });
  });
  const lines: string[] = [];
  const files: string[] = [];
  let stop: 'cancel' | 'timeout' | undefined;
  const interrupt = (why: 'cancel' | 'timeout') => {
    stop = why;
    void session.cancel().catch(() => undefined);
  };
  const onAbort = () => interrupt('cancel');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => interrupt('timeout'), ctx.timeoutMs ?? 10 * 60 * 1000);
  let current: Prepared | undefined;
  let currentStatement: SqlStatement | undefined;
  try {
    const facts = await session.facts();
    const prepared = prepare(fp, steps, facts, session.engine);
    const schema = historySchema(fp.settings) ?? facts.schema;
    const table = qualifiedTable(session.engine === 'sqlite' && schema === 'main' ? undefined : schema, fp.settings.table);
    const lockKey = session.engine === 'postgres' ? advisoryLockKey(schema ?? 'public', fp.settings.table) : undefined;
    const installedBy = fp.settings.installedBy ?? facts.user ?? '';
    const configured = historySchema(fp.settings);
    const searchPath = session.engine === 'postgres' && configured ? quoteIdent(configured) : undefined; // as Flyway's changeCurrentSchemaTo

    for (const step of prepared) {
      current = step;
      const stepStarted = performance.now();
      const verify = async () => {
        const rows = await session.query<HistoryRow>(`SELECT installed_rank, version, description, type, script, checksum, success FROM ${table} WHERE version = ${session.engine === 'postgres' ? '$1' : '?'}`, [step.version]);
        const row = effectiveRow(rows, step.version);
        if (!row) throw new MigratorError({ code: 'TARGET.NOT_APPLIED', summary: `${fp.project.id}: ${table} does not show version ${step.version} as applied (changed since the status was read?).`, fix: 'Nothing was run for it. Run `metamig status` and retry.' });
        if ('baseline' in row) throw new MigratorError({ code: 'MIGRATION.IRREVERSIBLE', summary: `${fp.project.id}: version ${step.version} is the baseline, not a migration that ran.`, fix: 'Nothing was run for it.' });
        if (!row.success) throw new MigratorError({ code: 'MIGRATION.FAILED', summary: `${fp.project.id}: version ${step.version} is recorded as failed.`, fix: 'Clean up by hand and run `flyway repair`; nothing was run for it.' });
        return row;
      };
      const runStatements = async () => {
        for (const st of step.statements) {
          if (stop || ctx.signal.aborted) throw new Error('interrupted');
          currentStatement = st;
          await session.exec(st.sql);
        }
        currentStatement = undefined;
      };
      const mark = async (row: HistoryRow) => {
        const ins = insertDeleteRow(session.engine, table, {
          version: row.version ?? step.version,
          description: row.description,
          script: row.script,
          checksum: row.checksum,
          installedBy,
          executionTime: Math.round(performance.now() - stepStarted),
        });
        await session.query(ins.sql, ins.params);
      };
      const lock = lockKey ? `SELECT pg_advisory_xact_lock(${lockKey})` : undefined;
      if (step.transactional) {
        await session.exec(session.engine === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN');
        try {
          if (lock) await session.exec(lock);
          if (searchPath) await session.query("SELECT set_config('search_path', $1 || ',' || current_setting('search_path'), true)", [searchPath]);
          const row = await verify();
          await runStatements();
          await mark(row);
          await session.exec('COMMIT');
        } catch (e) {
          await session.exec('ROLLBACK').catch(() => undefined);
          throw e;
        }
      } else {
        // As Flyway runs such a script: statement by statement, outside a transaction.
        if (lockKey) await session.exec(`SELECT pg_advisory_lock(${lockKey})`);
        try {
          if (searchPath) await session.query("SELECT set_config('search_path', $1 || ',' || current_setting('search_path'), false)", [searchPath]);
          const row = await verify();
          await runStatements();
          await mark(row);
        } finally {
          if (lockKey) await session.exec(`SELECT pg_advisory_unlock(${lockKey})`).catch(() => undefined);
        }
      }
      files.push(step.file.rel);
      lines.push(
        `Undid version ${step.version} (${step.migration.name}): ran ${step.file.rel} (${step.statements.length} statement${step.statements.length === 1 ? '' : 's'}${step.transactional ? '' : ', outside a transaction'}) and marked it deleted in ${table} (DELETE row).`,
      );
      current = undefined;
    }
    return result(fp, started, files, lines, true);
  } catch (e) {
    const failing = current;
    const done = lines.length;
    // A refusal before any statement of this step ran (history check): nothing ran for it.
    if (e instanceof MigratorError && !currentStatement) {
      if (!done) throw e;
      return { ...result(fp, started, files, lines, false), error: e, ...(failing ? { failedMigration: failing.version } : {}) };
    }
    const interrupted = stop === 'cancel' || ctx.signal.aborted;
    const message = stop === 'timeout' ? 'timed out' : interrupted ? 'cancelled' : e instanceof Error ? e.message : String(e);
    const where = failing && currentStatement ? `${failing.file.rel} line ${currentStatement.line}: ${currentStatement.sql.split('\n')[0]}` : (failing?.file.rel ?? '');
    const error = new MigratorError({
      code: interrupted ? 'RUN.CANCELLED' : stop === 'timeout' ? 'TOOL.TIMEOUT' : 'MIGRATION.FAILED',
      summary: `${fp.project.id}: undoing version ${failing?.version ?? '?'} failed: ${message.split('\n')[0]}`,
      why: [
        failing?.transactional
          ? `The undo and its history update ran in one transaction, which was rolled back: version ${failing.version} is still applied and its schema unchanged.`
          : `${failing?.file.rel ?? 'The undo file'} runs outside a transaction: the statements before the failing one stay applied, and the history still shows version ${failing?.version ?? '?'} as applied.`,
        done ? `Undone before it: ${steps.slice(0, done).map((s) => s.id).join(', ')}.` : '',
      ]
        .filter(Boolean)
        .join(' '),
      toolOutput: `${where}\n${message}`,
    });
    if (interrupted || stop === 'timeout') throw error; // as the runner does for a cancelled or timed-out tool
    const run = result(fp, started, files, lines, false);
    return { ...run, output: [run.output, `${where}\n${message}`].filter(Boolean).join('\n'), error, ...(failing ? { failedMigration: failing.version } : {}) };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
    await session.close().catch(() => undefined);
  }
}

export const UNDO_HOW =
  'Flyway Community has no undo (a paid feature): metamig runs the U<version>__*.sql file (placeholders expanded as Flyway would) and marks the version deleted in the schema history with the DELETE row `flyway repair` writes, in one transaction with the undo SQL (Flyway\'s advisory lock held on PostgreSQL)';

function result(fp: FlywayProject, started: number, files: string[], lines: string[], ok: boolean): ToolRun {
  return {
    ok,
    source: {
      command: ['metamig', 'flyway-undo', ...files],
      native: '(none: `flyway undo` needs a paid Flyway edition; metamig emulates it)',
      durationMs: Math.round(performance.now() - started),
      via: 'history-table',
    },
    output: lines.join('\n'),
    mode: { kind: 'emulated', how: UNDO_HOW },
    warnings: fp.warnings,
  };
}
