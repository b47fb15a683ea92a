// metamig status for Flyway: ONE JVM runs `flyway info validate -outputType=json` (info lists the
// states; only validate sees an applied file that was edited). Flyway lists migrations in
// installed_rank order, then pending ones in the order migrate runs them: that is the apply order.
import { performance } from 'node:perf_hooks';
import { posix, relative, sep } from 'node:path';
import {
  MigratorError,
  buildState,
  errors,
  linearParents,
  sourceOf,
  type AdapterContext,
  type Migration,
  type MigrationState,
  type Source,
} from '@metamig/core';
import { nativeCommand } from './argv.js';
import { type FlywayProject, needsSessionLock, runFlyway, sessionLockWarning, sqlOfFile } from './context.js';
import { compareVersions, undoFilesFor } from './files.js';
import { type InfoEntry, type InfoJson, type ValidateJson, entriesFromInfo, errorText, firstLine } from './parse.js';
import { mixedStatementProblem, scriptTransactional } from './sql.js';

const relPath = (root: string, abs: string) => relative(root, abs).split(sep).join(posix.sep);

/** Why Flyway could not answer, with what to do. */
export function flywayRefusal(fp: FlywayProject, what: string, message: string): MigratorError {
  const connection = /Unable to obtain connection|DB_CONNECTION|Connection to .* refused|authentication failed/i.test(message);
  const location = /Failed to find filesystem location/.test(message);
  return new MigratorError({
    code: 'TOOL.FAILED',
    summary: `flyway could not ${what} ${fp.project.id}: ${firstLine(message)}`,
    toolOutput: message,
    fix: connection
      ? `Check that the database in ${fp.override ? 'the --database-url given' : "the project's Flyway config"} is reachable with those credentials.`
      : location
        ? 'A location folder is missing: create it, or fix locations in the Flyway config (metamig passes -failOnMissingLocations=true).'
        : 'Run the native command shown with --verbose to see what Flyway says.',
  });
}

function reversibility(fp: FlywayProject, e: InfoEntry): Pick<Migration, 'reversible' | 'irreversibleReason' | 'repeatable'> {
  // Never rolled back (core skips it when selecting a rollback), as Flyway's own paid undo does.
  if (e.kind === 'repeatable') return { reversible: false, repeatable: true, irreversibleReason: 'repeatable migration: Flyway has no undo for repeatables (it re-runs one whenever its file changes)' };
  if (e.kind === 'baseline') return { reversible: false, irreversibleReason: 'the baseline marker: nothing ran, so there is nothing to undo' };
  const undo = undoFilesFor(fp.scan.files, e.version!);
  if (undo.length === 1) return { reversible: true };
  if (undo.length > 1) return { reversible: false, irreversibleReason: `several undo files for version ${e.version}: ${undo.map((f) => f.rel).join(', ')}` };
  return { reversible: false, irreversibleReason: `no U${e.version}__*.sql undo file (Flyway Community has no undo; metamig runs U files)` };
}

/** Does Flyway run this file in a transaction on this engine (script config, non-transactional statements)? */
function transactionality(fp: FlywayProject, e: InfoEntry, warnings: string[]): Migration['transactional'] {
  const file = fp.scan.files.find((f) => f.path === e.filepath);
  if (!file || fp.engine === 'unknown') return 'unknown';
  const sql = sqlOfFile(fp, file, fp.engine);
  const mixed = mixedStatementProblem(sql.statements, fp.settings.mixed, file.conf?.executeInTransaction);
  if (mixed && e.state !== 'applied') warnings.push(`${e.id}: Flyway will refuse to run ${file.rel}: ${mixed}`);
  return scriptTransactional(sql.statements, file.conf?.executeInTransaction, fp.settings.executeInTransaction);
}

