// Everything a Flyway operation needs about one project, read once per operation: its config (as
// Flyway will read it), its locations, the database (override or config), its migration files,
// and how to run the CLI through ctx.runner.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import {
  MigratorError,
  errors,
  registerSecret,
  registerUrl,
  type AdapterContext,
  type Project,
  type RunResult,
} from '@metamig/core';
import { type FlywayOverride, type Invocation, type ResolvedLocations, flywayArgs, flywayOverride, locationsOption, overrideEnv, resolveLocations } from './argv.js';
import { FlywayConfigError, type FlywaySettings, historySchema, readFlywaySettings } from './config.js';
import { CONFIG_NAMES } from './detect.js';
import { type MigrationFile, type Scan, repeatableId, scanLocations } from './files.js';
import { parseJdbcUrl } from './jdbc.js';
import { type Parsed, parseFlywayOutput } from './parse.js';
import { type Dialect, type PlaceholderSyntax, expandPlaceholders, scriptTransactional, splitSql, type SqlStatement } from './sql.js';

export const INSTALL_HINT = 'Run `npm run setup` (scripts/setup) in the meta-migrator checkout: it installs the Flyway 12.4.0 command line into .toolchains/flyway. Flyway needs Java 17+ (apt-get install openjdk-17-jre-headless).';

export interface FlywayProject {
  project: Project;
  root: string;
  settings: FlywaySettings;
  locations: ResolvedLocations;
  inv: Invocation;
  /** The launcher (.toolchains/flyway/flyway or flyway on PATH). */
  flyway: string;
  /** Extra environment for every Flyway run (project env + override). */
  env: Record<string, string>;
  engine: 'postgres' | 'sqlite' | 'unknown';
  override?: FlywayOverride;
  scan: Scan;
  /** outOfOrder in effect: the project's Flyway config, or options.outOfOrder in the metamig config. */
  outOfOrder: boolean;
  warnings: string[];
}

function optionBool(options: Record<string, unknown>, key: string, projectId: string): boolean | undefined {
  const v = options[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') {
    throw new MigratorError({ code: 'CONFIG.INVALID', summary: `${projectId}: options.${key} must be true or false.`, fix: `Set options.${key}: true in the metamig config, or remove it.` });
  }
  return v;
}

export function loadProject(project: Project, ctx: AdapterContext): FlywayProject {
  return readProject(project, ctx.toolchains.require(ctx.toolchains.flyway()));
}

/**
 * The same without requiring the launcher (the fast status path never runs Flyway): without one
 * there is no install folder whose conf/ Flyway would read.
 */
export function readProject(project: Project, launcher: string | undefined): FlywayProject {
  const flyway = launcher ?? 'flyway';
  const root = project.absRoot;
  const configName = posix.basename(project.configFile);
  const configFile = (CONFIG_NAMES as readonly string[]).includes(configName) ? join(root, configName) : CONFIG_NAMES.map((n) => join(root, n)).find(existsSync);
  registerUrl(project.databaseUrl);
  const override = project.databaseUrl ? flywayOverride(project.databaseUrl, root) : undefined;
  if (override?.password) registerSecret(override.password);
  const env = { ...project.env, ...overrideEnv(override) };

  let settings: FlywaySettings;
  try {
    settings = readFlywaySettings({
      ...(configFile ? { configFile } : {}),
      cwd: root,
      env: { ...process.env, ...env },
      home: userInfo().homedir, // Java's user.home comes from the passwd entry, not $HOME
      ...(launcher ? { installDir: dirname(realpathSync(launcher)) } : {}),
    });
  } catch (e) {
    if (!(e instanceof FlywayConfigError)) throw e;
    throw new MigratorError({ code: 'CONFIG.INVALID', summary: `${project.id}: cannot read ${basename(e.file)}: ${e.message}`, fix: 'Fix the file: Flyway would refuse it too.' });
  }
  registerSecret(settings.password);

  const fromOptions = locationsOption(project.options);
  if (fromOptions && !fromOptions.length) {
    throw new MigratorError({ code: 'CONFIG.INVALID', summary: `${project.id}: options.locations must be a folder or a list of folders.`, fix: 'E.g. options: { locations: ["db/migration"] } (relative to the project folder).' });
  }
  const locations = resolveLocations(root, settings.locations, fromOptions, existsSync);
  if (locations.problems.length || !locations.dirs.length) {
    throw new MigratorError({
      code: 'CONFIG.INVALID',
      summary: `${project.id}: metamig cannot tell which folders hold the Flyway migrations.`,
      why: locations.problems.join('\n'),
      fix: 'Set `locations = ["filesystem:<folder>"]` in the Flyway config, or options.locations in the metamig config.',
    });
  }
  const outOfOrder = optionBool(project.options, 'outOfOrder', project.id) ?? false;
  const inv: Invocation = { root, locations: locations.dirs, ...(configFile ? { configFile } : {}), ...(outOfOrder ? { outOfOrder } : {}), ...(override ? { override } : {}) };

  const url = override?.url ?? settings.url;
  const engine = url ? (parseJdbcUrl(url, root)?.engine ?? 'unknown') : 'unknown';
  const warnings = [...locations.warnings];
  const ignored = settings.files.filter((f) => !f.startsWith(root));
  if (ignored.length) warnings.push(`Flyway also reads ${ignored.join(', ')} (outside the project): its settings apply to every run.`);
  return {
    project,
    root,
    settings,
    locations,
    inv,
    flyway,
    env,
    engine: engine === 'postgres' || engine === 'sqlite' ? engine : 'unknown',
    ...(override ? { override } : {}),
    scan: scanLocations(root, locations.dirs, settings),
    outOfOrder: outOfOrder || settings.outOfOrder,
    warnings,
  };
}

