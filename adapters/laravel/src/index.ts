// The Laravel adapter: up/down are the project's own `php artisan migrate` / `migrate:rollback`;
// status and plan ask the booted application (helpers/metamig_laravel.php, prepended to artisan)
// for the Migrator's files, the migrations table and `--pretend` run inside a rolled-back transaction.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  MigratorError,
  buildState,
  headsFromState,
  isPendingLike,
  registerUrl,
  sourceOf,
  type AdapterContext,
  type Capabilities,
  type Migration,
  type MigrationAdapter,
  type MigrationState,
  type Plan,
  type PlanRequest,
  type PlanStep,
  type Project,
  type RunRequest,
  type RunResult,
  type ToolRun,
  type ToolchainCheck,
} from '@metamig/core';
import {
  type HelperRequest,
  type Override,
  type PlanCommand,
  WIDE_TERMINAL,
  connectionOption,
  helperArgs,
  helperEnv,
  migrateArgs,
  native,
  overrideFor,
  planOptions,
  pretendArgs,
  rollbackArgs,
  statusArgs,
  stepOption,
  upSelection,
} from './argv.js';
import { MIGRATIONS_DIR, describeDatabase, detect } from './detect.js';
import { statusFast } from './fast.js';
import { type HelperDoc, type HelperFailure, type HelperStatus, currentOf, inputFromText, migrationsFrom, parseHelperOutput } from './helper.js';
import { missingSqliteFrom, parsePretend, parseRunOutput, parseStatusText, toolMessage } from './parse.js';
import { planSideEffects, planSteps } from './plan.js';
import { adviceFor, mergeHeads } from './merge.js';
import { commandsFor } from './commands.js';

export { detector } from './detect.js';

export const capabilities: Capabilities = {
  status: {
    support: 'native',
    command: "php artisan migrate:status — metamig reads the same Migrator and migrations table through a helper prepended to the project's artisan (falls back to parsing migrate:status)",
  },
  up: { support: 'native', command: 'php artisan migrate --force (one batch; --step with options.step)' },
  down: { support: 'native', command: 'php artisan migrate:rollback --step=N --force (the last N by batch, then name)' },
  dryRun: {
    support: 'native',
    command:
      'php artisan migrate --pretend / migrate:rollback --pretend --step=N, run through the console kernel inside a transaction that is rolled back (--pretend creates the migrations table when it is missing; anything left behind is listed in sideEffects)',
  },
  mergeHeads: { support: 'emulated', how: 'Laravel has no migration graph: --restamp renames unapplied out-of-order files to new Y_m_d_His timestamps (applied ones are refused)' },
  stepTargets: {
    support: 'emulated',
    how: 'up: Laravel has no target, so metamig passes exactly the selected files: php artisan migrate --force --path=<file>… (one batch). down: native php artisan migrate:rollback --step=N (--to ID = the number of migrations applied after ID)',
  },
  transactionalDdl: { postgres: true, sqlite: false },
};

interface Setup {
  php: string;
  override?: Override;
  env: Record<string, string>;
}

function setup(project: Project, ctx: AdapterContext): Setup {
  const php = ctx.toolchains.require(ctx.toolchains.php());
  if (!existsSync(join(project.absRoot, 'artisan'))) {
    throw new MigratorError({ code: 'CONFIG.INVALID', summary: `${project.id}: no artisan file in ${project.absRoot}.`, fix: "Point the project's path at the Laravel application's root folder." });
  }
  registerUrl(project.databaseUrl);
  const override = project.databaseUrl ? overrideFor(project.databaseUrl, project.absRoot, connectionOption(project.options, project.id)) : undefined;
  // The override comes last: with --database-url the tool MUST use it, whatever the config's env says.
  const env = { ...project.env, ...WIDE_TERMINAL, ...override?.env };
  return { php, env, ...(override ? { override } : {}) };
}

function artisan(s: Setup, project: Project, ctx: AdapterContext, args: string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return ctx.runner.run(s.php, args, {
    cwd: project.absRoot,
    env: { ...s.env, ...extraEnv },
    signal: ctx.signal,
    ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
    tool: 'php artisan',
    installHint: ctx.toolchains.php().install,
  });
}

const firstLine = (s: string) => s.split('\n').find((l) => l.trim())?.trim() ?? s;
const combined = (run: RunResult) => [run.stdout, run.stderr].map((s) => s.trimEnd()).filter(Boolean).join('\n');

