// `metamig status --fast` for Alembic: the revision files (read, never imported) and the rows of
// alembic_version (one read-only query), put through the same statusFromHelper() as the full path.
// No Python runs. Whatever Alembic or env.py would decide in code makes it refuse (OPERATION.UNSUPPORTED).
import { existsSync, lstatSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { type AdapterContext, type MigrationState, MigratorError, type Project, buildState, parseDatabaseUrl, redact } from '@metamig/core';
import { globalOptions } from './argv.js';
import { type AlembicConfig, envPyUrlRisk, envPyVersionTableRisk, readAlembicConfig, readerUrlFromSqlAlchemy } from './config.js';
import { statusFromHelper } from './parse.js';
import { PySourceError, pyCompare } from '@metamig/core/python-source';
import { NotExact, type Script, alembicStatus, readRevision } from './revisions.js';

const VERSION_TABLE = 'alembic_version';
const SQL = `SELECT version_num FROM ${VERSION_TABLE}`;

function refuse(project: Project, why: string, fix = 'Run `metamig status` without --fast (Alembic itself reads the status), or make that part of the project plain data.'): MigratorError {
  return new MigratorError({ code: 'OPERATION.UNSUPPORTED', summary: `${project.id}: the fast status path cannot be exact for this project.`, why, fix });
}

const readText = (file: string): string | undefined => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

/** Script._list_py_dir + ScriptDirectory._load_revisions: the files Alembic loads, in its order. */
export function revisionFiles(config: Pick<AlembicConfig, 'versionLocations' | 'recursive'>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walkDir = (dir: string) => {
    const files: string[] = [];
    const dirs: string[] = [];
    for (const name of readdirSync(dir).sort(pyCompare)) {
      const path = join(dir, name);
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        throw new NotExact(`${path} is a broken link`);
      }
      if (isDir && config.recursive && lstatSync(path).isSymbolicLink()) throw new NotExact(`${path} is a link to a folder, which Python versions walk differently`);
      (isDir ? dirs : files).push(path);
    }
    if (!basename(dir).endsWith('__pycache__')) out.push(...files);
    if (config.recursive) for (const d of dirs) walkDir(d);
  };
  for (const vers of config.versionLocations) {
    if (!existsSync(vers)) continue;
    if (basename(vers).endsWith('__pycache__')) throw new NotExact(`the version location ${vers} is a __pycache__ folder`);
    const before = out.length;
    walkDir(vers);
    // Alembic loads each real file once, under its resolved path.
    const added = out.splice(before).map((f) => realpathSync(f));
    for (const f of added) {
      if (seen.has(f)) continue;
      seen.add(f);
      out.push(f);
    }
  }
  // `(?!\.\#|__init__)(.*\.py)$` on the resolved file name.
  return out.filter((f) => /^(?!\.#|__init__).*\.py$/.test(basename(f)));
}

/** The database the tool would read: the override, else alembic.ini when env.py provably uses it. */
function databaseUrl(project: Project, config: AlembicConfig, envPy: string, root: string): string {
  if (project.databaseUrl !== undefined) {
    const db = parseDatabaseUrl(project.databaseUrl, project.absRoot);
    return db.engine === 'sqlite' ? `sqlite://${db.file.replace(/%/g, '%25').replace(/\?/g, '%3F')}` : project.databaseUrl;
  }
  const fix = 'Pass --database-url, or set projects[].database in metamig.config (or run `metamig status` without --fast).';
  const risk = envPyUrlRisk(envPy);
  if (risk) throw refuse(project, risk, fix);
  if (!config.sqlalchemyUrl || config.sqlalchemyUrl === 'driver://user:pass@localhost/dbname') throw refuse(project, 'alembic.ini sets no sqlalchemy.url', fix);
  return readerUrlFromSqlAlchemy(config.sqlalchemyUrl, root);
}

/** Configuration, env.py and revision files of the project at `root` (its real path), read without running them. */
export function readAlembicProject(root: string, section: string): { config: AlembicConfig; envPy: string; scripts: Script[] } {
  const config = readAlembicConfig(readText(join(root, 'alembic.ini')), readText(join(root, 'pyproject.toml')), section, root);
  if (!existsSync(config.scriptDir)) throw new NotExact(`the script folder ${config.scriptDir} does not exist`);
  const envPy = readText(join(config.scriptDir, 'env.py'));
  if (envPy === undefined) throw new NotExact(`${join(config.scriptDir, 'env.py')} does not exist`);
  const risk = envPyVersionTableRisk(envPy);
  if (risk) throw new NotExact(risk);
  const scripts = revisionFiles(config).map((file) => ({ ...readRevision(readFileSync(file, 'utf8'), basename(file), relative(root, file)), path: relative(root, file) }));
  return { config, envPy, scripts };
}

export async function statusFast(project: Project, ctx: AdapterContext): Promise<MigrationState> {
  const started = performance.now();
  if (!ctx.history) throw refuse(project, 'no direct database access was offered (ctx.history)');
  if ((project.env.ALEMBIC_CONFIG ?? process.env.ALEMBIC_CONFIG) !== undefined) throw refuse(project, 'ALEMBIC_CONFIG is set: Alembic reads another configuration file');
  const globals = globalOptions(project.options);
  const section = globals[1] ?? 'alembic';
  const root = realpathSync(project.absRoot);
  let url: string;
  let scripts: Script[];
  try {
    const read = readAlembicProject(root, section);
    url = databaseUrl(project, read.config, read.envPy, root);
    scripts = read.scripts;
  } catch (e) {
    if (e instanceof NotExact || e instanceof PySourceError) throw refuse(project, e.message);
    throw e;
  }
  const hasTable = await ctx.history.tableExists(url, VERSION_TABLE);
  const rows = hasTable ? await ctx.history.query<{ version_num: string }>(url, SQL) : [];
  let s;
  try {
    s = statusFromHelper(alembicStatus(scripts, rows.map((r) => String(r.version_num)), VERSION_TABLE));
  } catch (e) {
    if (e instanceof NotExact) throw refuse(project, e.message);
    throw e;
  }
  // What only the tool knows (env.py's transaction settings, downgrade() analysis) is left out.
  const migrations = s.migrations.map(({ transactional: _t, irreversibleReason: _r, ...m }) => ({ ...m, reversible: 'unknown' as const }));
  return buildState({
    project: project.id,
    framework: 'alembic',
    database: redact(url),
    migrations,
    current: s.current,
    heads: s.heads,
    source: { command: [], native: hasTable ? SQL : `${VERSION_TABLE} does not exist yet (nothing applied)`, durationMs: Math.round(performance.now() - started), via: 'history-table' },
    warnings: s.warnings,
  });
}
