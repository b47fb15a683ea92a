// The helper's JSON and TypeORM's own words → metamig's normalized values. Pure functions, unit-tested
// on outputs recorded from the real helper and the real typeorm CLI (fixtures/typeorm/*/recorded/).
import { MigratorError, errors, readHelperDocument, linearParents, markOutOfOrder, type Migration, type PlanStep, type RunResult, type Statement } from '@metamig/core';
import { type DataSourceRef, cliFor } from './argv.js';

// ---- the helper's document ------------------------------------------------------------------------

export type Engine = 'postgres' | 'sqlite' | 'mysql' | 'other';
export type TransactionMode = 'all' | 'each' | 'none';

export interface RegisteredMigration {
  name: string;
  timestamp: number;
  className: string;
  file?: string;
  hasUp: boolean;
  hasDown: boolean;
  downSource?: string;
  upConcurrently: boolean;
  downConcurrently: boolean;
  /** The instance's own `transaction` property; null when it does not set one. */
  transaction: boolean | null;
}
export interface ExecutedRow {
  id: number;
  timestamp: number;
  name: string;
}
export interface HelperError {
  message: string;
  name?: string;
  kind?: string;
  code?: string;
  detail?: string;
  hint?: string;
  query?: string;
}
export interface CapturedStep {
  name: string;
  statements: { sql: string; parameters?: unknown[] }[];
  /** Queries made through another connection while the step ran (not inside the preview). */
  outside: number;
  unavailable?: boolean;
  failed?: string;
  reason?: string;
}
export interface HelperDoc {
  protocol: 1;
  op: string;
  ok: boolean;
  stage?: 'setup' | 'run';
  error?: HelperError;
  log: { type: string; message: string }[];
  typeormVersion?: string;
  typeormPath?: string;
  dataSource?: string;
  loader?: { name: string; version?: string } | null;
  overridden?: boolean;
  type?: string;
  engine?: Engine;
  migrationsTableName?: string;
  transactionMode?: TransactionMode;
  schema?: string;
  // status
  databaseExists?: boolean;
  tableExists?: boolean;
  registered?: RegisteredMigration[];
  executed?: ExecutedRow[];
  // up / down
  method?: 'run' | 'selected';
  withheld?: string[];
  ran?: string[];
  undone?: string[];
  progress?: { current?: string; finished?: string[]; undone?: string[] };
  // plan
  direction?: 'up' | 'down';
  steps?: CapturedStep[];
  sideEffects?: string[];
}

/** The helper's JSON document (the last line of stdout: migrations may print before it). */
export function parseHelperOutput(run: Pick<RunResult, 'stdout' | 'stderr'>, op: string): HelperDoc {
  const requiredArrays = { status: ['registered', 'executed'], plan: ['steps'] };
  return readHelperDocument(run, { helper: 'the TypeORM helper', op, requiredArrays }) as unknown as HelperDoc;
}

const firstLine = (s: string) => s.split('\n')[0] ?? s;

/** Errors that stop the helper before TypeORM ran anything: thrown, never a failed run. */
export function setupError(doc: HelperDoc, projectId: string, projectRoot: string, ds: DataSourceRef): MigratorError {
  const e = doc.error ?? { message: 'the helper failed without a message' };
  const base = { toolOutput: e.message };
  const dataSource = ds.file;
  const show = `npx ${cliFor(ds.file, ds.esm)} migration:show -d ${dataSource}`;
  switch (e.kind) {
    case 'typeorm-missing':
      return new MigratorError({ ...base, code: 'TOOL.NOT_FOUND', summary: `typeorm is not installed in ${projectId}.`, why: e.message, fix: `metamig runs the project's own typeorm: run \`npm install\` (or \`npm install typeorm\` plus pg / better-sqlite3) in ${projectRoot}.` });
    case 'ts-node-missing':
      return new MigratorError({ ...base, code: 'TOOL.NOT_FOUND', summary: `${projectId}: the data source is TypeScript and ts-node is not installed.`, why: e.message, fix: 'Install what typeorm-ts-node-commonjs also needs: `npm install -D ts-node typescript` in the project, or compile it and set options.dataSource to the compiled .js file.' });
    case 'ts-esm':
      return errors.unsupported('TypeORM', 'load an ES-module TypeScript data source this way', e.message, 'Install ts-node in the project (typeorm-ts-node-esm needs it too), or compile it and set options.dataSource to the compiled data source, e.g. "dist/data-source.js".');
    case 'data-source':
    case 'driver':
      return new MigratorError({ ...base, code: 'CONFIG.UNREADABLE', summary: `${projectId}: TypeORM could not load ${dataSource}: ${firstLine(e.message)}`, fix: `Fix the data source (or install its driver): \`${show}\` shows the same error.` });
    case 'engine':
      return errors.unsupported('TypeORM', 'preview SQL on this database', e.message, 'Previews capture SQL on PostgreSQL and SQLite only.');
    default:
      return new MigratorError({ ...base, code: 'INTERNAL', summary: `The TypeORM helper refused its arguments: ${e.message}`, fix: 'This is a bug in metamig. Re-run with --verbose and report the output.' });
  }
}

