// `metamig status --fast` for Django: the migration files (read, never imported) and the rows of
// django_migrations (one read-only query), put through the same statusFromHelper() as the full path.
// No Python runs. Whatever Django would decide in code makes it refuse (OPERATION.UNSUPPORTED).
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { type AdapterContext, type MigrationState, MigratorError, type Project, buildState, parseDatabaseUrl } from '@metamig/core';
import { settingsOption } from './argv.js';
import { type DiskApp, type DiskMigration, type HistoryRow, type Key, loaderStatus } from './loader.js';
import { statusFromHelper } from './parse.js';
import { PySourceError } from '@metamig/core/python-source';
import { NotExact, type StaticSettings, defaultAppConfig, readAppConfigs, readMigration, readSettings, settingsModule } from './static.js';

const FIX = 'Run `metamig status` without --fast (Django itself reads the status), or make that part of the project plain data.';

function refuse(project: Project, why: string): MigratorError {
  return new MigratorError({ code: 'OPERATION.UNSUPPORTED', summary: `${project.id}: the fast status path cannot be exact for this project.`, why, fix: FIX });
}

// ---- Python's import system, statically --------------------------------------------------------------

type Found = { kind: 'package'; dirs: string[]; init: string } | { kind: 'module'; file: string } | { kind: 'namespace'; dirs: string[] };

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const COMPILED = /\.(pyc|so)$/;

function compiledSibling(dir: string, name: string): boolean {
  return isDir(dir) && readdirSync(dir).some((f) => f.startsWith(`${name}.`) && COMPILED.test(f));
}

/** What `import <dotted>` finds, searching `roots` (sys.path) as CPython's PathFinder/FileFinder do. */
export function findModule(dotted: string, roots: readonly string[]): Found | undefined {
  let search = [...roots];
  let found: Found | undefined;
  for (const part of dotted.split('.')) {
    found = undefined;
    const portions: string[] = [];
    for (const root of search) {
      const dir = join(root, part);
      if (isDir(dir)) {
        if (isFile(join(dir, '__init__.py'))) {
          found = { kind: 'package', dirs: [dir], init: join(dir, '__init__.py') };
          break;
        }
        if (compiledSibling(dir, '__init__')) throw new NotExact(`${dir} is a compiled package metamig cannot read`);
      }
      if (compiledSibling(root, part)) throw new NotExact(`${join(root, part)} is a compiled module metamig cannot read`);
      if (isFile(`${dir}.py`)) {
        found = { kind: 'module', file: `${dir}.py` };
        break;
      }
      if (isDir(dir)) portions.push(dir);
    }
    if (!found && portions.length) found = { kind: 'namespace', dirs: portions };
    if (!found) return undefined;
    if (found.kind === 'module') search = [];
    else search = found.dirs;
  }
  return found;
}

/** Module names pkgutil.iter_modules() lists in a migrations package (packages excluded, as Django does). */
export function migrationNames(dir: string): string[] {
  const yielded = new Set<string>();
  const names: string[] = [];
  for (const fn of readdirSync(dir).sort()) {
    const path = join(dir, fn);
    if (isDir(path)) {
      if (!fn.includes('.') && readdirSync(path).some((f) => /^__init__\.(py|pyc|so)$/.test(f) || /^__init__\..*\.so$/.test(f))) yielded.add(fn);
      continue;
    }
    if (COMPILED.test(fn)) throw new NotExact(`${path} is a compiled migration metamig cannot read`);
    if (!fn.endsWith('.py')) continue;
    const mod = fn.slice(0, -3);
    if (mod === '__init__' || mod.includes('.') || yielded.has(mod)) continue;
    yielded.add(mod);
    if (!'_~'.includes(mod[0]!)) names.push(mod);
  }
  return names;
}

interface ResolvedApp {
  label: string;
  name: string;
  /** The migrations package folder; undefined for an app without migrations. */
  migrations?: string;
}

const readText = (file: string) => readFileSync(file, 'utf8');

