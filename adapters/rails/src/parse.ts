// The helper's JSON and ActiveRecord's own words → metamig's normalized values. Pure functions,
// unit-tested on outputs recorded from the real helper and the real `bin/rails` / `rake` (fixtures/rails/*/recorded/).
import {
  type Direction,
  type Migration,
  type PlanStep,
  type RunResult,
  type Statement,
  errors,
  isApplied,
  linearParents,
  markOutOfOrder,
} from '@metamig/core';

// ---- the helper's document ------------------------------------------------------------------------

export interface FileInfo {
  version: string;
  name: string;
  className?: string;
  file: string;
  scope?: string;
  reversible: boolean | 'unknown';
  irreversibleReason?: string;
  detail?: string;
  transactional: boolean | 'unknown';
  transactionDetail?: string;
  line?: number;
}
export interface DatabaseEntry {
  name: string;
  adapter?: string;
  engine: 'postgres' | 'sqlite' | 'mysql' | 'unknown';
  database?: string;
  host?: string;
  port?: number;
  fromUrl?: boolean;
  migrationsPaths: string[];
  schemaFile?: string;
  selected: boolean;
  databaseExists?: boolean;
  tableExists?: boolean;
  connectError?: string;
  applied?: string[];
  files?: FileInfo[];
  supportsDdlTransactions?: boolean;
  skipped?: string;
  error?: RubyError;
}
export interface RubyError {
  class?: string;
  message: string;
  cause?: { class: string; message: string };
  backtrace?: string[];
  [key: string]: unknown;
}
export interface CapturedStatement {
  sql: string;
  name: string | null;
  binds: [string | null, unknown][];
}
export interface CapturedStep {
  version: string;
  statements: CapturedStatement[];
  unavailable?: string;
  error?: RubyError;
}
export interface HelperDoc {
  protocol: 1;
  op: string;
  ok: boolean;
  stage?: 'setup' | 'run';
  kind?: 'missing-gem' | 'boot' | 'no-db-tasks' | 'no-config' | 'unknown-database' | 'override-ignored' | 'usage';
  error?: RubyError | null;
  env?: string;
  versions?: { ruby?: string; activerecord?: string; rails?: string; rake?: string; bundler?: string };
  // status
  schemaMigrationsTable?: string;
  databases?: DatabaseEntry[];
  // run
  database?: string;
  multi?: boolean;
  ran?: { task: string; vars: Record<string, string>; ok: boolean }[];
  schemaDumped?: { file: string; created: boolean }[];
  appliedAfter?: string[] | null;
  // plan
  mode?: 'transaction' | 'copy' | 'none';
  engine?: string;
  sourceFile?: string | null;
  hadMigrationsTable?: boolean;
  bookkeepingTables?: string[];
  steps?: CapturedStep[];
  // analyze
  files?: (FileInfo & { file: string })[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The helper prints its JSON as the last line of stdout. */
export function parseHelperOutput(run: Pick<RunResult, 'stdout' | 'stderr' | 'exitCode'>, op: string): HelperDoc {
  const line = run.stdout.trimEnd().split('\n').pop() ?? '';
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    doc = undefined;
  }
  if (!isObj(doc) || doc.protocol !== 1 || typeof doc.ok !== 'boolean') {
    throw errors.unparseable('the Rails helper', `${op}: no JSON document (exit ${run.exitCode})`, [run.stderr, run.stdout].filter((s) => s.trim()).join('\n'));
  }
  return doc as unknown as HelperDoc;
}

// ---- status → migrations -----------------------------------------------------------------------------

const big = (id: string) => BigInt(id);
const byVersion = (a: { id: string }, b: { id: string }) => (big(a.id) < big(b.id) ? -1 : big(a.id) > big(b.id) ? 1 : 0);
/** Versions compared as numbers, the way ActiveRecord orders them (`version.to_i`). */
export const versionKey = (m: { id: string }) => m.id.padStart(32, '0');

export const OUT_OF_ORDER_WHY =
  'not applied, but older than the newest applied migration: `db:migrate` runs it anyway (no warning), after the newer ones already applied';

/**
 * In metamig's apply order. schema_migrations has only `version` (no time, no order), so the applied
 * migrations are listed in version order — which is also what `db:rollback` undoes first (the highest
 * version) — then the pending ones in the order `db:migrate` runs them (version order).
 */
export function migrationsFromStatus(db: DatabaseEntry): Migration[] {
  const applied = new Set(db.applied ?? []);
  const transactionalDdl = db.supportsDdlTransactions ?? (db.engine === 'postgres' || db.engine === 'sqlite');
  const fileIds = new Set((db.files ?? []).map((f) => f.version));
  const rows: Omit<Migration, 'parents'>[] = (db.files ?? []).map((f) => {
    const m: Omit<Migration, 'parents'> = {
      id: f.version,
      name: f.name,
      file: f.file,
      state: applied.has(f.version) ? 'applied' : 'pending',
      reversible: f.reversible,
      transactional: transactionalDdl ? f.transactional : false,
    };
    if (f.irreversibleReason) m.irreversibleReason = f.line ? `${f.irreversibleReason} (${f.file}:${f.line})` : f.irreversibleReason;
    const details = [f.detail, f.transactional === false ? `runs outside a transaction (${f.transactionDetail ?? 'disable_ddl_transaction!'})` : f.transactional === 'unknown' ? f.transactionDetail : undefined].filter(Boolean);
    if (details.length) m.detail = details.join('; ');
    return m;
  });
  for (const version of applied) {
    if (fileIds.has(version)) continue;
    rows.push({
      id: version,
      name: '(no file)',
      state: 'missing-file',
      reversible: false,
      irreversibleReason: 'its file is not in the migrations path: ActiveRecord cannot run its down (db:rollback stops with "No migration with version number …")',
      detail: 'recorded in schema_migrations, but no migration file has this version (`db:migrate:status` shows ********** NO FILE **********)',
    });
  }
  const appliedRows = rows.filter((m) => m.state !== 'pending').sort(byVersion);
  const pendingRows = rows.filter((m) => m.state === 'pending').sort(byVersion);
  return markOutOfOrder(linearParents([...appliedRows, ...pendingRows]), versionKey, OUT_OF_ORDER_WHY);
}

/** Applied head = the highest recorded version (files or not); code head = the highest file version. */
export function stateHeads(migrations: Migration[]): { current: string[]; heads: string[] } {
  const recorded = migrations.filter((m) => isApplied(m) || m.state === 'missing-file').map((m) => m.id);
  const files = migrations.filter((m) => m.state !== 'missing-file').map((m) => m.id);
  const newest = (ids: string[]) => (ids.length ? [ids.reduce((a, b) => (BigInt(b) > BigInt(a) ? b : a))] : []);
  return { current: newest(recorded), heads: newest(files) };
}

// ---- `db:migrate:status` text (ActiveRecord::Tasks::DatabaseTasks#migrate_status, 6.1 … 8.1) -----------

export interface StatusRow {
  status: 'up' | 'down';
  version: string;
  name: string;
  noFile: boolean;
}
export interface StatusBlock {
  database: string;
  rows: StatusRow[];
}
export interface MigrateStatus {
  blocks: StatusBlock[];
  /** `Schema migrations table does not exist yet.` (exit 1): every migration of that database is pending. */
  missingTable: boolean;
}

export const NO_FILE = '********** NO FILE **********';
export const MISSING_TABLE = 'Schema migrations table does not exist yet.';

/** One block per database (`database: <name>`); a multi-database app stops at the first without the table. */
export function parseMigrateStatus(stdout: string, stderr = ''): MigrateStatus {
  const blocks: StatusBlock[] = [];
  let block: StatusBlock | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    const header = /^database: (.*)$/.exec(line);
    if (header) {
      block = { database: header[1]!.trim(), rows: [] };
      blocks.push(block);
      continue;
    }
    const row = /^\s*(up|down)\s+(\d+)\s{2}(.*)$/.exec(line);
    if (row && block) {
      const name = row[3]!.trim();
      block.rows.push({ status: row[1] as 'up' | 'down', version: row[2]!, name, noFile: name === NO_FILE });
    }
  }
  return { blocks, missingTable: `${stdout}\n${stderr}`.includes(MISSING_TABLE) };
}