export interface FlywayCall {
  run: RunResult;
  parsed: Parsed | undefined;
}

export async function runFlyway(fp: FlywayProject, ctx: AdapterContext, commands: string[], extra: string[] = []): Promise<FlywayCall> {
  const run = await ctx.runner.run(fp.flyway, flywayArgs(fp.inv, commands, extra), {
    cwd: fp.root,
    env: fp.env,
    signal: ctx.signal,
    ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
    tool: 'flyway',
    installHint: INSTALL_HINT,
  });
  if (run.exitCode === 127 || /java: (not found|No such file)/.test(run.stderr)) {
    throw errors.toolNotFound('java', ['java on PATH', '$JAVA_HOME/bin/java'], 'Flyway runs on Java 17+: apt-get install openjdk-17-jre-headless (or set JAVA_HOME).');
  }
  return { run, parsed: parseFlywayOutput(run.stdout) };
}

// ---- SQL of a file, as Flyway would run it ---------------------------------------------------

const pad = (n: number) => String(n).padStart(2, '0');
const flywayTimestamp = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

/** Values of the database-derived built-ins, once a connection knows them. */
export interface ConnectionFacts {
  user?: string;
  database?: string;
  schema?: string;
}

export function placeholderSyntax(s: FlywaySettings): PlaceholderSyntax {
  return { prefix: s.placeholderPrefix, suffix: s.placeholderSuffix, separator: s.placeholderSeparator };
}

/** Config placeholders plus Flyway's built-ins (ParsingContext.populate); built-ins win, as in Flyway. */
export function placeholderValues(fp: FlywayProject, file: MigrationFile, facts: ConnectionFacts = {}): { values: Record<string, string>; deferred: Set<string> } {
  const s = fp.settings;
  const name = (n: string) => `flyway${s.placeholderSeparator}${n}`;
  const values: Record<string, string> = { ...s.placeholders };
  values[name('table')] = s.table;
  values[name('environment')] = s.environment;
  values[name('workingDirectory')] = fp.root;
  values[name('timestamp')] = flywayTimestamp(new Date());
  values[name('filename')] = basename(file.path);
  const schema = historySchema(s) ?? facts.schema;
  if (schema) values[name('defaultSchema')] = schema;
  if (facts.user !== undefined) values[name('user')] = facts.user;
  if (facts.database !== undefined) values[name('database')] = facts.database;
  const deferred = new Set([name('user'), name('database'), name('defaultSchema')].map((x) => x.toLowerCase()).filter((x) => !Object.keys(values).some((k) => k.toLowerCase() === x)));
  return { values, deferred };
}

export interface FileSql {
  statements: SqlStatement[];
  /** Flyway's refusal (an unknown placeholder), if any. */
  error?: string;
  /** Database-derived placeholders left in the text. */
  deferred: string[];
}

export function sqlOfFile(fp: FlywayProject, file: MigrationFile, dialect: Dialect, facts?: ConnectionFacts, keepDeferred = true): FileSql {
  const text = readFileSync(file.path, (file.conf?.encoding as BufferEncoding | undefined) ?? 'utf8');
  const replace = file.conf?.placeholderReplacement ?? fp.settings.placeholderReplacement;
  if (!replace) return { statements: splitSql(text, dialect), deferred: [] };
  const { values, deferred } = placeholderValues(fp, file, facts);
  const expanded = expandPlaceholders(text, values, placeholderSyntax(fp.settings), keepDeferred ? deferred : new Set());
  return { statements: splitSql(expanded.text, dialect), deferred: expanded.deferred, ...(expanded.error ? { error: expanded.error } : {}) };
}

/** The V or R file of a migration id (version, or R__<description>). */
export function migrationFile(fp: FlywayProject, id: string): MigrationFile | undefined {
  return fp.scan.files.find((f) => (f.kind === 'versioned' && f.version === id) || (f.kind === 'repeatable' && repeatableId(f.description) === id));
}

/**
 * Migrations Flyway would hang on with its default PostgreSQL lock: CREATE/DROP INDEX CONCURRENTLY
 * waits for every open transaction, including the one that holds Flyway's transactional advisory
 * lock (verified with 12.4.0: the migrate waits forever on its own "idle in transaction" session).
 */
export function needsSessionLock(fp: FlywayProject, ids: string[]): string[] {
  if (fp.engine !== 'postgres' || !fp.settings.postgresqlTransactionalLock) return [];
  return ids.filter((id) => {
    const file = migrationFile(fp, id);
    if (!file) return false;
    const sql = sqlOfFile(fp, file, 'postgres');
    return !scriptTransactional(sql.statements, file.conf?.executeInTransaction, fp.settings.executeInTransaction) && sql.statements.some((st) => /\bCONCURRENTLY\b/i.test(st.sql));
  });
}

export const SESSION_LOCK_ARG = '-postgresql.transactional.lock=false';
export const sessionLockWarning = (ids: string[]): string =>
  `${ids.join(', ')}: CREATE/DROP INDEX CONCURRENTLY waits for every open transaction, including the one in which Flyway holds its lock by default (postgresql.transactional.lock=true): a plain \`flyway migrate\` hangs. metamig passes ${SESSION_LOCK_ARG} (a session-level lock, as Flyway's documentation advises for CONCURRENTLY); set \`[flyway.postgresql] transactional.lock = false\` in flyway.toml to make it explicit.`;