export function migrationsOf(fp: FlywayProject, entries: InfoEntry[], warnings: string[]): Migration[] {
  const appliedVersions = entries.filter((e) => e.kind === 'versioned' && (e.state === 'applied' || e.state === 'edited')).map((e) => e.version!);
  const newest = appliedVersions.reduce<string | undefined>((max, v) => (max === undefined || compareVersions(v, max) > 0 ? v : max), undefined);
  return entries.map((e) => {
    const m: Migration = {
      id: e.id,
      name: e.name,
      parents: [],
      state: e.state,
      ...(e.filepath ? { file: relPath(fp.root, e.filepath) } : {}),
      ...(e.appliedAt && e.state !== 'pending' ? { appliedAt: e.appliedAt } : {}),
      ...reversibility(fp, e),
      transactional: transactionality(fp, e, warnings),
      ...(e.detail ? { detail: e.detail } : {}),
    };
    // With outOfOrder=true Flyway shows a lower version as Pending and runs it after newer ones.
    if (m.state === 'pending' && e.kind === 'versioned' && newest && compareVersions(e.version!, newest) < 0) {
      m.state = 'out-of-order';
      m.detail = `version ${e.version} is lower than the newest applied version (${newest}): outOfOrder=true is set, so Flyway applies it after the newer ones`;
    }
    return m;
  });
}

export async function readStatus(fp: FlywayProject, ctx: AdapterContext): Promise<MigrationState> {
  const started = performance.now();
  const call = await runFlyway(fp, ctx, ['info', 'validate']);
  const { run, parsed } = call;
  if (!parsed) throw errors.unparseable('flyway', 'info validate -outputType=json', run.stdout + run.stderr);
  if (!parsed.info) throw flywayRefusal(fp, 'read the migration status of', parsed.error ? errorText(parsed.error) : run.stdout + run.stderr);
  const { durationMs: _d, ...source } = sourceOf(run, nativeCommand(fp.inv, ['info', 'validate']), parsed.flywayVersion);
  const validateNote = parsed.error ? firstLine(errorText(parsed.error)) : undefined;
  return stateFromInfo(fp, parsed.info, parsed.validate, { source, started, ...(validateNote ? { validateNote } : {}) });
}

export interface InfoOrigin {
  /** How the documents were obtained; durationMs is measured up to the finished state. */
  source: Omit<Source, 'durationMs'>;
  started: number;
  /** Why validate did not answer, when it did not. */
  validateNote?: string;
}

/**
 * The state from `info` and `validate` documents — Flyway's own (status) or the same documents
 * computed from the history table and the files (statusFast): one implementation of the states,
 * their order, ids, current and heads for both paths.
 */
export function stateFromInfo(fp: FlywayProject, info: InfoJson, validate: ValidateJson | undefined, origin: InfoOrigin): MigrationState {
  const { entries, warnings } = entriesFromInfo(info, validate);
  if (!validate) warnings.push(`flyway validate did not run${origin.validateNote ? ` (${origin.validateNote})` : ''}: an edited applied migration cannot be detected.`);
  if (fp.scan.skipped.length) warnings.push(`Not migrations by Flyway's naming rules (Flyway skips them): ${fp.scan.skipped.join(', ')}.`);
  const migrations = linearParents(migrationsOf(fp, entries, warnings));
  const ooo = migrations.filter((m) => m.state === 'out-of-order').map((m) => m.id);
  if (ooo.length && !fp.outOfOrder) {
    warnings.push(`${ooo.join(', ')}: lower than an applied version, so Flyway refuses every migrate until either outOfOrder is enabled (options.outOfOrder: true in the metamig config) or the file is renumbered (\`metamig merge ${fp.project.id} --restamp\`); \`metamig heads\` explains both.`);
  }
  const waiting = needsSessionLock(fp, migrations.filter((m) => m.state === 'pending' || m.state === 'out-of-order').map((m) => m.id));
  if (waiting.length) warnings.push(sessionLockWarning(waiting));
  const versioned = entries.filter((e) => e.kind === 'versioned' && e.state !== 'missing-file' && e.filepath);
  const head = versioned.reduce<InfoEntry | undefined>((max, e) => (!max || compareVersions(e.version!, max.version!) > 0 ? e : max), undefined);
  const source: Source = { ...origin.source, durationMs: Math.round(performance.now() - origin.started) };
  return buildState({
    project: fp.project.id,
    framework: 'flyway',
    database: fp.project.database.description,
    migrations,
    current: info.schemaVersion ? [info.schemaVersion] : [],
    heads: head ? [head.id] : [],
    source,
    warnings: [...fp.warnings, ...warnings],
  });
}
