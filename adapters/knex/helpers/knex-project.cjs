// Loading a Knex project the way the knex CLI does (bin/cli.js): the project's own knex, its knexfile
// (.js/.cjs via require, .mjs and "type": "module" via import, .ts through the loader rechoir finds),
// the environment, and metamig's override connection. Used by metamig-knex.cjs.
'use strict';
const { createRequire } = require('node:module');
const { existsSync, readFileSync } = require('node:fs');
const { basename, dirname, join, resolve } = require('node:path');
const { pathToFileURL } = require('node:url');

const PG_CLIENTS = new Set(['pg', 'postgres', 'postgresql', 'pgnative']);
const SQLITE_CLIENTS = new Set(['sqlite3', 'sqlite', 'better-sqlite3']);

/** Could not even start: no knex, no loader, a broken knexfile … (exit 2, never a failed migration). */
class SetupError extends Error {
  constructor(kind, message, extra = {}) {
    super(message);
    this.kind = kind;
    Object.assign(this, extra);
  }
}

function loadProjectKnex(projectRoot) {
  const fromProject = createRequire(join(projectRoot, 'package.json'));
  let main;
  try {
    main = fromProject.resolve('knex');
  } catch {
    throw new SetupError('knex-missing', `knex is not installed in ${projectRoot} (require.resolve('knex') found nothing from there).`);
  }
  let dir = dirname(main);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  const lib = fromProject('knex');
  return { knex: typeof lib === 'function' ? lib : lib.knex, version, path: dir, requireFromKnex: createRequire(join(dir, 'package.json')) };
}

function packageType(file) {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return JSON.parse(readFileSync(pkg, 'utf8')).type;
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

// Same rule as knex's lib/migrations/util/import-file: .mjs and .js in "type": "module" are imported.
async function importFile(file) {
  const esm = file.endsWith('.mjs') || (!file.endsWith('.cjs') && packageType(file) === 'module');
  return esm ? import(pathToFileURL(file).href) : require(file);
}

// The knex CLI registers a TypeScript loader with rechoir + interpret (both knex dependencies).
function registerTypeScript(file, projectRoot, requireFromKnex) {
  if (!/\.[cm]?ts$/.test(file)) return undefined;
  let rechoir, interpret;
  try {
    rechoir = requireFromKnex('rechoir');
    interpret = requireFromKnex('interpret');
  } catch {
    throw new SetupError('ts-loader', `${basename(file)} is TypeScript, and this knex has no rechoir/interpret to register a loader with.`);
  }
  const result = rechoir.prepare(interpret.jsVariants, file, projectRoot, true);
  if (result instanceof Error) {
    const tried = (result.failures || []).map((f) => f.moduleName).join(', ');
    throw new SetupError('ts-loader', `${basename(file)} is TypeScript and no TypeScript loader could be loaded from the project (knex tries: ${tried}).`);
  }
  return Array.isArray(result) ? result[result.length - 1].moduleName : undefined;
}

async function loadKnexfile(file) {
  try {
    let config = await importFile(file);
    if (config && config.default) config = config.default;
    if (typeof config === 'function') config = await config();
    return config;
  } catch (e) {
    throw new SetupError('knexfile', `Failed to read config from ${basename(file)}: ${e && e.message ? e.message : String(e)}`);
  }
}

// Like the knex CLI: config[env] when the knexfile is keyed by environment, else the whole object.
function pickEnvironment(all, env, file) {
  if (!all || typeof all !== 'object') throw new SetupError('knexfile', `${basename(file)} did not export a configuration object.`);
  if (all[env] && typeof all[env] === 'object') return { config: { ...all[env] }, keyed: true };
  const keys = Object.keys(all).filter((k) => all[k] && typeof all[k] === 'object' && 'client' in all[k]);
  if (!('client' in all) && keys.length) {
    throw new SetupError('environment', `${basename(file)} has no "${env}" environment (it has: ${keys.join(', ')}).`, { environments: keys });
  }
  return { config: { ...all }, keyed: false };
}

function engineOf(client) {
  if (typeof client !== 'string') return 'other';
  if (PG_CLIENTS.has(client)) return 'postgres';
  if (SQLITE_CLIENTS.has(client)) return 'sqlite';
  return 'other';
}

function applyOverride(config, override) {
  if (!override) return;
  if (override.engine === 'postgres') {
    config.client = 'pg';
    config.connection = { connectionString: override.connectionString };
  } else if (override.engine === 'sqlite') {
    // Keep the project's own SQLite driver when it has one; better-sqlite3 otherwise.
    config.client = engineOf(config.client) === 'sqlite' ? config.client : 'better-sqlite3';
    config.connection = { filename: override.filename };
    config.useNullAsDefault = true;
  } else {
    throw new SetupError('usage', `unsupported override engine ${override.engine}`);
  }
}

/** The SQLite file a config points at (relative paths resolve against the cwd, as in knex), if any. */
function sqliteFile(config) {
  const c = config.connection;
  const filename = typeof c === 'string' ? c : c && typeof c === 'object' ? c.filename : undefined;
  if (typeof filename !== 'string' || filename === ':memory:' || filename.startsWith('file:')) return undefined;
  return resolve(process.cwd(), filename);
}

// status must never write. On better-sqlite3 the handle is read-only; on PostgreSQL status runs in a
// READ ONLY transaction (not a session setting, which could leak to others through a pooler).
function makeReadOnly(config) {
  if (config.client === 'better-sqlite3' && config.connection && typeof config.connection === 'object') {
    config.connection = { ...config.connection, options: { ...config.connection.options, readonly: true } };
  }
}

module.exports = { SetupError, loadProjectKnex, registerTypeScript, loadKnexfile, pickEnvironment, engineOf, applyOverride, sqliteFile, makeReadOnly };
