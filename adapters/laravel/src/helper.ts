// The helper's JSON document (helpers/metamig_laravel.php) and the migration list built from it, or
// from artisan's migrate:status text when the helper could not answer. Pure.
import { isApplied, linearParents, markOutOfOrder, type Migration } from '@metamig/core';
import { descriptionOf, type TextStatus } from './parse.js';

export type DownKind = 'present' | 'missing' | 'empty' | 'throws' | 'unknown';

export interface HelperFile {
  name: string;
  /** Relative to the project root (absolute when outside it). */
  path: string;
  down: DownKind;
  downMessage?: string;
  withinTransaction?: boolean;
  /** The migration's own `$connection` property. */
  connection?: string;
}

export interface HelperStatus {
  ok: true;
  op: 'status';
  laravelVersion: string;
  php: string;
  connection: { name: string; driver: string; database: string | null; host: string | null };
  missingSqliteFile: string | null;
  table: string;
  repositoryExists: boolean;
  schemaTransactions: boolean;
  configCached: boolean;
  paths: string[];
  files: HelperFile[];
  ran: { migration: string; batch: number }[];
  schemaDumps: string[];
}

export interface HelperPlan {
  ok: true;
  op: 'plan';
  laravelVersion: string;
  command: string;
  driver: string;
  table: string;
  exitCode: number | null;
  output: string;
  queries: { sql: string; bindings: unknown[] }[];
  tableBefore: boolean;
  tableAfter: boolean;
  temporaryDatabase: boolean;
  commandError: { message: string; class: string } | null;
}

export interface HelperFailure {
  ok: false;
  op: string;
  /** boot: artisan could not start the app; config/database: the project's problem; helper: ours. */
  stage: 'boot' | 'config' | 'database' | 'helper';
  error: { message: string; class: string; file?: string; line?: number };
}

export type HelperDoc = HelperStatus | HelperPlan | HelperFailure;

/** The helper's line (the last one starting with {"metamig_laravel":1) and whatever artisan printed around it. */
export function parseHelperOutput(stdout: string): { doc?: HelperDoc; artisanOutput: string } {
  const lines = stdout.split('\n');
  let at = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.startsWith('{"metamig_laravel":1')) {
      at = i;
      break;
    }
  }
  if (at < 0) return { artisanOutput: stdout.trim() };
  const artisanOutput = [...lines.slice(0, at), ...lines.slice(at + 1)].join('\n').trim();
  try {
    return { doc: JSON.parse(lines[at]!) as HelperDoc, artisanOutput };
  } catch {
    return { artisanOutput: stdout.trim() };
  }
}

function reversibility(f: HelperFile | undefined): Pick<Migration, 'reversible' | 'irreversibleReason'> {
  switch (f?.down) {
    case 'present':
      return { reversible: true };
    case 'missing':
      return { reversible: false, irreversibleReason: 'no down() method: `migrate:rollback` would only delete its row from the migrations table and leave the schema as it is' };
    case 'empty':
      return { reversible: false, irreversibleReason: 'its down() is empty: `migrate:rollback` would only delete its row from the migrations table and leave the schema as it is' };
    case 'throws':
      return { reversible: false, irreversibleReason: f.downMessage ? `its down() only throws: "${f.downMessage}"` : 'its down() only throws' };
    default:
      return { reversible: 'unknown' };
  }
}

export interface StatusInput {
  /** Migration files in Laravel's order (by name), with what the helper read in them. */
  files: (Pick<HelperFile, 'name'> & Partial<HelperFile>)[];
  /** Rows of the migrations table, in Laravel's order (batch, then name). */
  ran: { migration: string; batch: number }[];
  /** Does Laravel wrap migrations in a transaction on this connection (PostgreSQL yes, SQLite no)? */
  schemaTransactions: boolean | 'unknown';
}

/**
 * Apply order: applied rows as Laravel orders them (batch, then name — the order migrate:rollback
 * --step undoes in reverse), rows without a file among them, then pending files in name order.
 */
export function migrationsFrom(input: StatusInput): Migration[] {
  const files = new Map(input.files.map((f) => [f.name, f]));
  const ran = [...input.ran].sort((a, b) => a.batch - b.batch || (a.migration < b.migration ? -1 : a.migration > b.migration ? 1 : 0));
  const ranNames = new Set(ran.map((r) => r.migration));
  const migration = (id: string, f: StatusInput['files'][number] | undefined): Migration => {
    const transactional =
      input.schemaTransactions === 'unknown' || !f || f.withinTransaction === undefined || f.connection
        ? 'unknown'
        : input.schemaTransactions && f.withinTransaction;
    return {
      id,
      name: descriptionOf(id),
      ...(f?.path ? { file: f.path } : {}),
      parents: [],
      state: 'pending',
      ...(f ? reversibility(f as HelperFile) : { reversible: 'unknown' as const }),
      transactional,
    };
  };
  let newest = '';
  const applied: Migration[] = ran.map((r) => {
    const f = files.get(r.migration);
    const m: Migration = { ...migration(r.migration, f), state: f ? 'applied' : 'missing-file', batch: r.batch };
    if (!f) {
      m.detail = `recorded in the migrations table (batch ${r.batch}) but there is no file ${r.migration}.php in the migration paths: applied from another branch, or deleted`;
    } else if (r.migration < newest) {
      m.detail = `applied out of order: batch ${r.batch} ran it after ${newest}, which sorts after it`;
    }
    if (r.migration > newest) newest = r.migration;
    return m;
  });
  const pending = input.files.filter((f) => !ranNames.has(f.name)).map((f) => migration(f.name, f));
  const all = linearParents([...applied, ...pending]);
  return markOutOfOrder(
    all,
    (m) => m.id,
    'not applied, but older than a migration that is: Laravel runs it in the next batch, after the newer ones',
  );
}

/** The last applied migration in apply order (what the database "is at"). */
export function currentOf(migrations: Migration[]): string[] {
  const last = migrations.filter(isApplied).pop();
  return last ? [last.id] : [];
}

/** From migrate:status text (the fallback): names, batches and whatever file paths are known. */
export function inputFromText(text: TextStatus, filesOnDisk: { name: string; path: string }[]): StatusInput {
  const paths = new Map(filesOnDisk.map((f) => [f.name, f.path]));
  // The text lists files only (Laravel <= 10 never shows rows without a file); with no table, nothing.
  const listed = text.tableMissing ? filesOnDisk.map((f) => ({ name: f.name, ran: false })) : text.rows;
  return {
    files: listed.map((r) => ({ name: r.name, ...(paths.has(r.name) ? { path: paths.get(r.name)! } : {}), down: 'unknown' as const })),
    ran: listed.filter((r) => r.ran).map((r) => ({ migration: r.name, batch: (r as { batch?: number }).batch ?? 0 })),
    schemaTransactions: 'unknown',
  };
}
