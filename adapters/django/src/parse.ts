// Django output → normalized values: the helper's status JSON, `sqlmigrate` scripts, failures
// (tracebacks and CommandError), `makemigrations --merge` and `showmigrations` output. All pure.
import { errors, splitStatements } from '@metamig/core';
import type { Migration, Statement } from '@metamig/core';
import { appOf, appliedLeaves, graphOf, withDescendants } from './graph.js';

export interface HelperOperation {
  op: string;
  describe: string;
  reversible: boolean;
}

export interface HelperMigration {
  id: string;
  app: string;
  name: string;
  file: string | null;
  /** False for migrations a squash replaces (and for a squash Django cannot use yet). */
  in_graph: boolean;
  parents: string[];
  replaces: string[];
  is_merge: boolean;
  atomic: boolean;
  initial: boolean;
  operations: HelperOperation[];
  reversible: boolean;
  irreversible_reasons: string[];
  recorded: boolean;
  record_id: number | null;
  applied_at: string | null;
  /** Django's view (loader.applied_migrations): a squash counts once all it replaces are recorded. */
  applied: boolean;
}

/** What `helpers/metamig_django.py status` prints. */
export interface HelperStatus {
  django_version: string;
  python_version: string;
  settings_module: string | null;
  database: { vendor: string; engine: string; display: string; can_rollback_ddl: boolean; sqlite_file: string | null; exists: boolean };
  history_table: boolean;
  apps: string[];
  migrations: HelperMigration[];
  recorded: { id: number; app: string; name: string; applied: string | null }[];
  /** Rows of django_migrations that no migration file (nor any squash's `replaces`) accounts for. */
  unknown_recorded: string[];
  leaf_nodes: string[];
  conflicts: Record<string, string[]>;
  /** Pending migrations in the order `migrate` would apply them (executor.migration_plan). */
  plan: string[];
  /** Every graph node in the order `migrate` applies them on an empty database. */
  full_plan: string[];
  inconsistent: string | null;
}

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const num: Check = (v) => typeof v === 'number';
const strs: Check = (v) => Array.isArray(v) && v.every(str);
const orNull = (c: Check): Check => (v) => v === null || c(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Record<string, unknown>, shape: Record<string, Check>) => Object.entries(shape).every(([k, c]) => c(o[k]));
const listOf = (shape: Record<string, Check>): Check => (v) => Array.isArray(v) && v.every((x) => isObj(x) && has(x, shape));

const MIGRATION_SHAPE: Record<string, Check> = {
  id: str, app: str, name: str, file: orNull(str), in_graph: bool, parents: strs, replaces: strs, is_merge: bool,
  atomic: bool, initial: bool, operations: listOf({ op: str, describe: str, reversible: bool }), reversible: bool,
  irreversible_reasons: strs, recorded: bool, record_id: orNull(num), applied_at: orNull(str), applied: bool,
};
const STATUS_SHAPE: Record<string, Check> = {
  django_version: str, python_version: str, settings_module: orNull(str),
  database: (v) => isObj(v) && has(v, { vendor: str, engine: str, display: str, can_rollback_ddl: bool, sqlite_file: orNull(str), exists: bool }),
  history_table: bool, apps: strs, migrations: listOf(MIGRATION_SHAPE),
  recorded: listOf({ id: num, app: str, name: str, applied: orNull(str) }), unknown_recorded: strs, leaf_nodes: strs,
  conflicts: (v) => isObj(v) && Object.values(v).every(strs), plan: strs, full_plan: strs, inconsistent: orNull(str),
};

/** The helper's JSON document: the last line of stdout that starts with `{` (settings may print). */
export function lastJsonLine(stdout: string): unknown {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'));
  try {
    return line === undefined ? undefined : JSON.parse(line);
  } catch {
    return undefined;
  }
}

export function parseHelperStatus(stdout: string): HelperStatus {
  const doc = lastJsonLine(stdout);
  if (!isObj(doc) || !has(doc, STATUS_SHAPE)) throw errors.unparseable('django', 'status JSON from helpers/metamig_django.py', stdout);
  return doc as unknown as HelperStatus;
}

/** What statusFromHelper() reads: the helper's document, or the fast path's reconstruction of it. */
export type StatusInput = Pick<HelperStatus, 'migrations' | 'recorded' | 'unknown_recorded' | 'conflicts' | 'plan' | 'full_plan' | 'inconsistent'> & {
  database: Pick<HelperStatus['database'], 'can_rollback_ddl'>;
};