function helperFailure(project: Project, failure: HelperFailure, output: string): MigratorError {
  const message = failure.error.message;
  const toolOutput = [output, message].filter(Boolean).join('\n');
  if (failure.stage === 'boot') {
    return new MigratorError({
      code: 'TOOL.FAILED',
      summary: `${project.id}: artisan could not start the application: ${firstLine(toolMessage(output) ?? message)}`,
      toolOutput,
      fix: /vendor\/autoload\.php/.test(message) ? 'Run `composer install` in the project.' : 'Run `php artisan --version` in the project to see the error.',
    });
  }
  if (failure.stage === 'config') {
    return new MigratorError({
      code: 'CONFIG.INVALID',
      summary: `${project.id}: ${message}`,
      toolOutput,
      fix: 'Build the connection from the standard DB_* variables in config/database.php (or set options.connection to the connection that does), and run `php artisan config:clear` if the configuration is cached.',
    });
  }
  const sqlite = missingSqliteFrom(message);
  return new MigratorError({
    code: 'TOOL.FAILED',
    summary: `${project.id}: Laravel's database connection failed: ${firstLine(message)}`,
    toolOutput,
    fix: sqlite ? `Create the SQLite database first: touch ${sqlite}` : "Check that the database is reachable with the project's config/database.php and .env (or the --database-url given).",
  });
}

async function callHelper(s: Setup, project: Project, ctx: AdapterContext, req: HelperRequest): Promise<{ run: RunResult; doc?: HelperDoc; output: string }> {
  const run = await artisan(s, project, ctx, helperArgs(), helperEnv(req, s.override?.expect));
  const { doc, artisanOutput } = parseHelperOutput(run.stdout);
  return { run, ...(doc ? { doc } : {}), output: [artisanOutput, run.stderr.trim()].filter(Boolean).join('\n') };
}

function statusWarnings(project: Project, doc: HelperStatus, s: Setup): string[] {
  const w: string[] = [];
  if (doc.missingSqliteFile) {
    w.push(
      `The SQLite database ${doc.missingSqliteFile} does not exist yet, so no migration has run. Laravel 8 refuses a missing file: ${s.override ? '`metamig up` creates it (empty) first' : `create it with \`touch ${doc.missingSqliteFile}\` before \`metamig up\``}.`,
    );
  }
  if (doc.schemaDumps.length && !doc.ran.length) {
    w.push(`${doc.schemaDumps.join(', ')}: on a database where no migration has run, \`migrate\` loads this schema dump first and records the migrations it contains, so fewer migrations than listed may run.`);
  }
  for (const f of doc.files.filter((x) => x.connection && x.connection !== doc.connection.name)) {
    w.push(`${f.name} runs on connection "${f.connection}" (its $connection property), not "${doc.connection.name}": ${project.databaseUrl ? "metamig's database override does not reach it" : 'its queries go to that database'}.`);
  }
  if (doc.configCached && !s.override) w.push('The configuration is cached (bootstrap/cache/config.php): Laravel reads neither .env nor the environment until `php artisan config:clear`.');
  return w;
}

async function status(project: Project, ctx: AdapterContext): Promise<MigrationState> {
  const s = setup(project, ctx);
  const { run, doc, output } = await callHelper(s, project, ctx, { op: 'status' });
  if (doc && !doc.ok && doc.stage !== 'helper') throw helperFailure(project, doc, output);
  if (!doc?.ok || doc.op !== 'status') {
    const why = doc && !doc.ok ? doc.error.message : `no answer (exit ${run.exitCode}): ${firstLine(output || '(no output)')}`;
    return statusFromText(project, ctx, s, why);
  }
  const migrations = migrationsFrom({ files: doc.files, ran: doc.ran, schemaTransactions: doc.schemaTransactions });
  return buildState({
    project: project.id,
    framework: 'laravel',
    database: project.database.description,
    migrations,
    current: currentOf(migrations),
    heads: doc.files.length ? [doc.files[doc.files.length - 1]!.name] : [],
    source: sourceOf(run, native(statusArgs(), s.override), doc.laravelVersion),
    warnings: statusWarnings(project, doc, s),
  });
}

