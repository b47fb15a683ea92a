// `metamig status --fast`: the table path of `status` without starting any process — the migrations
// folder read from disk, `_prisma_migrations` read through core's HistoryReader, and the same pure
// functions (migrationsFromHistory, prismaState) turning them into the state. It refuses
// (OPERATION.UNSUPPORTED, the CLI then runs the full path) whenever the database Prisma would use
// cannot be known without executing the project's config.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AdapterContext, type MigrationState, MigratorError, type Project } from '@metamig/core';
import { NATIVE_STATUS } from './argv.js';
import { type HistoryRow, cliBlindSpots, migrationsFromHistory } from './history.js';
import { type Connection, type PrismaProject, loadProject } from './project.js';
import { layoutWarnings, prismaState } from './status.js';

export const HISTORY_TABLE = '_prisma_migrations';

const majorOf = (version: string | undefined) => (version ? Number(version.split('.')[0]) : undefined);

/**
 * Why the fast path cannot be exact for this project, or undefined when it can. Without metamig's own
 * URL it trusts only what Prisma itself would read without running code: a literal url, or a real
 * environment variable the schema names (and .env only where Prisma 6 loads it itself).
 */
export function fastRefusal(p: PrismaProject): string | undefined {
  if (p.connectionOrigin === 'override') return undefined;
  if (!p.connection) return `no database URL is known without running Prisma (${p.connectionProblem ?? 'no datasource url'})`;
  const config = p.layout.configFile;
  const major = majorOf(p.cli?.version);
  if (config && p.layout.config?.hasAdapter) {
    return `${config} gives Prisma a driver adapter: the database migrate uses is built by that code, not read from the datasource url`;
  }
  const fromConfig = Boolean(p.layout.config?.datasourceUrl);
  if (fromConfig && p.connectionOrigin !== 'literal') {
    return `the datasource url is set in ${config} (code: Prisma evaluates it, with whatever environment the file loads); only a literal url there is read directly`;
  }
  if (!fromConfig && major !== undefined && major >= 7) {
    return `Prisma ${p.cli!.version} reads the database URL from prisma.config, not from the schema's datasource url`;
  }
  if (p.connectionOrigin === 'dotenv') {
    if (config) return `the URL comes from a .env file that ${config} loads itself (code): with a config file, Prisma does not load .env`;
    if (major === undefined) return "the URL comes from a .env file, and whether Prisma loads it depends on its version: the project's prisma package was not found";
    if (major >= 7) return `the URL comes from a .env file, which Prisma ${p.cli!.version} does not load`;
  }
  if (p.connectionOrigin === 'environment' && config) {
    const text = configMutatesEnv(p);
    if (text) return `${config} changes the environment itself (${text}), so the variable's value when Prisma runs is not known without running it`;
  }
  return undefined;
}

/** A config that writes process.env or loads a .env with override could change the URL variable. */
function configMutatesEnv(p: PrismaProject): string | undefined {
  let raw = '';
  try {
    raw = readFileSync(join(p.layout.absRoot, p.layout.configFile!), 'utf8');
  } catch {
    return 'it could not be read';
  }
  if (/process\.env(?:\.\w+|\[[^\]]+\])\s*(?:=(?!=)|\?\?=|\|\|=)/.test(raw)) return 'it assigns process.env';
  if (/Object\.assign\(\s*process\.env/.test(raw)) return 'it assigns process.env';
  if (/override\s*:\s*true/.test(raw) && (p.layout.config?.loadsDotenv || /loadEnvFile/.test(raw))) return 'it loads .env with override: true';
  return undefined;
}

/** What the reader connects to: Prisma's `?schema=` is not a libpq parameter, but the table's schema. */
export function readerTarget(c: Connection): { url: string; schema?: string } {
  // file:/abs/path (loadProject made it absolute); the reader decodes it exactly as the helper does.
  if (c.engine === 'sqlite') return { url: `sqlite://${c.url.slice('file:'.length)}` };
  const u = new URL(c.url);
  const schema = u.searchParams.get('schema') || 'public';
  u.searchParams.delete('schema');
  return { url: u.toString(), schema };
}

const qi = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The helper's own read (helpers/metamig-prisma.cjs): every column, in the order Prisma reads them. */
export function selectHistorySql(schema?: string): string {
  const table = schema ? `${qi(schema)}.${qi(HISTORY_TABLE)}` : HISTORY_TABLE;
  return `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count FROM ${table} ORDER BY started_at ASC`;
}

/** A timestamp as the helper reports it: Date (pg), unix ms (native engine on SQLite), or text. */
export function toIso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number' || typeof v === 'bigint') return new Date(Number(v)).toISOString();
  const s = String(v);
  const d = new Date(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(s) ? `${s.replace(' ', 'T')}Z` : s); // CURRENT_TIMESTAMP is UTC
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

export function rowFromDb(r: Record<string, unknown>): HistoryRow {
  return {
    id: String(r.id),
    checksum: String(r.checksum),
    finishedAt: toIso(r.finished_at),
    migrationName: String(r.migration_name),
    logs: r.logs === null || r.logs === undefined ? null : String(r.logs),
    rolledBackAt: toIso(r.rolled_back_at),
    startedAt: toIso(r.started_at)!,
    appliedStepsCount: Number(r.applied_steps_count),
  };
}

export async function statusFast(project: Project, ctx: AdapterContext): Promise<MigrationState> {
  const started = performance.now();
  if (!ctx.history) throw unsupported(project, 'no direct database reader was given (it is only available to `metamig status --fast`)');
  const p = loadProject(project);
  const why = fastRefusal(p);
  if (why) throw unsupported(project, why);
  const { url, schema } = readerTarget(p.connection!);
  const sql = selectHistorySql(schema);
  const hasTable = await ctx.history.tableExists(url, HISTORY_TABLE, schema);
  const rows = hasTable ? (await ctx.history.query(url, sql)).map(rowFromDb) : [];
  const table = { hasTable, rows };
  const migrations = migrationsFromHistory(p.folder, table, { transactional: p.transactional });
  const source = {
    command: [],
    native: `${hasTable ? sql : `(no ${HISTORY_TABLE} table)`} — the table \`${NATIVE_STATUS}\` reads`,
    durationMs: Math.round(performance.now() - started),
    via: 'history-table' as const,
    ...(p.cli ? { toolVersion: p.cli.version } : {}),
  };
  return prismaState(project, p, migrations, source, [...layoutWarnings(p), ...cliBlindSpots(p.folder, table)]);
}

function unsupported(project: Project, why: string): MigratorError {
  return new MigratorError({
    code: 'OPERATION.UNSUPPORTED',
    summary: `${project.id}: the fast status path cannot read this Prisma project directly.`,
    why,
    fix: 'Pass --database-url, or set projects[].database in the metamig config (or run `metamig status` without --fast).',
  });
}
