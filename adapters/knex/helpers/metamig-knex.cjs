#!/usr/bin/env node
// metamig's bridge to Knex: loads THE PROJECT's own knex and knexfile (like `knex` the CLI does), runs
// one operation through knex's migration API and prints ONE JSON document as the last line of stdout.
//
//   node metamig-knex.cjs <status|up|down|plan> --knexfile <file> [--env <name>]
//        up:   [--to <migration>]              (latest when omitted)
//        down: --name <migration> [--name …]   (undone in the order given)
//        plan: --direction up|down --name <migration> [--name …]
//
// METAMIG_KNEX_OVERRIDE (env, never argv: it carries the password) replaces the knexfile's
// client/connection: {"engine":"postgres","connectionString":…} or {"engine":"sqlite","filename":…}.
// Exit codes: 0 ok, 1 the operation failed (a migration, the database), 2 could not start.
'use strict';
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { format, inspect } = require('node:util');
const project = require('./knex-project.cjs');

const { SetupError } = project;

const PROTOCOL = 1;
const TX_CONTROL = /^\s*(begin|commit|rollback|savepoint|release savepoint|rollback to savepoint)\b/i;
const ROLLBACK = Symbol('metamig: roll back the capture transaction');

// stdout carries the result only: migrations that console.log, and knex's own logger, go to stderr.
for (const m of ['log', 'info', 'debug']) console[m] = (...a) => process.stderr.write(`${format(...a)}\n`);

function parseArgs(argv) {
  const [op, ...rest] = argv;
  const args = { op, names: [] };
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i], rest[i + 1]];
    if (value === undefined) throw new SetupError('usage', `missing value after ${flag}`);
    if (flag === '--knexfile') args.knexfile = value;
    else if (flag === '--env') args.env = value;
    else if (flag === '--to') args.to = value;
    else if (flag === '--name') args.names.push(value);
    else if (flag === '--direction') args.direction = value;
    else throw new SetupError('usage', `unknown option ${flag}`);
  }
  if (!['status', 'up', 'down', 'plan'].includes(op)) throw new SetupError('usage', `unknown operation "${op}"`);
  if (!args.knexfile) throw new SetupError('usage', '--knexfile is required');
  return args;
}

// ---- migrations as knex sees them -------------------------------------------------------------

async function describeFiles(migrator) {
  const mc = migrator.config;
  const source = mc.migrationSource;
  const files = await source.getMigrations(mc.loadExtensions);
  const out = [];
  for (const m of files) {
    const name = source.getMigrationName(m);
    const info = { name };
    if (m && typeof m.file === 'string' && m.directory !== undefined) info.path = join(String(m.directory), m.file);
    try {
      const mod = await source.getMigration(m);
      info.hasUp = typeof (mod && mod.up) === 'function';
      info.hasDown = typeof (mod && mod.down) === 'function';
      if (info.hasDown) info.downSource = String(mod.down).slice(0, 400);
      const tx = mod && mod.config && mod.config.transaction;
      info.transaction = typeof tx === 'boolean' ? tx : null;
    } catch (e) {
      info.loadError = e && e.message ? e.message : String(e);
    }
    out.push({ info, raw: m });
  }
  return out;
}

const tableOf = (knex, mc, table) => (mc.schemaName ? knex(table).withSchema(mc.schemaName) : knex(table));
const schemaOf = (knex, mc) => (mc.schemaName ? knex.schema.withSchema(mc.schemaName) : knex.schema);