// ---- migrate / rollback output -------------------------------------------------------------------------

const ANNOUNCE = /^== (\d+) (\S+): (migrating|migrated|reverting|reverted)\b/;

/** The migration that started (`== <version> <Name>: migrating|reverting`) and never finished. */
export function failedMigrationFrom(output: string): string | undefined {
  let open: string | undefined;
  for (const line of output.split(/\r?\n/)) {
    const m = ANNOUNCE.exec(line);
    if (!m) continue;
    open = m[3] === 'migrating' || m[3] === 'reverting' ? m[1] : m[1] === open ? undefined : open;
  }
  return open;
}

/** Versions whose `== … migrated|reverted` line was printed. */
export function completedFrom(output: string): string[] {
  const done: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = ANNOUNCE.exec(line);
    if (m && (m[3] === 'migrated' || m[3] === 'reverted')) done.push(m[1]!);
  }
  return done;
}

const CANCELED = /^An error has occurred, (this and )?all later migrations canceled:\s*/;
const firstLine = (s: string) => s.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
const CLASS_PREFIX = /^[A-Z]\w*(::\w+)*: /;

export interface MigrationError {
  /** The database's (or ActiveRecord's) own words, first line: "PG::UniqueViolation: ERROR: …". */
  headline: string;
  /** The whole message, without ActiveRecord's "An error has occurred …" wrapper. */
  message: string;
  /** ActiveRecord ran the failed migration in a transaction ("this and all later migrations canceled"). */
  transactional: boolean | undefined;
}

