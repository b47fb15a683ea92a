#!/usr/bin/env node
// Benchmarks on the polyglot example (one service per framework), measured in ONE run, interleaved,
// medians of --runs. Not a test: it prints ratios for docs/performance.md.
//
//   node bench/polyglot/bench.mjs [--runs 5] [--skip-verify]
//
//   status       metamig status (all projects, parallel)  vs  each native status command, one after another
//   status-fast  metamig status --fast                    vs  the same native sum
//   cold start   metamig --version                        vs  node -e 0
//   verify       metamig verify --all, per migration      vs  native up + down of the whole history, per migration
//
// Works on a temp copy of fixtures/polyglot (the repo is never written), every service on its own
// SQLite database (Prisma, PostgreSQL-only here, on a database of a throwaway PostgreSQL server),
// migrated up first (status of an applied history is the common case). Every native command must
// succeed: a failing command's time would mean nothing.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1] || 0) || 5;
const SKIP_VERIFY = args.includes('--skip-verify');
const BIN = join(repo, 'packages/cli/bin/metamig.js');
const VENV = join(repo, '.toolchains/venv/bin');
const NM = join(repo, 'node_modules/.bin');
const FLYWAY = join(repo, '.toolchains/flyway/flyway');

/** What a person types to see the status, in the service folder (the tools' own defaults). */
const NATIVE_STATUS = {
  alembic: () => [join(VENV, 'alembic'), 'current'],
  django: () => [join(VENV, 'python'), 'manage.py', 'showmigrations'],
  prisma: () => [join(NM, 'prisma'), 'migrate', 'status'],
  knex: (p) => [join(NM, 'knex'), '--knexfile', p.configFile.split('/').pop(), 'migrate:status'],
  typeorm: () => [join(NM, 'typeorm-ts-node-commonjs'), 'migration:show', '-d', 'src/data-source.ts'],
  laravel: () => ['php', 'artisan', 'migrate:status'],
  rails: () => ['bin/rails', 'db:migrate:status'],
  flyway: (p) => [FLYWAY, `-configFiles=${p.configFile.split('/').pop()}`, '-locations=filesystem:sql', 'info'],
};
/** Native up / down of the whole history, for the verify comparison (tools that have a down). */
const NATIVE_UP_DOWN = {
  alembic: [[join(VENV, 'alembic'), 'upgrade', 'heads'], [join(VENV, 'alembic'), 'downgrade', 'base']],
  knex: (p) => [[join(NM, 'knex'), '--knexfile', p.configFile.split('/').pop(), 'migrate:latest'], [join(NM, 'knex'), '--knexfile', p.configFile.split('/').pop(), 'migrate:rollback', '--all']],
  laravel: [['php', 'artisan', 'migrate', '--force'], ['php', 'artisan', 'migrate:reset', '--force']],
  rails: [['bin/rails', 'db:migrate'], ['bin/rails', 'db:migrate', 'VERSION=0']],
};