async function opStatus(ctx) {
  const { knex, migrator, engine, dbFile } = ctx;
  const mc = migrator.config;
  const files = (await describeFiles(migrator)).map((f) => f.info);
  const doc = { tableName: mc.tableName, schemaName: mc.schemaName || null, disableTransactions: !!mc.disableTransactions, files };
  if (engine === 'sqlite' && dbFile && !existsSync(dbFile)) {
    // Opening it would create the file: report it instead (knex creates it on the first `up`).
    return { ...doc, databaseExists: false, tableExists: false, completed: [], listedBy: 'none' };
  }
  const read = async (db) => {
    const lockTable = `${mc.tableName}_lock`;
    const tableExists = await schemaOf(db, mc).hasTable(mc.tableName);
    const lockExists = tableExists && (await schemaOf(db, mc).hasTable(lockTable));
    const completed = tableExists ? await tableOf(db, mc, mc.tableName).select('id', 'name', 'batch', 'migration_time').orderBy('id') : [];
    const lockRows = lockExists ? await tableOf(db, mc, lockTable).select('is_locked') : [];
    const result = { ...doc, databaseExists: true, tableExists, completed, locked: lockRows.some((r) => Number(r.is_locked) === 1), listedBy: 'history-table' };
    // knex.migrate.list() creates the tables and the lock row when they are missing: only ask it
    // when they all exist, so status stays read-only.
    if (tableExists && lockExists && lockRows.length > 0) {
      try {
        const [, pending] = await (db === knex ? migrator : db.migrate).list();
        result.pending = pending.map((m) => mc.migrationSource.getMigrationName(m));
        result.listedBy = 'migrate.list';
      } catch (e) {
        result.listError = e && e.message ? e.message : String(e); // "The migration directory is corrupt, …"
      }
    }
    return result;
  };
  return engine === 'postgres' ? knex.transaction(read, { readOnly: true }) : read(knex);
}

async function opUp(ctx, args) {
  const { migrator } = ctx;
  if (!args.to) {
    const [batch, log] = await migrator.latest();
    return { method: 'latest', batch, ran: log };
  }
  if (typeof migrator.to === 'function') {
    const [batch, log] = await migrator.to({ name: args.to }); // knex >= 3.3.0
    return { method: 'to', batch, ran: log };
  }
  // Older knex: `migrate:up <name>` for each pending file up to the target, one batch each.
  const [, pending] = await migrator.list();
  const names = pending.map((m) => migrator.config.migrationSource.getMigrationName(m));
  const stop = names.indexOf(args.to);
  if (stop < 0) throw new Error(`Migration "${args.to}" not found.`);
  const ran = [];
  let batch = 0;
  for (const name of names.slice(0, stop + 1)) {
    ctx.progress = { method: 'up-each', ran };
    const [b, log] = await migrator.up({ name });
    batch = b;
    ran.push(...log);
  }
  return { method: 'up-each', batch, ran };
}

async function opDown(ctx, args) {
  const undone = [];
  ctx.progress = { undone };
  // By name, in the order metamig chose (apply order): plain `migrate:down` picks the last by file name.
  for (const name of args.names) {
    await ctx.migrator.down({ name });
    undone.push(name);
  }
  return { undone };
}

function captureFailure(e, direction, knexWrapsIt) {
  const msg = e && e.message ? e.message : String(e);
  if (e && e.code === '25001') {
    // "… cannot run inside a transaction block" (CREATE INDEX CONCURRENTLY, VACUUM …)
    const reason = knexWrapsIt
      ? `will FAIL when applied: knex runs it inside a transaction, and ${msg}. Give the migration exports.config = { transaction: false }`
      : `cannot be previewed inside a transaction (knex runs it without one): ${msg}`;
    return { unavailable: true, reason };
  }
  return { unavailable: false, reason: `${direction}() FAILED during the preview: ${msg}` };
}

function stepSkip(step, direction) {
  if (step.info.loadError) return `the file could not be loaded: ${step.info.loadError}`;
  if (!(direction === 'up' ? step.info.hasUp : step.info.hasDown)) return `the file exports no ${direction}() function`;
  return undefined;
}