/** The fallback: artisan's own migrate:status text (files in database/migrations only). */
async function statusFromText(project: Project, ctx: AdapterContext, s: Setup, why: string): Promise<MigrationState> {
  const args = statusArgs();
  const run = await artisan(s, project, ctx, args);
  const text = combined(run);
  const parsed = parseStatusText(text); // throws TOOL.OUTPUT_UNPARSEABLE on anything else (an error)
  if (run.exitCode !== 0 && !parsed.tableMissing) {
    throw new MigratorError({ code: 'TOOL.FAILED', summary: `${project.id}: php artisan migrate:status failed: ${firstLine(toolMessage(text) ?? text)}`, toolOutput: text });
  }
  const dir = join(project.absRoot, MIGRATIONS_DIR);
  const onDisk = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /^.+_.+\.php$/.test(f))
        .sort()
        .map((f) => ({ name: f.slice(0, -4), path: `${MIGRATIONS_DIR}/${f}` }))
    : [];
  const migrations = migrationsFrom(inputFromText(parsed, onDisk));
  const pending = migrations.filter(isPendingLike);
  return buildState({
    project: project.id,
    framework: 'laravel',
    database: project.database.description,
    migrations,
    current: currentOf(migrations),
    heads: pending.length ? [pending[pending.length - 1]!.id] : currentOf(migrations),
    source: sourceOf(run, native(args, s.override)),
    warnings: [
      `metamig's helper could not read the status (${why}); this one comes from \`php artisan migrate:status\`, which shows neither rows whose file is missing nor whether migrations are reversible or transactional.`,
    ],
  });
}

function upFailure(project: Project, steps: Migration[], failed: string | undefined, done: string[], text: string): MigratorError {
  const message = toolMessage(text) ?? text.split('\n').slice(-5).join('\n');
  const sqlite = missingSqliteFrom(message);
  if (sqlite) {
    return new MigratorError({
      code: 'TOOL.FAILED',
      summary: `${project.id}: the SQLite database ${sqlite} does not exist.`,
      why: 'Laravel 8 does not create a missing SQLite file (Laravel 11 does, with migrate --force).',
      toolOutput: text,
      fix: `touch ${sqlite}, then run \`metamig up\` again.`,
    });
  }
  if (!failed) return new MigratorError({ code: 'TOOL.FAILED', summary: `${project.id}: php artisan migrate failed: ${firstLine(message)}`, toolOutput: text });
  const step = steps.find((m) => m.id === failed);
  const before = done.length ? `The ${done.length} migration(s) before it completed and stay applied: ${done.join(', ')}.` : 'No migration before it completed.';
  const why =
    step?.transactional === true
      ? `Laravel ran ${failed} in its own transaction, so its statements were rolled back and it is still pending. ${before}`
      : step?.transactional === false
        ? `Laravel does not wrap ${failed} in a transaction on this database (SQLite, or $withinTransaction = false): statements it ran before the error STAY APPLIED, yet it is not recorded as applied, so \`migrate\` would start it again from its first statement. Undo them by hand (or make the migration idempotent) before retrying. ${before}`
        : `Whether ${failed} was partly applied depends on the database (Laravel uses a transaction on PostgreSQL, not on SQLite). ${before}`;
  return new MigratorError({ code: 'MIGRATION.FAILED', summary: `${project.id}: ${failed} failed: ${firstLine(message)}`, why, toolOutput: text, exitCode: 1 });
}

async function up(project: Project, req: RunRequest, ctx: AdapterContext): Promise<ToolRun> {
  const s = setup(project, ctx);
  const pending = req.state.migrations.filter(isPendingLike);
  const selection = upSelection(req.steps, pending, project.absRoot, req.target.kind === 'latest');
  const step = stepOption(project.options, project.id);
  const args = migrateArgs(selection, step);
  const warnings: string[] = [];
  const file = s.override?.sqliteFile;
  if (file && !existsSync(file)) {
    if (!existsSync(dirname(file))) {
      throw new MigratorError({ code: 'USAGE.INVALID', summary: `${project.id}: the folder of the SQLite database ${file} does not exist.`, fix: 'Create the folder, or pass a --database-url in an existing one.' });
    }
    writeFileSync(file, ''); // an empty file is an empty SQLite database; Laravel 8 refuses a missing one
    warnings.push(`Created the empty SQLite database ${file} (Laravel 8 refuses a missing file; Laravel 11's migrate --force creates it the same way).`);
  }
  if (selection) warnings.push(`artisan ran exactly the ${req.steps.length} selected file(s) with --path, ${step ? 'each in its own batch (--step)' : 'in one batch'}.`);
  const run = await artisan(s, project, ctx, args);
  const text = combined(run);
  const source = sourceOf(run, native(args, s.override), req.state.source.toolVersion);
  const progress = parseRunOutput(text);
  const mode: ToolRun['mode'] = selection ? { kind: 'emulated', how: `Laravel has no "migrate up to": ran exactly the ${req.steps.length} selected file(s) with migrate --path` } : { kind: 'native' };
  if (run.exitCode === 0) return { ok: true, source, output: text, mode, warnings };
  const result: ToolRun = { ok: false, source, output: text, error: upFailure(project, req.steps, progress.failed, progress.done, text), mode, warnings };
  if (progress.failed) result.failedMigration = progress.failed;
  return result;
}

