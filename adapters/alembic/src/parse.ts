// Alembic output → normalized values: the helper's status JSON, failures (`FAILED: …` and Python
// tracebacks), offline `--sql` scripts split per revision, and `merge`/`heads` output. All pure.
import { errors, splitStatements } from '@metamig/core';
import type { Direction, Migration, Statement } from '@metamig/core';
import { ancestorsOf, graphOf } from './graph.js';

export interface HelperRevision {
  id: string;
  parents: string[];
  depends_on: string[];
  message: string;
  path: string | null;
  branch_labels: string[];
  is_head: boolean;
  is_merge: boolean;
  reversible: boolean | 'unknown';
  irreversible_reason: string | null;
  autocommit_block: boolean;
}

/** What `helpers/metamig_alembic.py status` prints. */
export interface HelperStatus {
  alembic_version: string;
  sqlalchemy_version: string;
  python_version: string;
  /** The URL env.py really connected to, password hidden by SQLAlchemy. */
  database: string;
  dialect: string;
  transactional_ddl: boolean;
  transaction_per_migration: boolean;
  version_table: string;
  /** Alembic's own walk from base to the heads. */
  revisions: HelperRevision[];
  code_heads: string[];
  db_heads: string[];
  unknown_in_db: string[];
  /** The order `alembic upgrade heads` would run from the current heads; null if unknown. */
  pending_order: string[] | null;
}

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const strs: Check = (v) => Array.isArray(v) && v.every(str);
const orNull = (c: Check): Check => (v) => v === null || c(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Record<string, unknown>, shape: Record<string, Check>) => Object.entries(shape).every(([k, c]) => c(o[k]));

const REVISION_SHAPE: Record<string, Check> = {
  id: str, parents: strs, depends_on: strs, message: str, path: orNull(str), branch_labels: strs,
  is_head: bool, is_merge: bool, reversible: (v) => bool(v) || v === 'unknown', irreversible_reason: orNull(str), autocommit_block: bool,
};
const STATUS_SHAPE: Record<string, Check> = {
  alembic_version: str, sqlalchemy_version: str, python_version: str, database: str, dialect: str,
  transactional_ddl: bool, transaction_per_migration: bool, version_table: str,
  revisions: (v) => Array.isArray(v) && v.every((r) => isObj(r) && has(r, REVISION_SHAPE)),
  code_heads: strs, db_heads: strs, unknown_in_db: strs, pending_order: orNull(strs),
};

/** The JSON document is the last line of stdout that starts with `{`. */
export function parseHelperStatus(stdout: string): HelperStatus {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'));
  let doc: unknown;
  try {
    doc = line === undefined ? undefined : JSON.parse(line);
  } catch {
    doc = undefined;
  }
  if (!isObj(doc) || !has(doc, STATUS_SHAPE)) throw errors.unparseable('alembic', 'status JSON from helpers/metamig_alembic.py', stdout);
  return doc as unknown as HelperStatus;
}

/** What statusFromHelper() reads: the helper's document, or the fast path's reconstruction of it. */
export type StatusInput = Pick<HelperStatus, 'revisions' | 'code_heads' | 'db_heads' | 'unknown_in_db' | 'pending_order' | 'transactional_ddl' | 'version_table'>;

export interface AlembicStatus {
  migrations: Migration[];
  current: string[];
  heads: string[];
  warnings: string[];
}

/**
 * Applied = the database's heads and everything below them (down_revision and depends_on). Order:
 * applied ones in Alembic's walk order (it stores no apply times), revisions the database has but the
 * code does not, then pending ones in the order `alembic upgrade heads` would run them.
 */