// ---- TypeORM's own words -----------------------------------------------------------------------------

const VERB: Record<string, string> = { status: 'show', up: 'run', down: 'revert', plan: 'preview' };

/** What TypeORM said, as its CLI prints it: its log lines, then `Error during migration …:` and the error. */
export function typeormOutput(doc: HelperDoc): string {
  const lines = doc.log.filter((l) => l.type !== 'info').map((l) => l.message);
  const e = doc.error;
  if (e) {
    lines.push(`Error during migration ${VERB[doc.op] ?? doc.op}:`, `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`);
    if (e.detail) lines.push(`DETAIL: ${e.detail}`);
    if (e.hint) lines.push(`HINT: ${e.hint}`);
  }
  return lines.join('\n');
}

/** The migration whose up()/down() was running, else the one TypeORM logs `Migration "X" failed` for. */
export function failedMigrationFrom(doc: HelperDoc): string | undefined {
  if (doc.progress?.current) return doc.progress.current;
  for (const l of doc.log) {
    const m = /^Migration "([^"]+)" failed, error:/.exec(l.message);
    if (m) return m[1];
  }
  return undefined;
}

/** TypeORM's ForbiddenTransactionModeOverrideError: `all` mode and a migration setting `transaction`. */
export const isTransactionModeOverride = (e: HelperError | undefined): boolean =>
  e?.name === 'ForbiddenTransactionModeOverrideError' || /transaction mode override/i.test(e?.message ?? '');

// ---- status ---------------------------------------------------------------------------------------

/** TypeORM's identity rule: the last 13 characters of the name are a millisecond timestamp. */
export const timestampOf = (id: string): number => Number.parseInt(id.slice(-13), 10);

/** `AddUsersEmailIndex1705500000000` → `add users email index`. */
export function displayName(id: string): string {
  const base = /\d{13}$/.test(id) ? id.slice(0, -13) : id;
  const words = base
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words || id;
}

/** Strip comments, keeping strings intact (a `//` inside an SQL literal is not a comment). */
function stripComments(src: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quote) {
      out += c;
      if (c === '\\') out += src[++i] ?? '';
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      out += c;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? src.length : end + 1;
    } else out += c;
  }
  return out;
}

/** The statements inside a method's source (`async down(q) {…}`, `down = async (q) => {…}`, or tsc's __awaiter form). */
export function functionBody(source: string): string | undefined {
  const src = stripComments(source).trim();
  const open = src.indexOf('(');
  if (open < 0) return undefined;
  let depth = 0;
  let close = -1;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '(') depth++;
    else if (src[i] === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return undefined;
  const rest = src.slice(close + 1).trim().replace(/^=>\s*/, '');
  if (!rest.startsWith('{') || !rest.endsWith('}')) return undefined;
  const body = rest.slice(1, -1).trim();
  // Targets below ES2017: `return __awaiter(this, void 0, void 0, function* () { … });`
  const awaiter = /^return\s+__awaiter\(\s*this\s*,[^,]*,[^,]*,\s*function\s*\*\s*\(\s*\)\s*\{([\s\S]*)\}\s*\)\s*;?$/.exec(body);
  return (awaiter ? awaiter[1]! : body).trim();
}

