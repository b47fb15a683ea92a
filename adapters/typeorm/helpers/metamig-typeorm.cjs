#!/usr/bin/env node
// metamig's bridge to TypeORM: loads THE PROJECT's own typeorm and data source (exactly as the
// typeorm CLI does: CommandUtils.loadDataSource, after `ts-node.register()` for TypeScript like
// typeorm-ts-node-commonjs), runs one operation through TypeORM's own API (DataSource,
// MigrationExecutor) and prints ONE JSON document as the last line of stdout. Loading the project
// lives in typeorm-project.cjs; this file holds the operations.
//
//   node metamig-typeorm.cjs <status|up|down|plan> --data-source <file>
//        up:   [--name <migration> …]   (all pending when omitted; else only these, in TypeORM's order)
//        down: --name <migration> …     (each must be the last executed one when its turn comes)
//        plan: --direction up|down --name <migration> …
//
// METAMIG_TYPEORM_OVERRIDE (env, never argv: it carries the password) replaces the data source's
// connection: {"engine":"postgres","host",…,"password"?} or {"engine":"sqlite","database":"/abs.db"}.
// Exit codes: 0 ok, 1 the operation failed (a migration, the database), 2 could not start.
'use strict';
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { format } = require('node:util');
const { SetupError, describeMigrations, messageOf, nameOf, setup, sqliteFile, transactionMode } = require('./typeorm-project.cjs');

const PROTOCOL = 1;
const TX_CONTROL = /^\s*(start transaction|begin|commit|rollback|savepoint|release savepoint|set transaction)\b/i;

// stdout carries the result only: migrations that console.log, and TypeORM's logger, go to stderr.
for (const m of ['log', 'info', 'debug', 'warn']) console[m] = (...a) => process.stderr.write(`${format(...a)}\n`);

function parseArgs(argv) {
  const [op, ...rest] = argv;
  const args = { op, names: [] };
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i], rest[i + 1]];
    if (value === undefined) throw new SetupError('usage', `missing value after ${flag}`);
    if (flag === '--data-source') args.dataSource = value;
    else if (flag === '--name') args.names.push(value);
    else if (flag === '--direction') args.direction = value;
    else throw new SetupError('usage', `unknown option ${flag}`);
  }
  if (!['status', 'up', 'down', 'plan'].includes(op)) throw new SetupError('usage', `unknown operation "${op}"`);
  if (!args.dataSource) throw new SetupError('usage', '--data-source is required');
  if (op === 'plan' && !['up', 'down'].includes(args.direction)) throw new SetupError('usage', '--direction must be up or down');
  if ((op === 'down' || op === 'plan') && !args.names.length) throw new SetupError('usage', `${op} needs at least one --name`);
  return args;
}

async function opStatus(ctx) {
  const { ds, lib, engine } = ctx;
  await ds.initialize();
  const executor = new lib.typeorm.MigrationExecutor(ds);
  const registered = describeMigrations(executor.getMigrations(), ctx.projectRoot);
  let tableExists = false;
  let executed = [];
  // migration:show would CREATE the migrations table: read it only if it is there, and on
  // PostgreSQL inside a READ ONLY transaction, so status can never write.
  const qr = ds.createQueryRunner();
  try {
    if (engine === 'postgres') await qr.query('START TRANSACTION READ ONLY');
    tableExists = await qr.hasTable(executor.migrationsTable);
    if (tableExists) executed = await new lib.typeorm.MigrationExecutor(ds, qr).getExecutedMigrations();
  } finally {
    if (engine === 'postgres') await qr.query('ROLLBACK').catch(() => {});
    await qr.release();
  }
  return {
    tableExists,
    registered,
    executed: executed.map((e) => ({ id: e.id, timestamp: e.timestamp, name: e.name })).sort((a, b) => a.id - b.id),
  };
}

function track(instances, method, progress) {
  for (const inst of instances) {
    const original = inst[method];
    if (typeof original !== 'function') continue;
    const name = nameOf(inst);
    inst[method] = async function tracked(queryRunner) {
      progress.current = name;
      const result = await original.call(this, queryRunner);
      progress.finished.push(name);
      progress.current = undefined;
      return result;
    };
  }
}

