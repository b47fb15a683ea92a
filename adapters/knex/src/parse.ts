// The helper's JSON and knex's own words → metamig's normalized values. Pure functions, unit-tested
// on outputs recorded from the real helper and the real knex CLI (fixtures/knex/*/recorded/).
import {
  MigratorError,
  errors,
  linearParents,
  markOutOfOrder,
  readHelperDocument,
  type Migration,
  type PlanStep,
  type RunResult,
  type Statement,
} from '@metamig/core';

// ---- the helper's document ------------------------------------------------------------------------

export interface FileInfo {
  name: string;
  path?: string;
  hasUp?: boolean;
  hasDown?: boolean;
  downSource?: string;
  transaction?: boolean | null;
  loadError?: string;
}
export interface CompletedRow {
  id: number;
  name: string;
  batch: number | null;
  migration_time: unknown;
}
export interface HelperError {
  message: string;
  name?: string;
  code?: string;
  kind?: string;
  environments?: string[];
  detail?: string;
  hint?: string;
}
export interface CapturedStep {
  name: string;
  statements: { sql: string; bindings: unknown[] }[];
  unavailable?: boolean;
  reason?: string;
}
export interface HelperDoc {
  protocol: 1;
  op: string;
  ok: boolean;
  stage?: 'setup' | 'run';
  error?: HelperError;
  log: { level: string; message: string }[];
  knexVersion?: string;
  environment?: string;
  engine?: 'postgres' | 'sqlite' | 'other';
  client?: string;
  // status
  tableName?: string;
  disableTransactions?: boolean;
  files?: FileInfo[];
  databaseExists?: boolean;
  tableExists?: boolean;
  completed?: CompletedRow[];
  locked?: boolean;
  listedBy?: 'migrate.list' | 'history-table' | 'none';
  pending?: string[];
  listError?: string;
  // up / down
  method?: 'latest' | 'to' | 'up-each';
  batch?: number;
  ran?: string[];
  undone?: string[];
  // plan
  steps?: CapturedStep[];
  sideEffects?: string[];
}

/** The helper's JSON document (the last line of stdout: migrations may print before it). */
export function parseHelperOutput(run: Pick<RunResult, 'stdout' | 'stderr'>, op: string): HelperDoc {
  const requiredArrays = { status: ['files', 'completed'], plan: ['steps'] };
  return readHelperDocument(run, { helper: 'the knex helper', op, requiredArrays }) as unknown as HelperDoc;
}

/** Errors that stop the helper before knex ran anything: thrown, never a failed run. */
export function setupError(doc: HelperDoc, projectId: string, projectRoot: string): MigratorError {
  const e = doc.error ?? { message: 'the helper failed without a message' };
  const base = { toolOutput: e.message };
  switch (e.kind) {
    case 'knex-missing':
      return new MigratorError({ ...base, code: 'TOOL.NOT_FOUND', summary: `knex is not installed in ${projectId}.`, why: e.message, fix: `metamig runs the project's own knex: run \`npm install knex\` (plus its driver, pg or better-sqlite3) in ${projectRoot}.` });
    case 'ts-loader':
      return new MigratorError({ ...base, code: 'TOOL.NOT_FOUND', summary: `${projectId}: the knexfile is TypeScript and no TypeScript loader is installed.`, why: e.message, fix: 'Install a loader the knex CLI also uses, e.g. `npm install -D ts-node typescript` in the project, or use knexfile.js/.cjs.' });
    case 'driver':
      return new MigratorError({ ...base, code: 'TOOL.NOT_FOUND', summary: `${projectId}: knex cannot load its database driver.`, why: e.message, fix: `Install the driver knex names above in ${projectRoot} (npm install pg, or npm install better-sqlite3).` });
    case 'knexfile':
      return new MigratorError({ ...base, code: 'CONFIG.UNREADABLE', summary: `${projectId}: ${e.message}`, fix: 'Fix the knexfile: `npx knex migrate:list` shows the same error.' });
    case 'environment':
      return new MigratorError({ ...base, code: 'CONFIG.INVALID', summary: `${projectId}: ${e.message}`, fix: `Pick one with options.environment for this project in the metamig config (or NODE_ENV): ${(e.environments ?? []).join(', ')}.` });
    case 'engine':
      return errors.unsupported('Knex', 'preview SQL on this database', e.message, 'Previews capture SQL on PostgreSQL and SQLite only.');
    default:
      return new MigratorError({ ...base, code: 'INTERNAL', summary: `The knex helper refused its arguments: ${e.message}`, fix: 'This is a bug in metamig. Re-run with --verbose and report the output.' });
  }
}