/** AppConfig.create(entry) and MigrationLoader.migrations_module(), statically. */
export function resolveApp(entry: string, roots: readonly string[]): ResolvedApp {
  let name = entry;
  let label: string | undefined;
  const mod = findModule(entry, roots);
  if (mod?.kind === 'namespace') throw new NotExact(`the app ${entry} is a namespace package`);
  if (mod?.kind === 'package') {
    const apps = findModule('apps', mod.dirs);
    const file = apps?.kind === 'module' ? apps.file : apps?.kind === 'package' ? apps.init : undefined;
    if (apps?.kind === 'namespace') throw new NotExact(`${entry}.apps is a namespace package`);
    const config = file ? defaultAppConfig(readAppConfigs(readText(file), file), file) : undefined;
    if (config) {
      if (!config.name) throw new NotExact(`the AppConfig of ${entry} has no literal name`);
      name = config.name;
      label = config.label;
    }
  } else if (!mod) {
    // Not a module: a dotted path to an AppConfig class.
    const dot = entry.lastIndexOf('.');
    const owner = dot > 0 ? findModule(entry.slice(0, dot), roots) : undefined;
    const file = owner?.kind === 'module' ? owner.file : owner?.kind === 'package' ? owner.init : undefined;
    if (!file) throw new NotExact(`INSTALLED_APPS names ${entry}, which is neither a module nor a class metamig can find in ${roots.join(', ')}`);
    const config = readAppConfigs(readText(file), file).get(entry.slice(dot + 1));
    if (!config?.isAppConfig || !config.name) throw new NotExact(`${entry} is not an AppConfig with a literal name in ${file}`);
    name = config.name;
    label = config.label;
  }
  label ??= name.slice(name.lastIndexOf('.') + 1);
  if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(label)) throw new NotExact(`the app label "${label}" is not an identifier (Django refuses it)`);
  const app = findModule(name, roots);
  if (!app || app.kind === 'namespace') throw new NotExact(`the app module ${name} cannot be found as a regular package`);
  const migrations = app.kind === 'package' ? findModule('migrations', app.dirs) : undefined;
  return migrations?.kind === 'package' ? { label, name, migrations: migrations.dirs[0]! } : { label, name };
}

/**
 * sys.path of the interpreter the full path runs manage.py with: the project folder, PYTHONPATH,
 * then the virtualenv's site-packages (read from pyvenv.cfg). Undefined entries are explained.
 */
export function pythonPath(project: Project, ctx: AdapterContext, root: string): { roots: string[]; siteWhy?: string } {
  const pythonpath = (project.env.PYTHONPATH ?? process.env.PYTHONPATH ?? '').split(':').filter(Boolean).map((p) => resolve(root, p));
  const python = ctx.toolchains.find(ctx.toolchains.python(project.absRoot));
  if (!python) return { roots: [root, ...pythonpath], siteWhy: 'no Python environment was found' };
  const venv = dirname(dirname(python));
  const cfgFile = join(venv, 'pyvenv.cfg');
  if (!isFile(cfgFile)) return { roots: [root, ...pythonpath], siteWhy: `${python} is not a virtualenv (no pyvenv.cfg)` };
  const cfg = readText(cfgFile);
  const version = /^\s*version(?:_info)?\s*=\s*(\d+)\.(\d+)/m.exec(cfg);
  const site = version ? join(venv, 'lib', `python${version[1]}.${version[2]}`, 'site-packages') : undefined;
  if (!site || !isDir(site)) return { roots: [root, ...pythonpath], siteWhy: `no site-packages folder was found in ${venv}` };
  const system = /^\s*include-system-site-packages\s*=\s*true/im.test(cfg);
  return { roots: [root, ...pythonpath, site], ...(system ? { siteWhy: `${venv} also uses the system's site-packages` } : {}) };
}

// ---- timestamps ---------------------------------------------------------------------------------------

/** A stored timestamp as Python's datetime.isoformat() prints the value Django reads back. */
export function pythonIsoformat(text: string, useTz: boolean): string {
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6})\d*)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?$/.exec(text.trim());
  if (!m) throw new NotExact(`django_migrations.applied holds "${text}", which metamig cannot read as Django does`);
  const micro = (m[5] ?? '').padEnd(6, '0');
  let tz = m[6];
  if (tz === 'Z') tz = '+00:00';
  else if (tz) tz = tz.length === 3 ? `${tz}:00` : tz.includes(':') ? tz : `${tz.slice(0, 3)}:${tz.slice(3)}`;
  else if (useTz) tz = '+00:00'; // Django makes naive values aware in UTC
  return `${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}${micro === '000000' ? '' : `.${micro}`}${tz ?? ''}`;
}

// ---- the fast path -------------------------------------------------------------------------------------

const PG_SQL = `SELECT id, app, name, to_char(applied AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS applied FROM django_migrations ORDER BY id`;
const SQLITE_SQL = 'SELECT id, app, name, applied FROM django_migrations ORDER BY id';

export interface DjangoProjectFiles {
  settings: StaticSettings;
  apps: DiskApp[];
  disk: DiskMigration[];
}

