// The knexfile, read without running it (the fast status path): which knexfile, how Node would load
// it, and the migrations settings of the selected environment — only when they are plain data the
// static reader can follow. Otherwise the reason why not (status then asks knex itself).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, posix } from 'node:path';
import { MigratorError, type Project } from '@metamig/core';
import { KNEXFILE_NAMES } from './detect.js';
import { type ModuleContext, type Value, StaticSyntaxError, alternatives, hasKey, member, readModule } from '@metamig/core/js-source';

/** The knexfile the helper loads: the detected one, else the first of knex's names present. */
export function knexfileOf(project: Project): string {
  const base = posix.basename(project.configFile);
  if ((KNEXFILE_NAMES as readonly string[]).includes(base)) return base;
  const found = KNEXFILE_NAMES.find((n) => existsSync(join(project.absRoot, n)));
  if (found) return found;
  throw new MigratorError({
    code: 'CONFIG.INVALID',
    summary: `${project.id}: no knexfile in ${project.absRoot}.`,
    fix: `Add one of ${KNEXFILE_NAMES.join(', ')} there, or fix the project's path in the metamig config.`,
  });
}

/** `"type"` of the nearest package.json above a file, as the helper (and Node) look it up. */
export function packageTypeOf(file: string, read: (p: string) => string | undefined = readIfExists): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const text = read(join(dir, 'package.json'));
    if (text !== undefined) {
      try {
        return (JSON.parse(text) as { type?: string }).type;
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function readIfExists(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * How the helper loads the knexfile (knex-project.cjs `importFile`): `.mjs`, and `.js` in a
 * `"type": "module"` package, are imported; the rest required (`.ts` through ts-node, as CommonJS).
 */
export function knexfileModule(file: string, packageType: string | undefined): ModuleContext['module'] | undefined {
  const ext = extname(file);
  const esm = ext === '.mjs' || (ext !== '.cjs' && packageType === 'module');
  if (ext === '.ts') return esm ? undefined : 'ts';
  return esm ? 'esm' : 'cjs';
}

/** knex's defaults (lib/migrations/migrate/migrator-configuration-merger.js, MigrationsLoader.js). */
export const DEFAULT_LOAD_EXTENSIONS = ['.co', '.coffee', '.eg', '.iced', '.js', '.cjs', '.litcoffee', '.ls', '.ts'];
export const DEFAULT_DIRECTORY = './migrations';
export const DEFAULT_TABLE = 'knex_migrations';

export interface MigrationsSettings {
  /** As written (knex resolves them against its working directory, the project root). */
  directories: string[];
  loadExtensions: string[];
  sortDirsSeparately: boolean;
  tableName: string;
  schemaName: string | undefined;
}

export type KnexfileReading = { ok: true; settings: MigrationsSettings } | { ok: false; why: string };

class Refusal extends Error {}
const refuse = (why: string): never => {
  throw new Refusal(why);
};

/** One knexfile export (one possibility of it) → the settings knex would use. */
function settingsOf(exported: Value, environment: string, used: Value[]): MigrationsSettings[] {
  const out: MigrationsSettings[] = [];
  const each = (v: Value, f: (alt: Value) => void) => {
    used.push(v);
    for (const alt of alternatives(v)) {
      used.push(alt);
      f(alt);
    }
  };
  each(exported, (file) => {
    if (file.k === 'fn') refuse('it exports a function (knex calls it for the configuration)');
    if (file.k !== 'obj') refuse(`its export is ${file.k === 'opaque' ? `computed when it runs (${file.why})` : 'not an object'}`);
    // loadKnexfile: `if (config && config.default) config = config.default`
    each(member(file, 'default'), (d) => {
      if (d.k === 'opaque' || d.k === 'cond') refuse(`its default export is computed when it runs (${d.k === 'opaque' ? d.why : 'a condition'})`);
      const all = ['null', 'undef'].includes(d.k) || (d.k === 'str' && d.v === '') || (d.k === 'num' && d.v === 0) || (d.k === 'bool' && !d.v) ? file : d;
      if (all.k === 'fn') refuse('it exports a function (knex calls it for the configuration)');
      if (all.k !== 'obj') refuse('its export is not a configuration object');
      pickEnvironment(all, environment, used).forEach((config) => out.push(migrationsOf(config, used)));
    });
  });
  return out;
}

/** knex-project.cjs pickEnvironment: `config[env]` when it is an object, else the whole object. */
function pickEnvironment(all: Value, environment: string, used: Value[]): Value[] {
  const configs: Value[] = [];
  const entry = member(all, environment);
  used.push(entry);
  for (const e of alternatives(entry)) {
    used.push(e);
    if (e.k === 'obj') configs.push(e);
    else if (e.k === 'arr' || e.k === 'new' || e.k === 'builtin') refuse(`its "${environment}" entry is not a plain object`);
    else if (e.k === 'opaque' && !e.notObject) refuse(`its "${environment}" entry is computed when it runs (${e.why})`);
    else configs.push(unkeyed(all, environment));
  }
  return configs;
}

function unkeyed(all: Value, environment: string): Value {
  const hasClient = hasKey(all, 'client');
  if (hasClient === undefined) refuse('its configuration object has parts computed when it runs');
  if (hasClient) return all;
  if (all.k !== 'obj') return refuse('its export is not a configuration object');
  for (const e of all.entries) {
    if ('unknown' in e) return refuse('its configuration object has parts computed when it runs');
    for (const alt of alternatives(e.value)) {
      if (alt.k === 'obj' && hasKey(alt, 'client') !== false) refuse(`it has no "${environment}" environment (knex refuses to run; its error says which it has)`);
      if (alt.k === 'opaque' && !alt.notObject) refuse(`its "${e.key}" entry is computed when it runs`);
    }
  }
  return all;
}

function strings(v: Value, what: string, used: Value[]): string[] {
  if (v.k === 'str') return [v.v];
  if (v.k === 'arr' && v.items.every((i) => i.k === 'str')) {
    used.push(...v.items);
    return v.items.map((i) => (i as { v: string }).v);
  }
  return refuse(`its migrations.${what} is not a literal string or list of strings`);
}

/** The migrations block over knex's defaults (Object.assign: a key present as undefined wins). */
function migrationsOf(config: Value, used: Value[]): MigrationsSettings {
  const block = member(config, 'migrations');
  used.push(block);
  const alts = alternatives(block);
  if (alts.length !== 1) refuse('its migrations settings are chosen when it runs');
  const m = alts[0]!;
  const settings: MigrationsSettings = { directories: [DEFAULT_DIRECTORY], loadExtensions: DEFAULT_LOAD_EXTENSIONS, sortDirsSeparately: false, tableName: DEFAULT_TABLE, schemaName: undefined };
  if (m.k === 'undef' || m.k === 'null') return settings;
  if (m.k !== 'obj') return refuse(`its migrations settings are ${m.k === 'opaque' ? `computed when it runs (${m.why})` : 'not an object'}`);
  const field = (key: string): Value | undefined => {
    const present = hasKey(m, key);
    if (present === undefined) refuse(`its migrations settings have parts computed when they run (${key} may be among them)`);
    if (!present) return undefined;
    const v = member(m, key);
    used.push(v);
    const a = alternatives(v);
    if (a.length !== 1 || a[0]!.k === 'opaque') refuse(`its migrations.${key} is computed when it runs`);
    return a[0];
  };
  if (hasKey(m, 'migrationSource') && member(m, 'migrationSource').k !== 'undef') refuse('it sets a custom migrationSource (code decides the migrations)');
  const directory = field('directory');
  if (directory) settings.directories = strings(directory, 'directory', used);
  const ext = field('loadExtensions');
  if (ext && ext.k !== 'undef' && ext.k !== 'null') settings.loadExtensions = strings(ext, 'loadExtensions', used);
  const sort = field('sortDirsSeparately');
  if (sort && sort.k === 'bool') settings.sortDirsSeparately = sort.v;
  else if (sort && sort.k !== 'undef' && sort.k !== 'null') refuse('its migrations.sortDirsSeparately is not true or false');
  const table = field('tableName');
  if (table) settings.tableName = table.k === 'str' && table.v ? table.v : refuse('its migrations.tableName is not a literal name');
  const schema = field('schemaName');
  if (schema && !['undef', 'null'].includes(schema.k)) settings.schemaName = schema.k === 'str' ? schema.v || undefined : refuse('its migrations.schemaName is not a literal name');
  return settings;
}

/**
 * The migrations settings knex would use for `environment`, from the knexfile's text — or why they
 * cannot be known without running it. `file` is the knexfile's real path (its __dirname).
 */
export function readKnexfile(text: string, file: string, opts: { cwd: string; module: ModuleContext['module']; environment: string }): KnexfileReading {
  const name = posix.basename(file);
  try {
    const reading = readModule(text, { file, cwd: opts.cwd, module: opts.module, typescript: extname(file) === '.ts' });
    const used: Value[] = [];
    const all = settingsOf(reading.exports, opts.environment, used);
    const first = all[0];
    if (!first) return { ok: false, why: `${name} exports nothing knex can use` };
    if (all.some((s) => JSON.stringify(s) !== JSON.stringify(first))) {
      return { ok: false, why: `the migrations settings in ${name} depend on how it runs (a condition on the environment chooses between different ones)` };
    }
    const changed = reading.verify(used);
    if (changed) return { ok: false, why: `${name} is not plain data: ${changed}` };
    return { ok: true, settings: first };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, why: `${name} is not plain data: ${e.message}` };
    if (e instanceof StaticSyntaxError) return { ok: false, why: `metamig could not read ${name} without running it (${e.message})` };
    throw e;
  }
}