// ---- knex's own words -------------------------------------------------------------------------

/** Knex logs `migration file "X" failed` before rethrowing (Migrator._runBatch). */
export function failedMigrationFrom(text: string): string | undefined {
  return /migration file "([^"]+)" failed/.exec(text)?.[1];
}

const CORRUPT = /The migration directory is corrupt, the following files are missing: (.*)/;
/** Names from knex's "The migration directory is corrupt, the following files are missing: a, b". */
export function missingFromCorrupt(message: string): string[] | undefined {
  const m = CORRUPT.exec(message);
  return m ? m[1]!.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

export const isLockError = (message: string): boolean => /already locked/i.test(message);

/** What knex said: its log (the helper's stderr, with anything the migrations printed), then its error. */
export function knexOutput(stderr: string, doc: HelperDoc): string {
  const e = doc.error;
  const lines = [stderr.trim()];
  if (e && !lines[0]!.includes(e.message)) lines.push(e.message);
  if (e?.detail) lines.push(`DETAIL: ${e.detail}`);
  if (e?.hint) lines.push(`HINT: ${e.hint}`);
  return lines.filter(Boolean).join('\n');
}

// ---- status ---------------------------------------------------------------------------------------

/** `20240115093000_create_users.cjs` → `create_users`. */
export const displayName = (id: string): string => id.replace(/\.[^.]+$/, '').replace(/^\d+_/, '') || id;

/**
 * knex stores `new Date()`: a Date (PostgreSQL: JSON-encoded by the helper, a Date object when read
 * directly) or epoch milliseconds (SQLite drivers).
 */
export function appliedAtOf(value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  const text = String(value);
  const d = typeof value === 'number' || /^\d+$/.test(text) ? new Date(Number(value)) : new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** A `down` whose whole body is a `throw` is the knex idiom for "cannot be undone". */
export function irreversibleReason(file: FileInfo): string | undefined {
  if (file.loadError) return undefined;
  if (file.hasDown === false) return 'the file exports no down() function (knex also refuses to run it up: "must have both an up and down function")';
  const src = file.downSource ?? '';
  const body = /=>\s*\{([\s\S]*)\}\s*$/.exec(src)?.[1] ?? /^[^{]*\{([\s\S]*)\}\s*$/.exec(src)?.[1];
  if (body === undefined || !/^\s*throw\b[^;]*;?\s*$/.test(body)) return undefined;
  const message = /throw\s+new\s+\w*Error\(\s*(['"`])([\s\S]*?)\1/.exec(body)?.[2];
  return message ? `its down() only throws: "${message}"` : 'its down() only throws';
}

/** What a migration file says about itself (loaded by the helper: reversibility, transaction). */
export type DescribeFile = (f: FileInfo, disableTransactions: boolean) => Omit<Migration, 'state' | 'parents'>;

function fromFile(f: FileInfo, disableTransactions: boolean): Omit<Migration, 'state' | 'parents'> {
  const m: Omit<Migration, 'state' | 'parents'> = { id: f.name, name: displayName(f.name), reversible: true };
  if (f.path) m.file = f.path;
  if (f.loadError) {
    return { ...m, reversible: 'unknown', transactional: 'unknown', detail: `knex could not load the file: ${f.loadError}` };
  }
  const why = irreversibleReason(f);
  if (why) Object.assign(m, { reversible: false, irreversibleReason: why });
  // Migrator._useTransaction: the file's config.transaction wins, else !disableTransactions.
  m.transactional = typeof f.transaction === 'boolean' ? f.transaction : !disableTransactions;
  return m;
}

const OUT_OF_ORDER_WHY =
  'not applied, but older than the newest applied migration: knex will run it silently in the next batch, after newer ones';

/** Only what the file name says: the fast path does not load migration files. */
export const fromFileName: DescribeFile = (f) => ({ id: f.name, name: displayName(f.name), reversible: 'unknown', ...(f.path ? { file: f.path } : {}) });

/**
 * Applied rows in knex_migrations order (id), then pending files in knex's order. Rows without a
 * file are `missing-file` (knex itself refuses every command then). Shared by `status` (files
 * described by the helper) and `statusFast` (files described by name only).
 */
export function migrationsFromStatus(doc: Pick<HelperDoc, 'files' | 'completed' | 'disableTransactions' | 'tableName' | 'pending'>, describe: DescribeFile = fromFile): Migration[] {
  const files = doc.files ?? [];
  const completed = doc.completed ?? [];
  const disable = doc.disableTransactions ?? false;
  const byName = new Map(files.map((f) => [f.name, f]));
  const done = new Set(completed.map((r) => r.name));
  let newestSoFar = '';
  const applied: Omit<Migration, 'parents'>[] = completed.map((row) => {
    const f = byName.get(row.name);
    const at = appliedAtOf(row.migration_time);
    const common = { ...(at ? { appliedAt: at } : {}), ...(typeof row.batch === 'number' ? { batch: row.batch } : {}) };
    const before = newestSoFar;
    if (row.name > newestSoFar) newestSoFar = row.name;
    if (!f) {
      return {
        id: row.name,
        name: displayName(row.name),
        state: 'missing-file' as const,
        reversible: false,
        irreversibleReason: 'its file is missing: knex cannot run its down() and refuses every migration command until the file is back',
        transactional: 'unknown' as const,
        ...common,
        detail: `recorded in ${doc.tableName ?? 'knex_migrations'} (batch ${row.batch ?? '?'}) but no such file in the migrations directory`,
      };
    }
    const m = { ...describe(f, disable), state: 'applied' as const, ...common };
    return row.name < before ? { ...m, detail: m.detail ?? `applied out of order: after ${before}, which sorts after it` } : m;
  });
  const pendingNames = doc.pending ?? files.filter((f) => !done.has(f.name)).map((f) => f.name);
  const pending = pendingNames.map((n) => ({ ...describe(byName.get(n) ?? { name: n }, disable), state: 'pending' as const }));
  const ordered = linearParents([...applied, ...pending]);
  return markOutOfOrder(ordered, (m) => m.id, OUT_OF_ORDER_WHY);
}

/** The last applied row (knex_migrations.id order) and the last file in knex's order. */
export function currentAndHeads(doc: Pick<HelperDoc, 'files' | 'completed'>): { current: string[]; heads: string[] } {
  const completed = doc.completed ?? [];
  const files = doc.files ?? [];
  return { current: completed.length ? [completed[completed.length - 1]!.name] : [], heads: files.length ? [files[files.length - 1]!.name] : [] };
}

export function statusWarnings(doc: HelperDoc): string[] {
  const w: string[] = [];
  if (doc.databaseExists === false) w.push('The SQLite database file does not exist yet; knex creates it on the first `up`. Status did not create it.');
  if (doc.locked) w.push(`knex's migration lock is taken (${doc.tableName ?? 'knex_migrations'}_lock.is_locked = 1): a migration is running, or a crashed run left it. Once sure nothing runs: \`npx knex migrate:unlock\`.`);
  if (doc.listError) w.push(`knex refuses to list or run migrations: ${doc.listError}`);
  for (const f of doc.files ?? []) if (f.loadError) w.push(`${f.name}: knex could not load it: ${f.loadError}`);
  return w;
}

// ---- plan -------------------------------------------------------------------------------------------

function statement(s: { sql: string; bindings: unknown[] }): Statement {
  const st: Statement = { sql: s.sql, kind: 'sql' };
  if (s.bindings.length) st.note = `bindings: ${JSON.stringify(s.bindings)}`;
  return st;
}

export function planSteps(doc: HelperDoc, steps: Migration[], direction: 'up' | 'down'): PlanStep[] {
  const captured = new Map((doc.steps ?? []).map((s) => [s.name, s]));
  return steps.map((m) => {
    const c = captured.get(m.id);
    const base = { migration: m, direction, transactional: m.transactional ?? ('unknown' as const) };
    if (!c) return { ...base, sqlSource: 'unavailable' as const, statements: [], reason: 'the helper did not report this migration' };
    const statements = c.statements.map(statement);
    if (!statements.length && !c.unavailable) {
      statements.push({ sql: '', kind: 'opaque', note: `${direction}() ran and issued no SQL` });
    }
    return { ...base, sqlSource: c.unavailable ? ('unavailable' as const) : ('sandbox-capture' as const), statements, ...(c.reason ? { reason: c.reason } : {}) };
  });
}
