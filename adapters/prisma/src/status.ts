// Status from two independent paths that must agree: (1) the project's own `prisma migrate status`,
// parsed; (2) `_prisma_migrations` + the migrations folder read directly (checksums, times, logs),
// which also works where Prisma's engines cannot run. The state is built from (2) when it can be
// read; (1) is checked against what Prisma would print for that table, and every disagreement is
// reported. Without (2), the state comes from (1) alone.
import { existsSync } from 'node:fs';
import {
  type AdapterContext,
  type Migration,
  MigratorError,
  type MigrationState,
  type Project,
  type RunResult,
  type Source,
  buildState,
  isApplied,
  sourceOf,
} from '@metamig/core';
import { HELPER_URL_ENV, NATIVE_STATUS, helperArgs, statusArgs } from './argv.js';
import { type TableRead, cliBlindSpots, describeCliStatus, diagnosisDifferences, migrationsFromCli, migrationsFromHistory, predictCliStatus } from './history.js';
import { type CliStatus, type HelperDoc, cleanOutput, parseCliStatus, parseHelperOutput } from './parse.js';
import { type PrismaProject, loadProject, sqliteFileOf } from './project.js';

export const INSTALL_HINT = "metamig runs the project's own Prisma CLI: run `npm install -D prisma` in the project (and the driver adapter its prisma.config.ts uses).";

export async function runPrisma(project: Project, p: PrismaProject, ctx: AdapterContext, args: (entry: string) => string[]): Promise<RunResult> {
  if (!p.cli) {
    throw new MigratorError({ code: 'TOOL.NOT_FOUND', summary: `prisma is not installed in ${project.id}.`, why: `No prisma package resolves from ${project.absRoot}.`, fix: INSTALL_HINT });
  }
  const node = ctx.toolchains.require(ctx.toolchains.node());
  return ctx.runner.run(node, args(p.cli.entry), {
    cwd: project.absRoot,
    env: p.env,
    signal: ctx.signal,
    ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
    tool: 'prisma',
    installHint: INSTALL_HINT,
  });
}

export async function callHelper(project: Project, p: PrismaProject, ctx: AdapterContext, op: 'read' | 'apply' | 'revert', req: object): Promise<{ run: RunResult; doc: HelperDoc }> {
  const node = ctx.toolchains.require(ctx.toolchains.node());
  const run = await ctx.runner.run(node, helperArgs(op), {
    cwd: project.absRoot,
    env: { ...project.env, [HELPER_URL_ENV]: p.connection!.url },
    input: JSON.stringify({ engine: p.connection!.engine, ...req }),
    signal: ctx.signal,
    ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
    tool: 'metamig-prisma helper',
  });
  return { run, doc: parseHelperOutput(run, op) };
}

export type CliRead = { ran: true; run: RunResult; status: CliStatus } | { ran: false; why: string };

/** Path (1): the project's `prisma migrate status`, unless it cannot run here. */
export async function readCliStatus(project: Project, ctx: AdapterContext, p: PrismaProject = loadProject(project)): Promise<CliRead> {
  if (!p.cli) return { ran: false, why: `prisma is not installed in the project (${INSTALL_HINT})` };
  if (p.connection?.engine === 'sqlite' && !existsSync(sqliteFileOf(p.connection))) {
    return { ran: false, why: `the SQLite database ${sqliteFileOf(p.connection)} does not exist yet (prisma migrate status would create an empty file)` };
  }
  const run = await runPrisma(project, p, ctx, statusArgs);
  return { ran: true, run, status: parseCliStatus(run.stdout, run.stderr, run.exitCode) };
}

export type TableResult = { table: TableRead; run: RunResult; doc: HelperDoc } | { problem: string; run?: RunResult };

/** Path (2): `_prisma_migrations` read directly (never creates the table or a SQLite file). */
export async function readTable(project: Project, ctx: AdapterContext, p: PrismaProject = loadProject(project)): Promise<TableResult> {
  if (!p.connection) return { problem: p.connectionProblem ?? 'no database URL' };
  const { run, doc } = await callHelper(project, p, ctx, 'read', {});
  if (!doc.ok) return { problem: `reading _prisma_migrations failed: ${doc.error?.message ?? 'unknown error'}`, run };
  return { table: { hasTable: doc.hasTable === true, rows: doc.rows ?? [] }, run, doc };
}