export function migrationError(err: RubyError): MigrationError {
  const wrapped = CANCELED.exec(err.message);
  const transactional = wrapped ? Boolean(wrapped[1]) : undefined;
  const inner = wrapped ? err.message.slice(wrapped[0].length) : err.message;
  const source = err.cause ?? { class: err.class ?? 'Error', message: inner };
  const line = firstLine(source.message) || firstLine(inner);
  const headline = CLASS_PREFIX.test(line) ? line : `${source.class}: ${line}`;
  return { headline, message: inner.trim() || headline, transactional };
}

// ---- plan: captured queries → statements ------------------------------------------------------------

const TRANSACTION_SQL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE\s+SAVEPOINT|ROLLBACK\s+TO\s+SAVEPOINT|begin transaction|commit transaction|rollback transaction)\b/i;
const INTROSPECTION_SQL = /^\s*(SELECT|SHOW|SET|PRAGMA|WITH)\b/i;
const ADVISORY_LOCK = /\bpg_(try_)?advisory_(un)?lock\s*\(/i;

export type StatementKind = 'keep' | 'transaction' | 'introspection' | 'lock' | 'bookkeeping';

/** What metamig shows: the migration's own statements; ActiveRecord's plumbing is counted, not shown. */
export function classifyStatement(s: CapturedStatement, bookkeepingTables: string[]): StatementKind {
  if (s.name === 'TRANSACTION' || TRANSACTION_SQL.test(s.sql)) return 'transaction';
  if (ADVISORY_LOCK.test(s.sql)) return 'lock';
  if (s.name === 'SCHEMA' && INTROSPECTION_SQL.test(s.sql)) return 'introspection';
  if (bookkeepingTables.some((t) => new RegExp(`(["\`\\s.]|^)${t}(["\`\\s]|$)`).test(s.sql))) return 'bookkeeping';
  return 'keep';
}

const renderBind = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

export function statementsOf(step: CapturedStep, bookkeepingTables: string[]): Statement[] {
  return step.statements
    .filter((s) => classifyStatement(s, bookkeepingTables) === 'keep')
    .map((s) => {
      const st: Statement = { sql: s.sql.trim(), kind: 'sql' };
      if (s.binds.length) st.note = `binds: ${s.binds.map(([n, v]) => `${n ?? '?'}=${renderBind(v)}`).join(', ')}`;
      return st;
    });
}

/** Per selected migration: what the preview captured, or why it could not. */
export function planSteps(doc: HelperDoc, selected: Migration[], direction: Direction): PlanStep[] {
  const tables = doc.bookkeepingTables ?? ['schema_migrations', 'ar_internal_metadata'];
  const byVersion = new Map((doc.steps ?? []).map((s) => [s.version, s]));
  return selected.map((migration) => {
    const transactional = migration.transactional ?? 'unknown';
    const captured = byVersion.get(migration.id);
    if (!captured) return { migration, direction, sqlSource: 'unavailable', statements: [], reason: 'the preview did not reach it', transactional };
    if (captured.unavailable) return { migration, direction, sqlSource: 'unavailable', statements: [], reason: captured.unavailable, transactional };
    const step: PlanStep = { migration, direction, sqlSource: 'sandbox-capture', statements: statementsOf(captured, tables), transactional };
    if (captured.error) {
      step.reason = `it failed in the preview, so it would fail for real: ${migrationError(captured.error).headline} (the statements are those that ran before the error)`;
    }
    return step;
  });
}

/** Bookkeeping DDL (schema_migrations / ar_internal_metadata created inside the preview). */
export function bookkeepingDdl(doc: HelperDoc): string[] {
  const tables = doc.bookkeepingTables ?? ['schema_migrations', 'ar_internal_metadata'];
  const seen = new Set<string>();
  for (const step of doc.steps ?? []) {
    for (const s of step.statements) {
      if (!/^\s*CREATE\s+TABLE/i.test(s.sql) || classifyStatement(s, tables) !== 'bookkeeping') continue;
      const t = tables.find((name) => s.sql.includes(name));
      if (t) seen.add(t);
    }
  }
  return [...seen];
}

/** The tool's own words: the helper sends everything Rails and the migrations print to stderr. */
export function toolOutput(run: Pick<RunResult, 'stderr'>): string {
  return run.stderr.replace(/\n*$/, '');
}

// ---- status warnings and descriptions ----------------------------------------------------------------

const countOf = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export function describeEntry(db: DatabaseEntry, env: string | undefined, multi: boolean): string {
  const where = db.engine === 'sqlite' ? `sqlite ${db.database ?? '?'}` : `${db.engine} ${db.host ? `${db.host}${db.port ? `:${db.port}` : ''}/` : ''}${db.database ?? '?'}`;
  return `${where} (RAILS_ENV=${env ?? '?'}${multi ? `, database ${db.name}` : ''})`;
}

export function statusWarnings(doc: HelperDoc, selected: DatabaseEntry): string[] {
  const warnings: string[] = [];
  const others = (doc.databases ?? []).filter((d) => !d.selected);
  if (others.length) {
    const names = (doc.databases ?? []).map((d) => d.name).join(', ');
    warnings.push(`This app has ${countOf(others.length + 1, 'database')} in ${doc.env} (${names}): metamig manages ${selected.name}; set options.database in the metamig config to manage another.`);
    for (const d of others) {
      if (d.skipped) warnings.push(`${d.name} (${d.migrationsPaths.join(', ')}): not read: ${d.skipped}.`);
      else if (d.error) warnings.push(`${d.name} (${d.migrationsPaths.join(', ')}): could not be read: ${firstLine(d.error.message)}`);
      else {
        const applied = new Set(d.applied ?? []);
        const pending = (d.files ?? []).filter((f) => !applied.has(f.version)).length;
        warnings.push(`${d.name} (${d.migrationsPaths.join(', ')}): ${countOf(applied.size, 'applied migration')}, ${pending} pending.`);
      }
    }
  }
  if (selected.databaseExists === false && selected.connectError) {
    warnings.push(`The database does not exist yet (${firstLine(selected.connectError)}): \`db:create\` creates it; metamig does not create databases.`);
  }
  const seen = new Map<string, string>();
  for (const f of selected.files ?? []) {
    const other = seen.get(f.version);
    if (other) warnings.push(`${other} and ${f.file} have the same version ${f.version}: ActiveRecord refuses to migrate (DuplicateMigrationVersionError) until one is renamed.`);
    seen.set(f.version, f.file);
  }
  return warnings;
}