function run(cmd, cwd, env = {}) {
  const t = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, env: { ...process.env, NO_COLOR: '1', CHECKPOINT_DISABLE: '1', ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  return { ms, status: r.status, stdout: r.stdout ?? '', out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

// ---- a private copy of the example, migrated up ------------------------------------------------
const work = mkdtempSync(join(tmpdir(), 'metamig-bench-'));
const root = join(work, 'polyglot');
cpSync(join(repo, 'fixtures/polyglot'), root, { recursive: true, filter: (f) => !/\.(db|sqlite3?)$/.test(f) });
symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
const { startPostgres } = await import(join(repo, 'packages/sandbox/dist/index.js'));
const pg = await startPostgres();
const prismaUrl = await pg.createDatabase('bench_accounts');
const configFile = join(root, 'metamig.config.yaml');
writeFileSync(configFile, readFileSync(configFile, 'utf8').replace('  - path: services/accounts\n', `  - path: services/accounts\n    database: ${prismaUrl}\n`));
const NATIVE_ENV = { prisma: { DATABASE_URL: prismaUrl } };
const metamig = (...a) => run([process.execPath, BIN, '--root', root, ...a], root);
const discovered = JSON.parse(metamig('discover', '--json').stdout).projects;
const up = metamig('up', '--yes');
if (up.status !== 0) throw new Error(`metamig up failed:\n${up.out}`);

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`projects: ${discovered.map((p) => p.id).join(', ')}; ${RUNS} runs each, interleaved, medians\n`);

// ---- status ------------------------------------------------------------------------------------
const samples = { metamig: [], fast: [], version: [], node0: [] };
const native = Object.fromEntries(discovered.map((p) => [p.id, []]));
for (let i = 0; i < RUNS; i++) {
  for (const p of discovered) {
    const r = run(NATIVE_STATUS[p.framework](p), join(root, p.root), NATIVE_ENV[p.framework]);
    if (r.status !== 0) throw new Error(`native status of ${p.id} failed (exit ${r.status}):\n${r.out}`);
    native[p.id].push(r.ms);
  }
  const full = metamig('status');
  const fast = metamig('status', '--fast');
  if (full.status !== 0 || fast.status !== 0) throw new Error(`metamig status failed:\n${full.out}\n${fast.out}`);
  samples.metamig.push(full.ms);
  samples.fast.push(fast.ms);
  samples.version.push(run([process.execPath, BIN, '--version'], root).ms);
  samples.node0.push(run([process.execPath, '-e', '0'], root).ms);
}
const nativeMedians = Object.fromEntries(Object.entries(native).map(([k, v]) => [k, median(v)]));
const nativeSum = Object.values(nativeMedians).reduce((a, b) => a + b, 0);
const slowest = Object.entries(nativeMedians).sort((a, b) => b[1] - a[1])[0];
console.log('native status, one after another:');
for (const [id, ms] of Object.entries(nativeMedians)) console.log(`  ${id.padEnd(34)} ${s(ms)}   ${NATIVE_STATUS[discovered.find((p) => p.id === id).framework]({ configFile: discovered.find((p) => p.id === id).configFile }).map((x) => x.replace(repo + '/', '')).join(' ')}`);
console.log(`  sum ${s(nativeSum)}; slowest ${slowest[0]} ${s(slowest[1])}\n`);
const fastStatus = JSON.parse(metamig('status', '--fast', '--json').stdout).projects;
const fastVia = fastStatus.map((p) => `${p.project}:${p.source?.via ?? 'error'}`).join(', ');
console.log(`metamig status (parallel, ${cpus().length} at once)  ${s(median(samples.metamig))}   ratio to the slowest native: ${(median(samples.metamig) / slowest[1]).toFixed(2)}×   (target ≤ 1.2×)   to the native sum: ${(median(samples.metamig) / nativeSum).toFixed(2)}×`);
console.log(`metamig status --fast                 ${s(median(samples.fast))}   ratio to the native sum: ${(median(samples.fast) / nativeSum).toFixed(3)}×   (target ≤ 0.1×)`);
console.log(`  paths used: ${fastVia}`);
console.log(`metamig --version                     ${s(median(samples.version))}   ratio to node -e 0 (${s(median(samples.node0))}): ${(median(samples.version) / median(samples.node0)).toFixed(2)}×   (target ≤ 2.5×)\n`);

// ---- verify per migration ----------------------------------------------------------------------
if (!SKIP_VERIFY) {
  const withDown = discovered.filter((p) => NATIVE_UP_DOWN[p.framework]);
  metamig('down', '--steps', '1', '--yes'); // leave something pending is irrelevant: verify --all below
  let nativeMs = 0;
  let migrations = 0;
  for (const p of withDown) {
    const [u, d] = typeof NATIVE_UP_DOWN[p.framework] === 'function' ? NATIVE_UP_DOWN[p.framework](p) : NATIVE_UP_DOWN[p.framework];
    const cwd = join(root, p.root);
    run(d, cwd); // start from empty
    const ups = [];
    const downs = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) {
      ups.push(run(u, cwd).ms);
      downs.push(run(d, cwd).ms);
    }
    const count = JSON.parse(metamig('status', p.id, '--json').stdout).projects[0].migrations.length;
    nativeMs += median(ups) + median(downs);
    migrations += count;
  }
  const v = run([process.execPath, BIN, '--root', root, 'verify', '--all', ...withDown.map((p) => p.id), '--concurrency', '1'], root);
  console.log(`verify (${withDown.map((p) => p.framework).join(', ')}; ${migrations} migrations, one project at a time):`);
  console.log(`  native up + down of each whole history: ${s(nativeMs)} → ${s(nativeMs / migrations)} per migration`);
  console.log(`  metamig verify --all (exit ${v.status}):  ${s(v.ms)} → ${s(v.ms / migrations)} per migration   ratio ${(v.ms / nativeMs).toFixed(1)}×`);
  console.log('  (verify runs up, down and up again per migration through the tool, with a status read, two schema snapshots, seeding and lock observation around each)');
}
await pg.stop();
rmSync(work, { recursive: true, force: true });