export interface DjangoStatus {
  migrations: Migration[];
  current: string[];
  heads: string[];
  warnings: string[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Migrations as Django sees them (the graph after squash replacement, like `showmigrations`):
 * applied ones in the order django_migrations recorded them, rows without a file among them, then
 * pending ones in Django's plan order.
 */
export function statusFromHelper(h: StatusInput): DjangoStatus {
  const recordId = new Map(h.recorded.map((r) => [`${r.app}.${r.name}`, r]));
  const transactionalDdl = h.database.can_rollback_ddl;
  const warnings: string[] = [];

  const toMigration = (m: HelperMigration): Migration => {
    const out: Migration = {
      id: m.id,
      name: m.name,
      parents: m.parents,
      state: m.applied ? 'applied' : 'pending',
      reversible: m.reversible,
      transactional: m.atomic && transactionalDdl,
    };
    if (m.file) out.file = m.file;
    if (!m.reversible) out.irreversibleReason = m.irreversible_reasons.join('; ');
    const details: string[] = [];
    if (m.replaces.length) {
      details.push(`squashes ${plural(m.replaces.length, 'migration')}: ${m.replaces.join(', ')}`);
      const times = m.replaces.map((r) => recordId.get(r)?.applied).filter((t): t is string => !!t).sort();
      if (m.applied && !m.recorded) {
        details.push("Django counts it as applied because every migration it replaces is recorded; the next `manage.py migrate` records it too (`showmigrations` shows [-] until then)");
        if (times.length) out.appliedAt = times[times.length - 1]!;
      }
    }
    if (m.is_merge) details.push(`merge migration joining ${m.parents.filter((p) => appOf(p) === m.app).join(', ')}`);
    if (m.applied && m.applied_at) out.appliedAt = m.applied_at;
    if (details.length) out.detail = details.join('; ');
    return out;
  };

  const nodes = h.migrations.filter((m) => m.in_graph);
  // Where an applied migration sits in apply order: its row's id; a squash sits where the last
  // migration it replaces was recorded (its own row is written later, by the next migrate).
  const position = (m: HelperMigration): number => {
    const replaced = m.replaces.map((r) => recordId.get(r)?.id);
    if (m.replaces.length && replaced.every((x) => x !== undefined)) return Math.max(...(replaced as number[]));
    return m.record_id ?? Number.MAX_SAFE_INTEGER;
  };
  const applied = nodes
    .filter((m) => m.applied)
    .map((m) => ({ key: position(m), m: toMigration(m) }));
  const missing = h.unknown_recorded.map((id) => {
    const row = recordId.get(id);
    const m: Migration = {
      id,
      name: id.slice(id.indexOf('.') + 1),
      parents: [],
      state: 'missing-file',
      reversible: 'unknown',
      detail: `django_migrations records ${id}, but no migration file of this project defines it (deleted, from another branch, or an app no longer installed)`,
    };
    if (row?.applied) m.appliedAt = row.applied;
    return { key: row?.id ?? Number.MAX_SAFE_INTEGER, m };
  });
  const ordered = [...applied, ...missing].sort((a, b) => a.key - b.key || a.m.id.localeCompare(b.m.id)).map((x) => x.m);

  const rank = new Map(h.plan.map((id, i) => [id, i]));
  const fullRank = new Map(h.full_plan.map((id, i) => [id, i]));
  const pending = nodes
    .filter((m) => !m.applied)
    .map((m) => ({ m: toMigration(m), key: rank.get(m.id) ?? h.plan.length + (fullRank.get(m.id) ?? 0) }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.m);
  let migrations = [...ordered, ...pending];

  if (h.inconsistent) {
    // A pending migration below an applied one: Django refuses to migrate until it is resolved.
    const g = graphOf(migrations);
    const appliedIds = new Set(ordered.filter((m) => m.state === 'applied').map((m) => m.id));
    migrations = migrations.map((m) =>
      m.state === 'pending' && [...withDescendants(g, m.id)].some((d) => appliedIds.has(d))
        ? { ...m, state: 'out-of-order', detail: `not applied, but applied migrations depend on it: ${h.inconsistent}` }
        : m,
    );
    warnings.push(`Django reports an inconsistent history and will refuse to migrate: ${h.inconsistent}`);
  }

  for (const m of h.migrations.filter((x) => x.replaces.length && !x.in_graph)) {
    const done = m.replaces.filter((r) => recordId.has(r));
    warnings.push(
      `${m.id} squashes ${m.replaces.join(', ')}, but only ${done.length} of them ${done.length === 1 ? 'is' : 'are'} applied: Django does not use a partly applied squash, so the migrations it replaces are listed instead (as \`showmigrations\` does).`,
    );
  }
  if (h.unknown_recorded.length) {
    warnings.push(
      `django_migrations records ${h.unknown_recorded.join(', ')}, which no migration file defines. Django ignores such rows; check out the code that has them, or, once they are gone for good, \`python manage.py migrate --prune <app>\` deletes the rows.`,
    );
  }
  const conflicts = Object.entries(h.conflicts);
  for (const [app, leaves] of conflicts) {
    warnings.push(`App ${app} has ${leaves.length} leaf migrations (${leaves.join(', ')}): \`manage.py migrate\` refuses to run until they are merged (\`metamig merge\` runs \`makemigrations --merge\`).`);
  }
  // heads: a conflict is several leaves in ONE app; one leaf in each of several apps is normal.
  const last = h.full_plan[h.full_plan.length - 1];
  const heads = conflicts.length ? conflicts.flatMap(([, leaves]) => leaves) : last ? [last] : [];
  return { migrations, current: appliedLeaves(migrations), heads, warnings };
}

// ---- sqlmigrate ----------------------------------------------------------------------------------------

export interface SqlmigrateOperation {
  op: string;
  describe: string;
  reduces_to_sql: boolean;
  /** The Python function RunPython would call (reverse_code when backwards). */
  code?: string;
}

export interface SqlmigrateResult {
  id: string;
  operations: SqlmigrateOperation[];
  ok: boolean;
  sql: string;
  stderr: string;
  error?: string;
}

export interface SqlmigrateDoc {
  results: SqlmigrateResult[];
  vendor: string;
  sqlite_file: string | null;
  created_sqlite_file: boolean;
  created_history_table: boolean;
}

const SQLMIGRATE_SHAPE: Record<string, Check> = {
  results: listOf({ id: str, operations: listOf({ op: str, describe: str, reduces_to_sql: bool }), ok: bool, sql: str, stderr: str }),
  vendor: str, sqlite_file: orNull(str), created_sqlite_file: bool, created_history_table: bool,
};

export function parseSqlmigrateDoc(stdout: string): SqlmigrateDoc {
  const doc = lastJsonLine(stdout);
  if (!isObj(doc) || !has(doc, SQLMIGRATE_SHAPE)) throw errors.unparseable('django', 'sqlmigrate JSON from helpers/metamig_django.py', stdout);
  return doc as unknown as SqlmigrateDoc;
}

export const OPAQUE_NOTE = 'code that cannot be previewed statically: Django runs it when migrating; sqlmigrate prints no SQL for it';

export interface SqlmigrateScript {
  statements: Statement[];
  /** sqlmigrate wrapped the script in BEGIN/COMMIT: atomic migration on a transactional-DDL backend. */
  transactional: boolean;
}

/**
 * One `sqlmigrate` script → statements. Each operation is introduced by `--` / `-- <description>` /
 * `--`; its SQL follows, or `-- THIS OPERATION CANNOT BE WRITTEN AS SQL` (RunPython → opaque).
 * BEGIN/COMMIT are dropped and reported as `transactional`.
 */
export function parseSqlmigrate(sql: string, operations: readonly SqlmigrateOperation[] = []): SqlmigrateScript {
  const lines = sql.replace(/\r\n/g, '\n').split('\n');
  const statements: Statement[] = [];
  let transactional = false;
  let note: string | undefined;
  let buffer: string[] = [];
  const opaque = operations.filter((o) => !o.reduces_to_sql);
  let opaqueSeen = 0;
  const flush = () => {
    for (const s of splitStatements(buffer.join('\n'))) {
      if (/^(BEGIN|COMMIT)$/i.test(s)) {
        transactional = true;
        continue;
      }
      statements.push({ sql: `${s};`, kind: 'sql', ...(note ? { note } : {}) });
    }
    buffer = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '--' && lines[i + 1]?.startsWith('-- ') && lines[i + 2] === '--') {
      flush();
      note = lines[i + 1]!.slice(3);
      i += 2;
    } else if (line === '-- THIS OPERATION CANNOT BE WRITTEN AS SQL') {
      flush();
      const op = opaque[opaqueSeen++];
      const what = op ? `${op.op}${op.code ? `(${op.code})` : ''}` : (note ?? 'An operation');
      statements.push({ sql: '', kind: 'opaque', note: `${what}: ${OPAQUE_NOTE}` });
    } else if (line === '-- (no-op)') {
      flush();
    } else {
      buffer.push(line);
    }
  }
  flush();
  return { statements, transactional };
}

// ---- failures --------------------------------------------------------------------------------------

export interface ToolFailure {
  /** The tool's own words: the exception (with psycopg's LINE/^ context) or the CommandError. */
  message: string;
  failedMigration?: string;
}

/** The migration `migrate` was running when it stopped: `Applying shop.0004_x...` without ` OK`. */
export function runningMigration(stdout: string): string | undefined {
  let last: string | undefined;
  for (const m of stdout.matchAll(/(?:Applying|Unapplying) (\w+\.\w+)\.\.\.(.*)$/gm)) {
    last = /\b(OK|FAKED)\b/.test(m[2]!) ? undefined : m[1];
  }
  return last;
}

function lastException(lines: string[]): string[] | undefined {
  const tb = lines.map((l, i) => (l.startsWith('Traceback (most recent call last)') ? i : -1)).filter((i) => i >= 0).pop();
  if (tb === undefined) return undefined;
  let i = tb + 1;
  while (i < lines.length && /^\s/.test(lines[i]!)) i++;
  const out: string[] = [];
  for (; i < lines.length && lines[i]!.trim() !== ''; i++) out.push(lines[i]!);
  return out.length ? out : undefined;
}

export function parseFailure(stdout: string, stderr: string): ToolFailure {
  const failedMigration = runningMigration(stdout);
  const withMigration = (message: string): ToolFailure => (failedMigration ? { message, failedMigration } : { message });
  const lines = stderr.replace(/\r\n/g, '\n').split('\n');
  const exc = lastException(lines);
  if (exc) return withMigration(exc.join('\n').trim());
  const cmd = lines.findIndex((l) => l.startsWith('CommandError: '));
  if (cmd >= 0) return withMigration(lines.slice(cmd).join('\n').trim().replace(/^CommandError: /, ''));
  const last = [...lines, ...stdout.split('\n')].reverse().find((l) => l.trim() !== '');
  return withMigration(last?.trim() ?? 'no output');
}

/** The output with each traceback's stack frames folded into one line. */
export function condenseTracebacks(output: string): string {
  const out: string[] = [];
  let frames = 0;
  let inTraceback = false;
  const fold = () => {
    if (frames) out.push(`  … (${frames} lines of Python stack frames omitted)`);
    frames = 0;
  };
  for (const line of output.split('\n')) {
    if (line.startsWith('Traceback (most recent call last)')) {
      fold();
      inTraceback = true;
      out.push(line);
    } else if (inTraceback && /^\s/.test(line)) {
      frames++;
    } else {
      fold();
      inTraceback = false;
      out.push(line);
    }
  }
  fold();
  return out.join('\n');
}

// ---- makemigrations --merge / showmigrations ------------------------------------------------------------

/** `Created new merge migration /abs/shop/migrations/0005_merge_….py` → the paths. */
export const parseMergeCreated = (output: string): string[] => [...output.matchAll(/^Created new merge migration (.+?)\s*$/gm)].map((m) => m[1]!);

export interface ShownMigration {
  app: string;
  name: string;
  /** `X` applied, ` ` pending, `-` applied per Django but the squash itself not yet recorded. */
  mark: 'X' | ' ' | '-';
}

/** `showmigrations` (list format): `app` lines, then ` [X] 0001_initial` entries. */
export function parseShowmigrationsList(stdout: string): ShownMigration[] {
  const out: ShownMigration[] = [];
  let app: string | undefined;
  for (const line of stdout.split('\n')) {
    const entry = /^ \[([X -])\] (\S+)/.exec(line);
    if (entry && app) out.push({ app, name: entry[2]!, mark: entry[1] as ShownMigration['mark'] });
    else if (/^\w+$/.test(line)) app = line;
  }
  return out;
}