async function opUp(ctx, args) {
  const { ds, lib } = ctx;
  await ds.initialize();
  const executor = new lib.typeorm.MigrationExecutor(ds);
  const all = executor.getMigrations();
  const mode = transactionMode(ds);
  const result = { transactionMode: mode, method: 'run' };
  if (args.names.length) {
    // TypeORM runs every pending migration: to run only the selected ones, the others are taken
    // out of this DataSource's migration list for this one run; TypeORM's executor does the rest.
    const executed = new Set((await executor.getExecutedMigrations()).map((e) => e.name));
    const unknown = args.names.filter((n) => !all.some((m) => m.name === n));
    if (unknown.length) throw new SetupError('usage', `No registered migration named ${unknown.join(', ')}.`);
    const done = args.names.filter((n) => executed.has(n));
    if (done.length) throw new SetupError('usage', `Already executed: ${done.join(', ')}.`);
    const keep = new Set([...executed, ...args.names]);
    result.method = 'selected';
    result.withheld = all.filter((m) => !keep.has(m.name)).map((m) => m.name);
    ds.migrations = ds.migrations.filter((inst) => keep.has(nameOf(inst)));
  }
  ctx.progress = { finished: [] };
  track(ds.migrations, 'up', ctx.progress);
  const ran = await ds.runMigrations({ transaction: mode });
  return { ...result, ran: ran.map((m) => m.name) };
}

async function opDown(ctx, args) {
  const { ds, lib } = ctx;
  await ds.initialize();
  const mode = transactionMode(ds);
  const executor = new lib.typeorm.MigrationExecutor(ds);
  const undone = [];
  ctx.progress = { undone };
  for (const name of args.names) {
    // undoLastMigration reverts the row with the highest id: make sure it is the one planned.
    const [last] = await executor.getExecutedMigrations();
    if (!last || last.name !== name) {
      throw new Error(`TypeORM's last executed migration is ${last ? last.name : '(none)'}, not ${name} as planned: stopped before reverting it.`);
    }
    ctx.progress.current = name;
    await ds.undoLastMigration({ transaction: mode });
    undone.push(name);
    ctx.progress.current = undefined;
  }
  return { undone, transactionMode: mode };
}

// ---- plan: run through TypeORM's executor, record every query, leave nothing behind ------------

function previewSkip(step, direction, engine) {
  const fn = direction === 'up' ? step.hasUp : step.hasDown;
  if (!fn) return `the class has no ${direction}() method`;
  if (engine !== 'postgres') return undefined; // SQLite previews run on a copy, exactly as TypeORM would
  // migration:revert ignores `transaction = false` (only migrationsTransactionMode "none" reverts outside one).
  if (direction === 'up' && step.transaction === false) return 'it sets `transaction = false`: TypeORM runs it outside any transaction, so it cannot run inside the rolled-back preview';
  if (direction === 'up' ? step.upConcurrently : step.downConcurrently) return 'it uses CONCURRENTLY, which PostgreSQL refuses inside a transaction block, so it cannot run inside the rolled-back preview';
  return undefined;
}

async function sqliteCopy(ctx) {
  // Never the user's file: a snapshot copy (VACUUM INTO reads it consistently, even in WAL mode).
  const tmp = mkdtempSync(join(tmpdir(), 'metamig-typeorm-plan-'));
  const copy = join(tmp, 'preview.sqlite');
  const file = sqliteFile(ctx.ds.options);
  if (file && existsSync(file)) {
    ctx.ds.setOptions({ readonly: true, enableWAL: false });
    await ctx.ds.initialize();
    await ctx.ds.query('VACUUM INTO ?', [copy]);
    await ctx.ds.destroy();
    ctx.sideEffects.push('ran the migrations on a temporary copy of the SQLite database (deleted afterwards); the database itself was only read');
  } else {
    ctx.sideEffects.push('the SQLite database file does not exist yet: ran the migrations on an empty temporary database (deleted afterwards)');
  }
  const options = { ...ctx.ds.options, database: copy };
  delete options.readonly;
  ctx.ds = new ctx.DataSource(options);
  return tmp;
}