/**
 * `migrate:rollback --step=N` takes the last N ROWS of the migrations table; a row whose file is gone
 * counts but is skipped ("Migration not found"), so N would not undo the N migrations selected.
 */
function assertRollbackMatches(project: Project, req: Pick<RunRequest, 'steps' | 'state'>): void {
  const rows = req.state.migrations.filter((m) => m.state === 'applied' || m.state === 'edited' || m.state === 'missing-file');
  const lastN = rows.slice(-req.steps.length).reverse();
  const missing = lastN.filter((m) => m.state === 'missing-file');
  if (!missing.length) return;
  throw new MigratorError({
    code: 'MIGRATION.DIVERGENT',
    summary: `${project.id}: cannot roll back ${req.steps.length} step(s): ${missing.map((m) => m.id).join(', ')} ${missing.length === 1 ? 'is' : 'are'} recorded among the last ${req.steps.length} but ${missing.length === 1 ? 'has' : 'have'} no file.`,
    why: '`php artisan migrate:rollback --step=N` counts those rows, prints "Migration not found" for them and leaves them recorded, so it would not undo the migrations metamig selected.',
    fix: 'Nothing was changed. Check out the branch that has those files (and roll them back from there), or restore the files.',
  });
}

async function down(project: Project, req: RunRequest, ctx: AdapterContext): Promise<ToolRun> {
  const s = setup(project, ctx);
  assertRollbackMatches(project, req);
  const args = rollbackArgs(req.steps.length);
  const run = await artisan(s, project, ctx, args);
  const text = combined(run);
  const source = sourceOf(run, native(args, s.override), req.state.source.toolVersion);
  if (run.exitCode === 0) return { ok: true, source, output: text, mode: { kind: 'native' }, warnings: [] };
  const progress = parseRunOutput(text);
  const names = req.steps.map((m) => m.id);
  const failed = progress.failed ?? names[progress.done.length];
  const message = toolMessage(text) ?? text.split('\n').slice(-5).join('\n');
  const error = new MigratorError({
    code: 'MIGRATION.FAILED',
    summary: `${project.id}: rolling back ${failed ?? 'a migration'} failed: ${firstLine(message)}`,
    why: `Rolled back ${progress.done.length} of ${names.length} before it (${progress.done.join(', ') || 'none'}); not attempted: ${names.slice(progress.done.length + 1).join(', ') || 'none'}.`,
    toolOutput: text,
    exitCode: 1,
  });
  const result: ToolRun = { ok: false, source, output: text, error, mode: { kind: 'native' }, warnings: [] };
  if (failed) result.failedMigration = failed;
  return result;
}

/** Steps after an irreversible one are not previewed: `metamig down` refuses the whole rollback. */
function notPreviewed(rest: Migration[], blocked: Migration): PlanStep[] {
  return rest.map((m) => ({
    migration: m,
    direction: 'down' as const,
    sqlSource: 'unavailable' as const,
    statements: [],
    transactional: m.transactional ?? 'unknown',
    reason:
      m === blocked
        ? `${m.irreversibleReason ?? 'declared irreversible'}; \`metamig down\` refuses a rollback that includes it, so it was not previewed`
        : `not previewed: the rollback stops at ${blocked.id}, which cannot be rolled back`,
  }));
}