/** Why the CLI's answer cannot be used, in words, when it is an error. */
function cliProblem(cli: CliRead, p: PrismaProject, table: TableRead | undefined): string | undefined {
  if (!cli.ran) return cli.why;
  if (cli.status.kind !== 'error') return undefined;
  const { code, message } = cli.status;
  if (code === 'P1014' && p.connection?.engine === 'sqlite' && table && !table.hasTable) {
    return "prisma migrate status cannot read an SQLite database without _prisma_migrations through the JS schema engine (P1014 instead of \"not managed\"; a limit of Prisma's driver-adapter engine)";
  }
  if (/binaries\.prisma\.sh|schema-engine binary/.test(message)) {
    return `prisma ${p.cli?.version ?? ''} needs its native schema engine, which it downloads from binaries.prisma.sh (unreachable here): ${message.split('\n')[0]}`;
  }
  return `prisma migrate status failed${code ? ` (${code})` : ''}: ${message.split('\n')[0]}`;
}

export async function status(project: Project, ctx: AdapterContext): Promise<MigrationState> {
  const started = performance.now();
  const p = loadProject(project);
  const [cli, tableResult] = await Promise.all([readCliStatus(project, ctx, p), readTable(project, ctx, p)]);
  const table = 'table' in tableResult ? tableResult.table : undefined;
  const problem = cliProblem(cli, p, table);
  const opts = { transactional: p.transactional };
  const names = p.folder.map((f) => f.name);
  const warnings = layoutWarnings(p);

  let migrations;
  if (table) {
    migrations = migrationsFromHistory(p.folder, table, opts);
    if (cli.ran && !problem) {
      const expected = predictCliStatus(names, table);
      for (const d of diagnosisDifferences(cli.status, expected)) {
        warnings.push(`prisma migrate status and _prisma_migrations disagree: ${d}. Does the project's prisma.config use a different database than ${p.connection!.from}?`);
      }
    }
    if (problem) warnings.push(`Read _prisma_migrations directly: ${problem}.`);
    warnings.push(...cliBlindSpots(p.folder, table));
  } else if (cli.ran && cli.status.kind !== 'error') {
    migrations = migrationsFromCli(p.folder, cli.status, opts);
    warnings.push(`From prisma migrate status only (${'problem' in tableResult ? tableResult.problem : 'no table read'}): no applied times, checksums or failure logs.`);
  } else {
    const cliText = cli.ran ? cleanOutput(`${cli.run.stdout}\n${cli.run.stderr}`) : cli.why;
    throw new MigratorError({
      code: 'TOOL.FAILED',
      summary: `${project.id}: neither prisma migrate status nor a direct read of _prisma_migrations worked.`,
      why: `prisma migrate status: ${problem ?? describeCliStatus((cli as { status: CliStatus }).status)}\n_prisma_migrations: ${'problem' in tableResult ? tableResult.problem : ''}`,
      toolOutput: cliText,
      fix: `Check that the database (${project.database.description}) is reachable and that the project's Prisma setup runs: \`${NATIVE_STATUS}\` in ${project.absRoot}.`,
    });
  }

  const version = p.cli?.version;
  const durationMs = Math.round(performance.now() - started);
  const source =
    cli.ran && !problem
      ? { ...sourceOf(cli.run, NATIVE_STATUS, version), durationMs }
      : { command: 'run' in tableResult && tableResult.run ? tableResult.run.command : [], native: NATIVE_STATUS, durationMs, via: 'history-table' as const, ...(version ? { toolVersion: version } : {}) };
  return prismaState(project, p, migrations, source, warnings);
}

/** Problems visible in the files alone (shared by both status paths). */
export function layoutWarnings(p: PrismaProject): string[] {
  const warnings: string[] = [];
  if (p.layout.lockProvider && p.layout.datasource?.provider && p.layout.lockProvider !== p.layout.datasource.provider) {
    warnings.push(`migration_lock.toml says provider "${p.layout.lockProvider}" but the schema says "${p.layout.datasource.provider}": Prisma refuses to migrate until they match (P3019).`);
  }
  return warnings;
}

/** The state both status paths return: current = the last applied in apply order, head = the last folder. */
export function prismaState(project: Project, p: PrismaProject, migrations: Migration[], source: Source, warnings: string[]): MigrationState {
  const applied = migrations.filter(isApplied);
  const names = p.folder.map((f) => f.name);
  return buildState({
    project: project.id,
    framework: 'prisma',
    database: project.database.description,
    migrations,
    current: applied.length ? [applied[applied.length - 1]!.id] : [],
    heads: names.length ? [names[names.length - 1]!] : [],
    source,
    warnings,
  });
}