export function statusFromHelper(h: StatusInput): AlembicStatus {
  const nodes = h.revisions.map((r) => ({ id: r.id, parents: [...new Set([...r.parents, ...r.depends_on])] }));
  const applied = ancestorsOf(graphOf(nodes), h.db_heads.filter((id) => !h.unknown_in_db.includes(id)));
  const toMigration = (r: HelperRevision, i: number): Migration => {
    const m: Migration = {
      id: r.id,
      name: r.message || r.id,
      parents: nodes[i]!.parents,
      state: applied.has(r.id) ? 'applied' : 'pending',
      reversible: r.reversible,
      // A migration's DDL is in a transaction when the dialect has transactional DDL, except what
      // runs in op.get_context().autocommit_block().
      transactional: h.transactional_ddl && !r.autocommit_block,
    };
    if (r.path) m.file = r.path;
    if (r.irreversible_reason) m.irreversibleReason = r.irreversible_reason;
    if (r.branch_labels.length) m.detail = `branch label${r.branch_labels.length > 1 ? 's' : ''}: ${r.branch_labels.join(', ')}`;
    return m;
  };
  const all = h.revisions.map(toMigration);
  const missing: Migration[] = h.unknown_in_db.map((id) => ({
    id,
    name: id,
    parents: [],
    state: 'missing-file',
    reversible: 'unknown',
    detail: `${h.version_table} holds ${id}, but no revision file in this project defines it (applied from another branch or checkout?)`,
  }));
  const rank = new Map((h.pending_order ?? []).map((id, i) => [id, i]));
  const pending = all
    .filter((m) => m.state === 'pending')
    .map((m, i) => ({ m, key: rank.get(m.id) ?? rank.size + i }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.m);
  const warnings: string[] = [];
  if (missing.length) {
    warnings.push(
      `The database is at ${missing.map((m) => m.id).join(', ')}, which the code does not define: Alembic cannot tell which of the code's revisions below it are applied, so they are shown as pending.`,
    );
  }
  return { migrations: [...all.filter((m) => m.state === 'applied'), ...missing, ...pending], current: h.db_heads, heads: h.code_heads, warnings };
}

// ---- failures ------------------------------------------------------------------------------------

export interface ToolFailure {
  /** The tool's own words: the `FAILED:` message, or the exception line plus its `[SQL: …]`. */
  message: string;
  failedMigration?: string;
}

const LOG_LINE = /^(INFO|WARNI|WARNING|ERROR|DEBUG|CRITI)\s*\[/;

/** The revision Alembic was running last: the target of an upgrade, the source of a downgrade. */
export function lastRunningRevision(output: string): string | undefined {
  let found: string | undefined;
  for (const line of output.split('\n')) {
    const up = /Running upgrade .*?-> ([^\s,]+)/.exec(line);
    const down = /Running downgrade ([^\s,]+) ->/.exec(line);
    if (up && !line.startsWith('--')) found = up[1];
    else if (down && !line.startsWith('--')) found = down[1];
  }
  return found;
}

function exceptionBlock(lines: string[], start: number): string[] {
  // After the frames (indented lines) comes the exception; SQLAlchemy adds [SQL: …] and a link.
  let i = start + 1;
  while (i < lines.length && (/^\s/.test(lines[i]!) || lines[i] === '')) i++;
  const out: string[] = [];
  let inSql = false;
  let skipping = false;
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    if (inSql) {
      out.push(l);
      inSql = !l.trimEnd().endsWith(']');
      continue;
    }
    if (LOG_LINE.test(l) || l.startsWith('Traceback (most recent call last)')) break;
    if (l.startsWith('[SQL:')) {
      out.push(l);
      inSql = !l.trimEnd().endsWith(']');
      skipping = false;
    } else if (l.startsWith('[parameters:') || l.startsWith('(Background on this error')) {
      skipping = true; // parameters may hold data; the link is noise
    } else if (l.trim() !== '' && !(skipping && /^\s/.test(l))) {
      out.push(l);
      skipping = false;
    }
  }
  return out;
}

/** The output with each traceback's stack frames folded into one line: log lines and the error stay. */
export function condenseTracebacks(output: string): string {
  const out: string[] = [];
  let frames = 0;
  const fold = () => {
    if (frames) out.push(`  … (${frames} lines of Python stack frames omitted)`);
    frames = 0;
  };
  let inTraceback = false;
  for (const line of output.split('\n')) {
    if (line.startsWith('Traceback (most recent call last)')) {
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

export function parseFailure(output: string): ToolFailure {
  const lines = output.replace(/\r\n/g, '\n').split('\n');
  const failedMigration = lastRunningRevision(output);
  const withMigration = (message: string): ToolFailure => (failedMigration ? { message, failedMigration } : { message });
  const tb = lines.map((l, i) => (l.startsWith('Traceback (most recent call last)') ? i : -1)).filter((i) => i >= 0).pop();
  if (tb !== undefined) {
    const block = exceptionBlock(lines, tb);
    if (block.length) return withMigration(block.join('\n').trim());
  }
  const failed = lines.map((l, i) => (l.startsWith('FAILED: ') ? i : -1)).filter((i) => i >= 0).pop();
  if (failed !== undefined) {
    const msg = [lines[failed]!.slice('FAILED: '.length)];
    for (let i = failed + 1; i < lines.length && lines[i] !== '' && !LOG_LINE.test(lines[i]!); i++) msg.push(lines[i]!);
    return withMigration(msg.join('\n').trim());
  }
  const last = [...lines].reverse().find((l) => l.trim() !== '');
  return withMigration(last?.trim() ?? 'no output');
}

// ---- offline --sql ---------------------------------------------------------------------------------

/** alembic_version upkeep and the transaction brackets: not part of any migration's own SQL. */
export function isBookkeeping(sql: string): boolean {
  const s = sql.trim();
  if (/^(BEGIN|COMMIT)( TRANSACTION)?$/i.test(s)) return true;
  if (/^(INSERT INTO|UPDATE|DELETE FROM|CREATE TABLE)\b/i.test(s) && /\bversion_num\b/.test(s)) return true;
  return /^DROP TABLE (\w+\.)?alembic_version$/i.test(s);
}

const MARKER = /^-- Running (upgrade|downgrade) (.*?) -> (.*)$/;

export interface OfflineScript {
  /** Statements per revision id, bookkeeping removed, in the order the script emits them. */
  sections: Map<string, Statement[]>;
  /** Revision ids in script order. */
  order: string[];
  bookkeepingDropped: number;
  /** Statements before the first revision that are not bookkeeping (emitted by env.py itself). */
  preamble: Statement[];
}

export function parseOfflineSql(stdout: string, direction: Direction): OfflineScript {
  const sections = new Map<string, Statement[]>();
  const order: string[] = [];
  let bookkeepingDropped = 0;
  const preamble: Statement[] = [];
  let current: string | undefined;
  let buffer: string[] = [];
  const flush = () => {
    for (const sql of splitStatements(buffer.join('\n'))) {
      if (isBookkeeping(sql)) bookkeepingDropped++;
      else (current === undefined ? preamble : sections.get(current)!).push({ sql, kind: 'sql' });
    }
    buffer = [];
  };
  for (const line of stdout.replace(/\r\n/g, '\n').split('\n')) {
    const m = MARKER.exec(line);
    if (!m) {
      buffer.push(line);
      continue;
    }
    flush();
    current = (direction === 'up' ? m[3]! : m[2]!).trim();
    if (!sections.has(current)) {
      sections.set(current, []);
      order.push(current);
    }
  }
  flush();
  return { sections, order, bookkeepingDropped, preamble };
}

// ---- merge / heads -----------------------------------------------------------------------------

/** `Generating /abs/path/versions/abc_merge_heads.py ...  done` → the paths. */
export function parseGenerated(output: string): string[] {
  return [...output.matchAll(/^Generating (.+?) \.\.\.\s+done\s*$/gm)].map((m) => m[1]!);
}

/** `alembic heads` lines: `<rev>[ (<labels>)] (head)` or `(effective head)`. */
export function parseHeads(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => /\((effective )?head\)/.test(l))
    .map((l) => l.trim().split(/\s+/)[0]!)
    .filter(Boolean);
}