async function plan(project: Project, req: PlanRequest, ctx: AdapterContext): Promise<Plan> {
  const s = setup(project, ctx);
  const command: PlanCommand = req.direction === 'up' ? 'migrate' : 'migrate:rollback';
  if (req.direction === 'down') assertRollbackMatches(project, req);
  const stop = req.direction === 'down' ? req.steps.findIndex((m) => m.reversible === false) : -1;
  const steps = stop >= 0 ? req.steps.slice(0, stop) : req.steps;
  const blocked = stop >= 0 ? notPreviewed(req.steps.slice(stop), req.steps[stop]!) : [];
  const plan = (p: Pick<Plan, 'steps' | 'sideEffects' | 'source' | 'warnings'>): Plan => ({ project: project.id, framework: 'laravel', direction: req.direction, target: req.target, ...p, steps: [...p.steps, ...blocked] });
  if (!steps.length) return plan({ steps: [], sideEffects: [], source: { command: [], native: '(not previewed)', durationMs: 0, via: 'tool' }, warnings: [] });

  const selection = req.direction === 'up' ? upSelection(steps, req.state.migrations.filter(isPendingLike), project.absRoot, req.target.kind === 'latest') : undefined;
  const options = planOptions(command, selection, steps.length);
  const args = pretendArgs(command, options);
  const { run, doc, output } = await callHelper(s, project, ctx, { op: 'plan', command, options });
  if (doc && !doc.ok && doc.stage !== 'helper') throw helperFailure(project, doc, output);
  const ids = steps.map((m) => m.id);
  const phpWarning = 'Laravel migrations are PHP: --pretend runs their up()/down() with the connection in pretend mode. Anything they do outside the database (files, HTTP, queues) really happened.';

  if (!doc?.ok || doc.op !== 'plan') {
    // The fallback: artisan's own --pretend, whose migrate:install (if the table is missing) stays.
    const why = doc && !doc.ok ? doc.error.message : `no answer (exit ${run.exitCode}): ${firstLine(output || '(no output)')}`;
    const cli = await artisan(s, project, ctx, args);
    const text = combined(cli);
    if (cli.exitCode !== 0) {
      throw new MigratorError({ code: 'TOOL.FAILED', summary: `${project.id}: php artisan ${command} --pretend failed: ${firstLine(toolMessage(text) ?? text)}`, toolOutput: text });
    }
    const pretend = parsePretend(text, ids);
    return plan({
      steps: planSteps(steps, req.direction, pretend, undefined),
      sideEffects: pretend.createdTable ? ["created the migrations table: Laravel's --pretend runs migrate:install first when the table is missing"] : [],
      source: sourceOf(cli, native(args, s.override), req.state.source.toolVersion),
      warnings: [`metamig's helper could not run the preview (${why}); this one is artisan's own --pretend, outside any transaction.`, phpWarning],
    });
  }
  if (doc.commandError) {
    throw new MigratorError({
      code: 'TOOL.FAILED',
      summary: `${project.id}: php artisan ${command} --pretend failed: ${firstLine(doc.commandError.message)}`,
      why: "The migration's code threw while Laravel pretended to run it (reads return no rows under --pretend). The transaction around the preview was rolled back.",
      toolOutput: [doc.output.trim(), output, doc.commandError.message].filter(Boolean).join('\n'),
    });
  }
  const pretend = parsePretend(doc.output, ids);
  const { sideEffects, warnings } = planSideEffects(doc);
  if (pretend.unrecognized.length) warnings.push(`Lines of the --pretend output metamig did not attribute to a migration: ${pretend.unrecognized.slice(0, 5).join(' | ')}`);
  warnings.push(phpWarning);
  return plan({ steps: planSteps(steps, req.direction, pretend, doc.queries), sideEffects, source: sourceOf(run, native(args, s.override), doc.laravelVersion), warnings });
}

async function checkToolchain(project: Project, ctx: AdapterContext): Promise<ToolchainCheck[]> {
  const spec = ctx.toolchains.php();
  const php = ctx.toolchains.find(spec);
  if (!php) return [{ name: 'php', found: false, hint: spec.install }, { name: 'laravel', found: false, hint: 'Needs PHP first.' }];
  const version = await ctx.runner.run(php, ['-r', 'echo PHP_VERSION;'], { cwd: project.absRoot, signal: ctx.signal, tool: 'php' });
  const laravel = await ctx.runner.run(php, ['artisan', '--version', '--no-ansi'], { cwd: project.absRoot, env: { ...project.env }, signal: ctx.signal, tool: 'php artisan' });
  const lv = /Laravel Framework (\S+)/.exec(laravel.stdout)?.[1];
  return [
    { name: 'php', found: true, path: php, ...(version.exitCode === 0 ? { version: version.stdout.trim() } : {}) },
    lv
      ? { name: 'laravel', found: true, path: join(project.absRoot, 'artisan'), version: lv }
      : { name: 'laravel', found: false, hint: `\`php artisan --version\` failed in ${project.absRoot}: ${firstLine(combined(laravel) || 'no output')}. Run \`composer install\` there.` },
  ];
}

export const adapter: MigrationAdapter = {
  commands: commandsFor,
  framework: 'laravel',
  displayName: 'Laravel',
  capabilities,
  toolchain: ['php', 'laravel'],
  detect,
  describeDatabase,
  checkToolchain,
  status,
  statusFast,
  up,
  down,
  plan,
  async heads(_project, state) {
    return headsFromState(state, adviceFor(state));
  },
  mergeHeads,
};