async function opPlan(ctx, args) {
  const { lib, engine } = ctx;
  if (engine !== 'postgres' && engine !== 'sqlite') throw new SetupError('engine', 'metamig previews TypeORM migrations on PostgreSQL and SQLite only.');
  const tmp = engine === 'sqlite' ? await sqliteCopy(ctx) : undefined;
  const ds = ctx.ds;
  const steps = [];
  let qr;
  let realRelease;
  try {
    await ds.initialize();
    const mode = transactionMode(ds);
    const all = new lib.typeorm.MigrationExecutor(ds).getMigrations();
    const described = new Map(describeMigrations(all, ctx.projectRoot).map((d) => [d.name, d]));
    const instances = new Map(all.map((m) => [m.name, m.instance]));
    for (const n of args.names) if (!instances.has(n)) throw new SetupError('usage', `No registered migration named ${n}.`);
    const everyInstance = [...ds.migrations];

    qr = ds.createQueryRunner();
    if (engine === 'postgres') await qr.startTransaction(); // rolled back in `finally`
    // Route every query TypeORM makes (queryRunner, dataSource.query, manager) through this runner.
    realRelease = qr.release.bind(qr);
    qr.release = async () => {};
    ds.createQueryRunner = () => qr;
    const executed = new Set((await new lib.typeorm.MigrationExecutor(ds, qr).getExecutedMigrations()).map((e) => e.name));

    let capture;
    ctx.hooks.onQuery = (query, parameters, runner) => {
      if (!capture) return;
      if (runner && runner !== qr) capture.outside += 1;
      if (!TX_CONTROL.test(query)) capture.statements.push({ sql: query, parameters: parameters && parameters.length ? parameters : undefined });
    };
    for (const inst of everyInstance) {
      const method = args.direction;
      const original = inst[method];
      if (typeof original !== 'function' || !args.names.includes(nameOf(inst))) continue;
      inst[method] = async function captured(runner) {
        capture = steps.find((s) => s.name === nameOf(inst));
        try {
          return await original.call(this, runner);
        } finally {
          capture = undefined;
        }
      };
    }

    const applied = new Set(executed);
    let blocked;
    for (const name of args.names) {
      const step = { name, statements: [], outside: 0 };
      steps.push(step);
      if (args.direction === 'up' ? applied.has(name) : !applied.has(name)) {
        Object.assign(step, { unavailable: true, reason: `it is ${args.direction === 'up' ? 'already' : 'not'} executed in this database` });
        continue;
      }
      if (blocked && args.direction === 'down') {
        Object.assign(step, { unavailable: true, reason: `not reached: the preview of ${blocked} could not run, and TypeORM reverts one migration at a time, newest first` });
        continue;
      }
      const skip = previewSkip(described.get(name), args.direction, engine);
      if (skip) {
        Object.assign(step, { unavailable: true, reason: skip });
        blocked = blocked || name;
        continue;
      }
      if (engine === 'postgres') await qr.startTransaction(); // a savepoint: a failing step is undone alone
      try {
        const executor = new lib.typeorm.MigrationExecutor(ds, qr);
        executor.transaction = mode;
        if (args.direction === 'up') {
          ds.migrations = everyInstance.filter((i) => applied.has(nameOf(i)) || nameOf(i) === name);
          await executor.executePendingMigrations();
          applied.add(name);
        } else {
          const [last] = await executor.getExecutedMigrations();
          if (!last || last.name !== name) throw new Error(`TypeORM's last executed migration is ${last ? last.name : '(none)'}, not ${name}.`);
          await executor.undoLastMigration();
          applied.delete(name);
        }
        if (engine === 'postgres') await qr.commitTransaction();
        if (blocked) step.reason = `captured after ${blocked} could not be; statements that depend on its effects may differ`;
      } catch (e) {
        if (engine === 'postgres') await qr.rollbackTransaction().catch(() => {});
        const code = e && (e.code || (e.driverError && e.driverError.code));
        if (code === '25001') Object.assign(step, { unavailable: true, reason: `cannot run inside a transaction: ${messageOf(e)}` });
        else Object.assign(step, { failed: messageOf(e), reason: `${args.direction}() FAILED during the preview: ${messageOf(e)}` });
        blocked = blocked || name;
      }
    }
    return { direction: args.direction, transactionMode: mode, steps, sideEffects: ctx.sideEffects };
  } finally {
    if (qr && engine === 'postgres') {
      while (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => (qr.isTransactionActive = false));
    }
    if (realRelease) await realRelease().catch(() => {});
    if (ds.isInitialized) await ds.destroy().catch(() => {});
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

// ---- main ----------------------------------------------------------------------------------------

function errorJson(e) {
  const out = { message: messageOf(e) };
  for (const k of ['name', 'kind', 'code', 'detail', 'hint', 'query']) if (e && e[k] !== undefined && typeof e[k] !== 'object') out[k] = e[k];
  const driver = e && e.driverError;
  if (driver) for (const k of ['code', 'detail', 'hint']) if (driver[k] !== undefined && out[k] === undefined) out[k] = driver[k];
  return out;
}

async function main() {
  const doc = { protocol: PROTOCOL, op: process.argv[2], ok: false, log: [] };
  const ctx = {};
  let exitCode = 0;
  try {
    const args = parseArgs(process.argv.slice(2));
    await setup(args, doc, ctx);
    const ops = { status: opStatus, up: opUp, down: opDown, plan: opPlan };
    Object.assign(doc, await ops[args.op](ctx, args), { ok: true });
  } catch (e) {
    doc.error = errorJson(e);
    doc.stage = e instanceof SetupError ? 'setup' : 'run';
    if (ctx.progress) doc.progress = ctx.progress;
    exitCode = e instanceof SetupError ? 2 : 1;
  } finally {
    if (ctx.ds && ctx.ds.isInitialized) await ctx.ds.destroy().catch(() => {});
  }
  process.stdout.write(`\n${JSON.stringify(doc)}\n`);
  process.exitCode = exitCode;
}

main();