/** Settings, apps and migrations of the project at `root` (its real path), read without running them. */
export function readDjangoProject(root: string, env: { forced?: string | undefined; inherited?: string | undefined }, path: { roots: string[]; siteWhy?: string }): DjangoProjectFiles {
  const manage = join(root, 'manage.py');
  if (!isFile(manage)) throw new NotExact('the project has no manage.py');
  const module = settingsModule(readText(manage), env);
  const settingsFile = findModule(module, [root]);
  const file = settingsFile?.kind === 'module' ? settingsFile.file : settingsFile?.kind === 'package' ? settingsFile.init : undefined;
  if (!file) throw new NotExact(`the settings module ${module} is not a file in the project`);
  const text = readText(file);
  if (text.includes('sys.path')) throw new NotExact(`${relative(root, file)} changes sys.path: where apps are imported from is decided at run time`);
  const settings = readSettings(text, relative(root, file));
  const apps: DiskApp[] = [];
  const disk: DiskMigration[] = [];
  const labels = new Set<string>();
  for (const entry of settings.installedApps) {
    if (!findModule(entry.split('.')[0]!, path.roots)) {
      throw new NotExact(`INSTALLED_APPS has ${entry}, which is neither in the project nor in the Python environment metamig can read${path.siteWhy ? ` (${path.siteWhy})` : ''}`);
    }
    const app = resolveApp(entry, path.roots);
    if (labels.has(app.label)) throw new NotExact(`two INSTALLED_APPS share the label ${app.label} (Django refuses to start)`);
    labels.add(app.label);
    apps.push({ label: app.label, migrated: app.migrations !== undefined });
    if (!app.migrations) continue;
    for (const name of migrationNames(app.migrations)) {
      const abs = join(app.migrations, `${name}.py`);
      const rel = relative(root, abs);
      const src = readMigration(readText(abs), rel);
      const resolveSwappable = (v: string): Key => {
        const model = v === 'settings.AUTH_USER_MODEL' ? settings.authUserModel : v;
        return [model.split('.')[0]!, '__first__'];
      };
      disk.push({
        app: app.label,
        name,
        file: rel.startsWith('..') || isAbsolute(rel) ? null : rel,
        dependencies: src.dependencies.map((d) => ('swappable' in d ? resolveSwappable(d.swappable) : [d.app, d.name] as const)),
        replaces: src.replaces.map((r) => [r.app, r.name] as const),
        runBefore: src.runBefore.map((r) => [r.app, r.name] as const),
        atomic: src.atomic,
      });
    }
  }
  return { settings, apps, disk };
}

export async function statusFast(project: Project, ctx: AdapterContext): Promise<MigrationState> {
  const started = performance.now();
  if (!ctx.history) throw refuse(project, 'no direct database access was offered (ctx.history)');
  if (project.databaseUrl === undefined) {
    throw new MigratorError({
      code: 'OPERATION.UNSUPPORTED',
      summary: `${project.id}: the fast status path needs the database URL.`,
      why: "Django's database is configured in code (DATABASES in the settings module), which metamig does not run",
      fix: 'Pass --database-url, or set projects[].database in metamig.config (or run `metamig status` without --fast).',
    });
  }
  const db = parseDatabaseUrl(project.databaseUrl, project.absRoot);
  const root = realpathSync(project.absRoot);
  let read: DjangoProjectFiles;
  try {
    const env = { forced: settingsOption(project.options), inherited: project.env.DJANGO_SETTINGS_MODULE ?? process.env.DJANGO_SETTINGS_MODULE };
    read = readDjangoProject(root, env, pythonPath(project, ctx, root));
  } catch (e) {
    if (e instanceof NotExact || e instanceof PySourceError) throw refuse(project, e.message);
    throw e;
  }
  if (db.engine === 'postgres' && !read.settings.useTz) throw refuse(project, 'USE_TZ = False on PostgreSQL: Django reads django_migrations.applied in the settings\' TIME_ZONE, which metamig does not reproduce');
  // The reader resolves SQLite paths against its own cwd: hand it an absolute URL.
  const url = db.engine === 'sqlite' ? `sqlite://${db.file.replace(/%/g, '%25').replace(/\?/g, '%3F')}` : project.databaseUrl;
  const sql = db.engine === 'postgres' ? PG_SQL : SQLITE_SQL;
  const hasTable = await ctx.history.tableExists(url, 'django_migrations');
  const raw = hasTable ? await ctx.history.query<{ id: number | string; app: string; name: string; applied: string | null }>(url, sql) : [];
  let rows: HistoryRow[];
  try {
    rows = raw.map((r) => ({ id: Number(r.id), app: r.app, name: r.name, applied: r.applied === null ? null : pythonIsoformat(String(r.applied), read.settings.useTz) }));
  } catch (e) {
    if (e instanceof NotExact) throw refuse(project, e.message);
    throw e;
  }
  let s;
  try {
    s = statusFromHelper(loaderStatus(read.apps, read.disk, rows, { hasTable }));
  } catch (e) {
    if (e instanceof NotExact) throw refuse(project, e.message);
    throw e;
  }
  const atomic = new Map(read.disk.map((m) => [`${m.app}.${m.name}`, m.atomic]));
  const migrations = s.migrations.map((m) => {
    const { irreversibleReason: _reason, transactional, ...rest } = m;
    // Reversibility needs the operations (Django's code); transactional only needs `atomic`.
    return { ...rest, reversible: 'unknown' as const, ...(atomic.get(m.id) !== undefined && transactional !== undefined ? { transactional } : {}) };
  });
  return buildState({
    project: project.id,
    framework: 'django',
    database: db.engine === 'sqlite' ? `sqlite ${db.file}` : `postgresql ${db.user}@${db.socketDir ?? db.host}:${db.port}/${db.database}`,
    migrations,
    current: s.current,
    heads: s.heads,
    source: { command: [], native: hasTable ? sql : 'django_migrations does not exist yet (nothing applied)', durationMs: Math.round(performance.now() - started), via: 'history-table' },
    warnings: s.warnings,
  });
}