// PostgreSQL: every step runs in a savepoint of ONE transaction that is rolled back at the end, so
// the database is left as it was. Steps that opt out of transactions are not run.
async function captureInRollback(knex, steps, direction, migrationOf, disableTransactions) {
  const results = [];
  let current;
  let failedBefore;
  await knex
    .transaction(async (trx) => {
      trx.on('query', (q) => {
        if (current && !TX_CONTROL.test(q.sql)) current.push({ sql: q.sql, bindings: q.bindings || [] });
      });
      for (const step of steps) {
        const r = { name: step.info.name, statements: [] };
        results.push(r);
        const skip = stepSkip(step, direction);
        if (skip || step.info.transaction === false) {
          r.unavailable = true;
          r.reason = skip || 'it sets config.transaction = false: knex runs it outside any transaction, so it cannot be run inside the rolled-back preview';
          failedBefore = failedBefore || r.name;
          continue;
        }
        current = r.statements;
        try {
          await trx.transaction(async (sp) => migrationOf(step)[direction](sp));
          if (failedBefore) r.reason = `captured after ${failedBefore} could not be; statements that depend on its effects may differ`;
        } catch (e) {
          Object.assign(r, captureFailure(e, direction, step.info.transaction === true || !disableTransactions));
          failedBefore = failedBefore || r.name;
        } finally {
          current = undefined;
        }
      }
      throw ROLLBACK;
    })
    .catch((e) => {
      if (e !== ROLLBACK) throw e;
    });
  return results;
}

// SQLite: the steps run on a throwaway copy exactly as knex would run them (a transaction per
// migration unless it opts out), so nothing needs rolling back and no step has to be skipped.
async function captureOnCopy(knex, steps, direction, migrationOf) {
  const results = [];
  let current;
  let failedBefore;
  knex.on('query', (q) => {
    if (current && !TX_CONTROL.test(q.sql)) current.push({ sql: q.sql, bindings: q.bindings || [] });
  });
  for (const step of steps) {
    const r = { name: step.info.name, statements: [] };
    results.push(r);
    const skip = stepSkip(step, direction);
    if (skip) {
      Object.assign(r, { unavailable: true, reason: skip });
      failedBefore = failedBefore || r.name;
      continue;
    }
    current = r.statements;
    try {
      const run = (k) => migrationOf(step)[direction](k);
      await (step.info.transaction === false ? run(knex) : knex.transaction(run));
      if (failedBefore) r.reason = `captured after ${failedBefore} could not be; statements that depend on its effects may differ`;
    } catch (e) {
      Object.assign(r, captureFailure(e, direction, false));
      failedBefore = failedBefore || r.name;
    } finally {
      current = undefined;
    }
  }
  return results;
}

async function opPlan(ctx, args) {
  const { migrator, engine } = ctx;
  if (!['up', 'down'].includes(args.direction)) throw new SetupError('usage', '--direction must be up or down');
  if (engine === 'other') throw new SetupError('engine', 'plan captures SQL on PostgreSQL and SQLite only.');
  const all = await describeFiles(migrator);
  const steps = args.names.map((name) => {
    const f = all.find((x) => x.info.name === name);
    if (!f) throw new SetupError('usage', `Migration "${name}" not found.`);
    return f;
  });
  const mods = new Map();
  for (const s of steps) if (!s.info.loadError) mods.set(s.info.name, await migrator.config.migrationSource.getMigration(s.raw));
  const sideEffects = [];
  let knex = ctx.knex;
  let tmp;
  try {
    if (engine === 'sqlite') {
      // Never the user's file: a snapshot copy (VACUUM INTO reads it consistently, even in WAL mode).
      tmp = mkdtempSync(join(tmpdir(), 'metamig-knex-plan-'));
      const copy = join(tmp, 'preview.sqlite3');
      if (ctx.dbFile && existsSync(ctx.dbFile)) {
        await knex.raw('VACUUM INTO ?', [copy]);
        sideEffects.push('ran the migrations on a temporary copy of the SQLite database (deleted afterwards); the database itself was only read');
      } else {
        sideEffects.push('the SQLite database file does not exist yet: ran the migrations on an empty temporary database (deleted afterwards)');
      }
      await knex.destroy();
      knex = ctx.knex = ctx.makeKnex({ ...ctx.config, connection: { filename: copy }, useNullAsDefault: true, pool: undefined });
    }
    const migrationOf = (s) => mods.get(s.info.name);
    const captured = engine === 'sqlite' ? await captureOnCopy(knex, steps, args.direction, migrationOf) : await captureInRollback(knex, steps, args.direction, migrationOf, !!migrator.config.disableTransactions);
    return { direction: args.direction, steps: captured, sideEffects };
  } finally {
    if (tmp) {
      await knex.destroy();
      rmSync(tmp, { recursive: true, force: true });
    }
  }
}