/** Whether a down() can undo anything, from the code, before anyone rolls back. */
export function reversibilityOf(m: Pick<RegisteredMigration, 'hasDown' | 'downSource'>): { reversible: boolean | 'unknown'; reason?: string } {
  if (!m.hasDown) return { reversible: false, reason: 'the class has no down() method: TypeORM cannot revert it' };
  const body = m.downSource === undefined ? undefined : functionBody(m.downSource);
  if (body === undefined) return { reversible: 'unknown' };
  if (body === '') return { reversible: false, reason: 'its down() is empty: migration:revert would delete its row from the migrations table without undoing anything' };
  if (/^throw\b/.test(body)) {
    const message = /throw\s+new\s+\w*Error\(\s*(['"`])([\s\S]*?)\1/.exec(body)?.[2];
    return { reversible: false, reason: message ? `its down() throws: "${message}"` : 'its down() throws' };
  }
  return { reversible: true };
}

/**
 * Does TypeORM run this migration's up() in a transaction here? `all`: one transaction for the whole
 * run; `each`: the instance's `transaction` property, default true; `none`: the property, default false.
 * MySQL commits DDL implicitly, whatever TypeORM asks for.
 */
export function transactionalFor(mode: TransactionMode, own: boolean | null, engine: Engine): boolean | 'unknown' {
  if (engine === 'mysql') return false;
  if (engine === 'other') return 'unknown';
  if (mode === 'all') return own ?? true;
  if (mode === 'each') return own ?? true;
  return own ?? false;
}

const OUT_OF_ORDER_WHY =
  'not executed, but older than the newest executed migration: TypeORM runs it silently in the next migration:run, after newer ones (it does not check timestamps)';

/** What a registered migration says about itself (described by the helper: reversibility, transaction). */
export type Describe<R> = (r: R) => Omit<Migration, 'state' | 'parents'>;

/** Only what the name says: the fast path does not run migration classes. */
export const fromName: Describe<Pick<RegisteredMigration, 'name' | 'file'>> = (r) => ({ id: r.name, name: displayName(r.name), reversible: 'unknown', ...(r.file ? { file: r.file } : {}) });

/** The rows and registered migrations the state is built from (the helper's document, or the fast path's). */
export interface StatusRows<R> {
  registered?: R[];
  executed?: ExecutedRow[];
  migrationsTableName?: string;
}

function fromRegistered(r: RegisteredMigration, doc: HelperDoc): Omit<Migration, 'state' | 'parents'> {
  const m: Omit<Migration, 'state' | 'parents'> = { id: r.name, name: displayName(r.name), reversible: true };
  if (r.file) m.file = r.file;
  const mode = doc.transactionMode ?? 'all';
  const rev = reversibilityOf(r);
  if (rev.reversible === true && r.downConcurrently && doc.engine === 'postgres' && mode !== 'none') {
    rev.reversible = false;
    rev.reason = `its down() uses CONCURRENTLY, and migration:revert runs it inside a transaction (it ignores \`transaction = false\`; only migrationsTransactionMode "none" reverts outside one): PostgreSQL refuses CONCURRENTLY there`;
  }
  m.reversible = rev.reversible;
  if (rev.reason) m.irreversibleReason = rev.reason;
  m.transactional = transactionalFor(mode, r.transaction, doc.engine ?? 'other');
  return m;
}

/**
 * Executed rows in the migrations table's id order (the order they ran, and the order
 * migration:revert undoes them), then pending migrations in TypeORM's order (timestamp). Shared by
 * `status` (migrations described by the helper) and `statusFast` (by name only).
 */
export function migrationsFromStatus(doc: HelperDoc): Migration[];
export function migrationsFromStatus<R extends Pick<RegisteredMigration, 'name'>>(doc: StatusRows<R>, describe: Describe<R>): Migration[];
export function migrationsFromStatus(doc: StatusRows<RegisteredMigration>, describe?: Describe<RegisteredMigration>): Migration[] {
  const describeOne = describe ?? ((r: RegisteredMigration) => fromRegistered(r, doc as HelperDoc));
  const registered = doc.registered ?? [];
  const executed = [...(doc.executed ?? [])].sort((a, b) => a.id - b.id);
  const table = doc.migrationsTableName ?? 'migrations';
  const byName = new Map(registered.map((r) => [r.name, r]));
  const done = new Set(executed.map((r) => r.name));
  let newest: ExecutedRow | undefined;
  const applied: Omit<Migration, 'parents'>[] = executed.map((row) => {
    const r = byName.get(row.name);
    const before = newest;
    if (!newest || row.timestamp > newest.timestamp) newest = row;
    if (!r) {
      return {
        id: row.name,
        name: displayName(row.name),
        state: 'missing-file' as const,
        reversible: false,
        irreversibleReason: `its class is not registered in the data source: migration:revert fails with "No migration ${row.name} was found in the source code"`,
        transactional: 'unknown' as const,
        detail: `recorded in ${table} (id ${row.id}) but not among the data source's migrations`,
      };
    }
    const m = { ...describeOne(r), state: 'applied' as const };
    return before && row.timestamp < before.timestamp ? { ...m, detail: `executed out of order: after ${before.name}, which has a newer timestamp` } : m;
  });
  const pending = registered.filter((r) => !done.has(r.name)).map((r) => ({ ...describeOne(r), state: 'pending' as const }));
  return linearParents(markOutOfOrder([...applied, ...pending] as Migration[], (m) => timestampOf(m.id), OUT_OF_ORDER_WHY));
}

/** The last executed row (by id) and the last registered migration in TypeORM's order. */
export function currentAndHeads(doc: StatusRows<Pick<RegisteredMigration, 'name'>>): { current: string[]; heads: string[] } {
  const executed = [...(doc.executed ?? [])].sort((a, b) => a.id - b.id);
  const registered = doc.registered ?? [];
  return { current: executed.length ? [executed[executed.length - 1]!.name] : [], heads: registered.length ? [registered[registered.length - 1]!.name] : [] };
}

export function statusWarnings(doc: HelperDoc): string[] {
  const w: string[] = [];
  const done = new Set((doc.executed ?? []).map((r) => r.name));
  if (doc.databaseExists === false) w.push('The SQLite database file does not exist yet; TypeORM creates it on the first run. Status did not create it.');
  const overriding = (doc.registered ?? []).filter((r) => !done.has(r.name) && r.transaction !== null).map((r) => r.name);
  if ((doc.transactionMode ?? 'all') === 'all' && overriding.length) {
    w.push(
      `migrationsTransactionMode is "all" but ${overriding.join(', ')} set${overriding.length === 1 ? 's' : ''} \`transaction\`: TypeORM refuses to run (ForbiddenTransactionModeOverrideError) until the data source uses "each" or the property is removed.`,
    );
  }
  const registered = new Set((doc.registered ?? []).map((r) => r.name));
  const missing = (doc.executed ?? []).filter((r) => !registered.has(r.name)).map((r) => r.name);
  if (missing.length) w.push(`Executed but not registered in the data source: ${missing.join(', ')}. TypeORM cannot revert them (migration:revert fails when one of them is the last executed).`);
  return w;
}

// ---- plan -------------------------------------------------------------------------------------------

/** Schema introspection TypeORM runs before DDL (getTable …): read-only catalog queries, not the change. */
export function isCatalogRead(sql: string): boolean {
  if (!/^\s*select\b/i.test(sql)) return false;
  return /\b(information_schema|pg_catalog|pg_class|pg_namespace|pg_constraint|pg_index|pg_attribute|pg_type|pg_inherits|pg_available_extensions|sqlite_master|sqlite_schema|sqlite_sequence)\b|\b(current_schema|current_database|version)\(\)|^\s*select\s+\*\s+from\s+pragma_/i.test(sql);
}

function statement(s: { sql: string; parameters?: unknown[] }): Statement {
  const st: Statement = { sql: s.sql.trim(), kind: 'sql' };
  if (s.parameters?.length) st.note = `parameters: ${JSON.stringify(s.parameters)}`;
  return st;
}

export function planSteps(doc: HelperDoc, steps: Migration[], direction: 'up' | 'down'): { steps: PlanStep[]; catalogReads: number } {
  const captured = new Map((doc.steps ?? []).map((s) => [s.name, s]));
  let catalogReads = 0;
  const out = steps.map((m): PlanStep => {
    const c = captured.get(m.id);
    const base = { migration: m, direction, transactional: m.transactional ?? ('unknown' as const) };
    if (!c) return { ...base, sqlSource: 'unavailable', statements: [], reason: 'the helper did not report this migration' };
    const kept = c.statements.filter((s) => !isCatalogRead(s.sql));
    catalogReads += c.statements.length - kept.length;
    const statements = kept.map(statement);
    if (!statements.length && !c.unavailable) statements.push({ sql: '', kind: 'opaque', note: `${direction}() ran and issued no SQL` });
    const reasons = [c.reason, c.outside ? `${c.outside} quer${c.outside === 1 ? 'y' : 'ies'} went through another connection, outside the preview transaction` : undefined].filter(Boolean);
    return { ...base, sqlSource: c.unavailable ? 'unavailable' : 'sandbox-capture', statements: c.unavailable ? [] : statements, ...(reasons.length ? { reason: reasons.join('; ') } : {}) };
  });
  return { steps: out, catalogReads };
}
