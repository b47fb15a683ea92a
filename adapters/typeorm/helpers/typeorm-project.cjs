// Loading a TypeORM project the way the typeorm CLI does: the project's own typeorm, ts-node for
// TypeScript data sources, CommandUtils.loadDataSource, the CLI's option overrides, an override
// connection from metamig, and a logger that records TypeORM's own lines. Used by metamig-typeorm.cjs.
'use strict';
const { createRequire } = require('node:module');
const { existsSync, readFileSync } = require('node:fs');
const { dirname, extname, join, relative, resolve, sep } = require('node:path');
const { fileURLToPath } = require('node:url');
const { inspect } = require('node:util');

class SetupError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

// ---- the project's typeorm, ts-node and data source ---------------------------------------------

function packageDir(main) {
  let dir = dirname(main);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function loadProjectTypeorm(projectRoot) {
  const fromProject = createRequire(join(projectRoot, 'package.json'));
  let main;
  try {
    main = fromProject.resolve('typeorm');
  } catch {
    throw new SetupError('typeorm-missing', `typeorm is not installed in ${projectRoot} (require.resolve('typeorm') found nothing from there).`);
  }
  const dir = packageDir(main);
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  const fromTypeorm = createRequire(join(dir, 'package.json'));
  return {
    version,
    path: dir,
    fromProject,
    fromTypeorm,
    typeorm: fromTypeorm('./index.js'),
    CommandUtils: fromTypeorm('./commands/CommandUtils.js').CommandUtils,
    ImportUtils: fromTypeorm('./util/ImportUtils.js'),
  };
}

function nearestPackageType(file) {
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

// What typeorm-ts-node-commonjs does: require("ts-node").register() with the project's tsconfig.
function registerTypeScript(file, lib) {
  const ext = extname(file);
  if (!['.ts', '.cts', '.mts'].includes(ext)) return null;
  if (ext === '.mts' || (ext === '.ts' && nearestPackageType(file) === 'module')) {
    // What typeorm-ts-node-esm does: node --loader ts-node/esm (the adapter starts node with it).
    if (!process.execArgv.some((a) => a.includes('ts-node/esm'))) {
      throw new SetupError('ts-esm', `${file} is an ES-module TypeScript data source: it needs node --loader ts-node/esm, as typeorm-ts-node-esm runs it.`);
    }
    return { name: 'ts-node/esm', version: tsNodeVersion(lib) };
  }
  let tsNode;
  let from;
  for (const req of [lib.fromProject, lib.fromTypeorm]) {
    try {
      tsNode = req('ts-node');
      from = req;
      break;
    } catch {
      /* not there: try typeorm's own dependencies next */
    }
  }
  if (!tsNode) {
    throw new SetupError('ts-node-missing', `${file} is TypeScript, and ts-node is not installed in the project (typeorm-ts-node-commonjs needs it too).`);
  }
  tsNode.register();
  return { name: 'ts-node', version: tsNodeVersion(lib, from) };
}

function tsNodeVersion(lib, from) {
  for (const req of from ? [from] : [lib.fromProject, lib.fromTypeorm]) {
    try {
      return req('ts-node/package.json').version;
    } catch {
      /* not resolvable from here */
    }
  }
  return undefined;
}

function engineOfType(type) {
  if (type === 'postgres') return 'postgres';
  if (type === 'better-sqlite3' || type === 'sqlite') return 'sqlite';
  if (type === 'mysql' || type === 'mariadb') return 'mysql';
  return 'other';
}

// Options that are not about the connection: kept when the connection is replaced by an override.
const PORTABLE_OPTIONS = [
  'name', 'entities', 'subscribers', 'migrations', 'migrationsTableName', 'migrationsTransactionMode', 'metadataTableName',
  'namingStrategy', 'entityPrefix', 'entitySkipConstructor', 'maxQueryExecutionTime', 'invalidWhereValuesBehavior',
  'relationLoadStrategy', 'typename', 'logging', 'logger',
];
const CONNECTION_OPTIONS = ['url', 'host', 'port', 'username', 'password', 'database', 'ssl', 'replication', 'extra', 'socketPath', 'key', 'fileMustExist', 'readonly', 'driver', 'nativeDriver'];

function overriddenOptions(original, override) {
  const sameEngine = engineOfType(original.type) === override.engine;
  const out = {};
  if (sameEngine) {
    Object.assign(out, original);
    for (const k of CONNECTION_OPTIONS) delete out[k];
  } else {
    for (const k of PORTABLE_OPTIONS) if (k in original) out[k] = original[k];
  }
  if (override.engine === 'postgres') {
    Object.assign(out, { type: 'postgres', host: override.host, port: override.port, username: override.username, database: override.database });
    if (override.password !== undefined) out.password = override.password;
    if (override.ssl !== undefined) out.ssl = override.ssl;
    if (override.applicationName !== undefined) out.applicationName = override.applicationName;
  } else if (override.engine === 'sqlite') {
    Object.assign(out, { type: sameEngine ? original.type : 'better-sqlite3', database: override.database });
  } else {
    throw new SetupError('usage', `unsupported override engine ${override.engine}`);
  }
  return out;
}

/** The SQLite file a data source points at, when it is a file. */
function sqliteFile(options) {
  const db = options.database;
  if (typeof db !== 'string' || db === ':memory:' || db.startsWith('file:')) return undefined;
  return resolve(process.cwd(), db);
}

// ---- logging: TypeORM's own lines, as the CLI prints them -----------------------------------------

const json = (v) => {
  try {
    return JSON.stringify(v);
  } catch {
    return inspect(v);
  }
};
const withParams = (q, p) => (p && p.length ? `${q} -- PARAMETERS: ${json(p)}` : q);
const messageOf = (e) => (e && e.message ? e.message : typeof e === 'string' ? e : inspect(e));

function makeLogger(doc, hooks) {
  const line = (type, text) => {
    doc.log.push({ type, message: text });
    process.stderr.write(`${text}\n`);
  };
  return {
    logQuery(query, parameters, queryRunner) {
      if (hooks.onQuery) hooks.onQuery(query, parameters, queryRunner);
      line('query', `query: ${withParams(query, parameters)}`);
    },
    logQueryError(error, query, parameters) {
      line('query-error', `query failed: ${withParams(query, parameters)}`);
      line('query-error', `error: ${typeof error === 'string' ? error : String(error)}`);
    },
    logQuerySlow(time, query, parameters) {
      line('warn', `query is slow: ${withParams(query, parameters)}`);
      line('warn', `execution time: ${time}`);
    },
    logSchemaBuild(message) {
      line('schema', String(message));
    },
    logMigration(message) {
      line('migration', String(message));
    },
    log(level, message) {
      line(level, typeof message === 'string' ? message : inspect(message));
    },
  };
}

// ---- migrations as TypeORM sees them ------------------------------------------------------------

const nameOf = (instance) => instance.name ?? instance.constructor.name; // MigrationExecutor.getMigrations
const SOURCE_LIMIT = 2000;
const fnSource = (fn) => (typeof fn === 'function' ? Function.prototype.toString.call(fn).slice(0, SOURCE_LIMIT) : undefined);

// Files TypeORM itself imported (migration globs, CommonJS or ESM), recorded by wrapping its importer.
const imported = [];
function recordImports(ImportUtils) {
  const original = ImportUtils.importOrRequireFile;
  ImportUtils.importOrRequireFile = async function recorded(filePath) {
    const result = await original(filePath);
    imported.push([filePath, result[0]]);
    return result;
  };
}

/** Which file exports each migration class: what TypeORM imported, then require.cache (classes listed in the data source). */
function classFiles(projectRoot) {
  const files = new Map();
  const add = (filename, exp) => {
    if (!exp || filename.includes(`${sep}node_modules${sep}`)) return;
    const values = typeof exp === 'function' ? [exp] : typeof exp === 'object' ? Object.values(exp) : [];
    for (const v of values) if (typeof v === 'function' && !files.has(v)) files.set(v, relative(projectRoot, filename).split(sep).join('/'));
  };
  for (const [filename, exp] of imported) add(filename.startsWith('file:') ? fileURLToPath(filename) : filename, exp);
  for (const [filename, mod] of Object.entries(require.cache)) if (mod) add(filename, mod.exports);
  return files;
}

function describeMigrations(all, projectRoot) {
  const files = classFiles(projectRoot);
  return all.map((m) => {
    const inst = m.instance;
    const out = { name: m.name, timestamp: m.timestamp, className: inst.constructor.name };
    const file = files.get(inst.constructor);
    if (file) out.file = file;
    out.hasUp = typeof inst.up === 'function';
    out.hasDown = typeof inst.down === 'function';
    out.downSource = fnSource(inst.down);
    out.upConcurrently = /\bconcurrently\b/i.test(fnSource(inst.up) ?? '');
    out.downConcurrently = /\bconcurrently\b/i.test(out.downSource ?? '');
    out.transaction = typeof inst.transaction === 'boolean' ? inst.transaction : null;
    return out;
  });
}

const transactionMode = (ds) => ds.options.migrationsTransactionMode ?? 'all'; // as the CLI

async function setup(args, doc, ctx) {
  const projectRoot = process.cwd();
  const file = resolve(projectRoot, args.dataSource);
  if (!existsSync(file)) throw new SetupError('data-source', `${args.dataSource} does not exist in ${projectRoot}.`);
  const lib = loadProjectTypeorm(projectRoot);
  Object.assign(doc, { typeormVersion: lib.version, typeormPath: lib.path, dataSource: args.dataSource });
  doc.loader = registerTypeScript(file, lib);
  recordImports(lib.ImportUtils);
  let ds;
  try {
    ds = await lib.CommandUtils.loadDataSource(file); // "Unable to open file: …" / "must contain export of a DataSource"
  } catch (e) {
    throw new SetupError('data-source', messageOf(e));
  }
  const override = process.env.METAMIG_TYPEORM_OVERRIDE ? JSON.parse(process.env.METAMIG_TYPEORM_OVERRIDE) : undefined;
  ctx.DataSource = ds.constructor;
  if (override) {
    try {
      ds = new ctx.DataSource(overriddenOptions(ds.options, override));
    } catch (e) {
      throw new SetupError('driver', messageOf(e)); // e.g. "Postgres package has not been found installed"
    }
  }
  doc.overridden = !!override;
  doc.type = ds.options.type;
  ctx.engine = doc.engine = engineOfType(ds.options.type);
  doc.migrationsTableName = ds.options.migrationsTableName ?? 'migrations';
  doc.transactionMode = transactionMode(ds);
  if (ds.options.schema) doc.schema = ds.options.schema;
  ctx.hooks = {};
  // What the CLI's migration commands set, plus a logger that records TypeORM's lines.
  const options = { subscribers: [], synchronize: false, migrationsRun: false, dropSchema: false, logger: makeLogger(doc, ctx.hooks), logging: ['query', 'error', 'schema'] };
  if (args.op === 'status' || args.op === 'plan') {
    // Read-only operations: no CREATE EXTENSION on connect, and SQLite opened read-only.
    if (ctx.engine === 'postgres') options.installExtensions = false;
    if (ctx.engine === 'sqlite' && args.op === 'status') {
      const db = sqliteFile(ds.options);
      doc.databaseExists = !db || existsSync(db);
      // A missing file would be created by opening it: read an empty in-memory database instead.
      Object.assign(options, doc.databaseExists ? { enableWAL: false, ...(ds.options.type === 'better-sqlite3' ? { readonly: true } : {}) } : { database: ':memory:' });
    }
  }
  ds.setOptions(options);
  ctx.ds = ds;
  ctx.lib = lib;
  ctx.projectRoot = projectRoot;
  ctx.sideEffects = [];
}

module.exports = { SetupError, setup, describeMigrations, nameOf, transactionMode, sqliteFile, messageOf };