// ---- main ----------------------------------------------------------------------------------------

function errorJson(e) {
  const out = { message: e && e.message ? e.message : inspect(e) };
  // detail/hint: PostgreSQL's own explanation ("Key (email)=(…) is duplicated."), not in the message.
  for (const k of ['name', 'code', 'kind', 'environments', 'detail', 'hint']) if (e && e[k] !== undefined) out[k] = e[k];
  return out;
}

async function main() {
  const doc = { protocol: PROTOCOL, op: process.argv[2], ok: false, log: [] };
  const record = (level) => (m) => {
    const text = typeof m === 'string' ? m : inspect(m);
    doc.log.push({ level, message: text });
    process.stderr.write(`${text}\n`);
  };
  const ctx = {};
  let exitCode = 0;
  try {
    const args = parseArgs(process.argv.slice(2));
    const projectRoot = process.cwd();
    const knexfile = resolve(projectRoot, args.knexfile);
    if (!existsSync(knexfile)) throw new SetupError('knexfile', `${args.knexfile} does not exist in ${projectRoot}.`);
    const lib = project.loadProjectKnex(projectRoot);
    Object.assign(doc, { knexVersion: lib.version, knexPath: lib.path });
    doc.loader = project.registerTypeScript(knexfile, projectRoot, lib.requireFromKnex);
    doc.environment = args.env || process.env.NODE_ENV || 'development';
    const picked = project.pickEnvironment(await project.loadKnexfile(knexfile), doc.environment, knexfile);
    doc.environmentKeyed = picked.keyed;
    const config = picked.config;
    const override = process.env.METAMIG_KNEX_OVERRIDE ? JSON.parse(process.env.METAMIG_KNEX_OVERRIDE) : undefined;
    project.applyOverride(config, override);
    doc.overridden = !!override;
    doc.client = typeof config.client === 'string' ? config.client : 'custom';
    ctx.engine = doc.engine = project.engineOf(config.client);
    ctx.dbFile = ctx.engine === 'sqlite' ? project.sqliteFile(config) : undefined;
    if (args.op === 'status') project.makeReadOnly(config);
    config.log = { warn: record('warn'), error: record('error'), deprecate: record('deprecate'), debug: record('debug') };
    ctx.config = config;
    ctx.makeKnex = (c) => {
      try {
        return lib.knex(c);
      } catch (e) {
        const message = e && e.message ? e.message : String(e); // e.g. "Knex: run\n$ npm install pg --save"
        throw new SetupError(/npm install|Cannot find module/.test(message) ? 'driver' : 'knexfile', message);
      }
    };
    ctx.knex = ctx.makeKnex(config);
    ctx.migrator = ctx.knex.migrate; // one Migrator: the getter makes a new one per access
    const ops = { status: opStatus, up: opUp, down: opDown, plan: opPlan };
    Object.assign(doc, await ops[args.op](ctx, args), { ok: true });
  } catch (e) {
    doc.error = errorJson(e);
    doc.stage = e instanceof SetupError ? 'setup' : 'run';
    if (ctx.progress) Object.assign(doc, ctx.progress);
    exitCode = e instanceof SetupError ? 2 : 1;
  } finally {
    if (ctx.knex) await ctx.knex.destroy().catch(() => {});
  }
  process.stdout.write(`\n${JSON.stringify(doc)}\n`);
  process.exitCode = exitCode;
}

main();
