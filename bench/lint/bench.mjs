#!/usr/bin/env node
// Lint benchmark: metamig's policy engine vs squawk on the same generated inputs, in the same run.
//   node bench/lint/bench.mjs [--runs 3] [--statements 50000] [--files 1000] [--keep]
// Generates, in a temp dir, one file of 50,000 mixed-DDL PostgreSQL statements and 1,000 files of
// 10 statements, then times (wall clock, median of --runs):
//   metamig  `node packages/cli/dist/bin.js check --format json --sql …` (the built CLI, as
//            `npx metamig` runs it minus npx's own start-up);
//   squawk   `npx squawk --reporter json …` (as a user runs it) and the platform binary directly.
// Both use the same settings: PostgreSQL 15, files not assumed to run in a transaction. Needs
// `npx tsc -b packages/cli` first. Not a test: it prints figures for docs/performance.md.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const RUNS = opt('runs', 3);
const STATEMENTS = opt('statements', 50_000);
const FILES = opt('files', 1000);
const keep = args.includes('--keep');

// ---- inputs ---------------------------------------------------------------------------------------

/** Ten statement kinds in rotation: the migration DDL/DML mix both tools are built for. */
function statement(i) {
  const k = i % 100;
  switch (i % 10) {
    case 0:
      return `CREATE TABLE t${i} (id bigint PRIMARY KEY, name text, created_at timestamptz DEFAULT now());`;
    case 1:
      return `ALTER TABLE users_${k} ADD COLUMN c${i} integer;`;
    case 2:
      return `CREATE INDEX idx_${i} ON orders_${k} (c${i});`;
    case 3:
      return `CREATE INDEX CONCURRENTLY cidx_${i} ON orders_${k} (created_at);`;
    case 4:
      return `ALTER TABLE users_${k} ALTER COLUMN c${i - 3} SET NOT NULL;`;
    case 5:
      return `ALTER TABLE orders_${k} ADD CONSTRAINT fk_${i} FOREIGN KEY (user_id) REFERENCES users_${k} (id);`;
    case 6:
      return `UPDATE orders_${k} SET status = 'archived' WHERE id = ${i};`;
    case 7:
      return `ALTER TABLE users_${k} RENAME COLUMN a${i} TO b${i};`;
    case 8:
      return `COMMENT ON TABLE t${i - 8} IS 'generated table ${i}';`;
    default:
      return `DROP INDEX idx_${i - 7};`;
  }
}

function generate(dir) {
  const big = join(dir, 'big.sql');
  const lines = [];
  for (let i = 0; i < STATEMENTS; i++) lines.push(statement(i));
  writeFileSync(big, `${lines.join('\n')}\n`);
  const small = join(dir, 'small');
  mkdirSync(small);
  const smallFiles = [];
  for (let f = 0; f < FILES; f++) {
    const file = join(small, `${String(f).padStart(4, '0')}.sql`);
    const body = [];
    for (let s = 0; s < 10; s++) body.push(statement(f * 10 + s));
    writeFileSync(file, `${body.join('\n')}\n`);
    smallFiles.push(file);
  }
  return { big, small, smallFiles };
}

// ---- running ----------------------------------------------------------------------------------------

function once(label, cmd, argv, cwd, outFile) {
  const fd = openSync(outFile, 'w');
  const t0 = performance.now();
  const result = spawnSync(cmd, argv, { cwd, stdio: ['ignore', fd, 'pipe'], maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - t0;
  closeSync(fd);
  if (result.error) throw result.error;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${label} exited ${result.status}: ${String(result.stderr).slice(0, 2000)}`);
  return ms;
}

/** Runs the commands in turn, --runs times (interleaved, so load changes hit all of them alike). */
function timeAll(commands) {
  const samples = commands.map(() => []);
  for (let r = 0; r < RUNS; r++) commands.forEach((c, i) => samples[i].push(once(c.label, c.cmd, c.argv, c.cwd, c.out)));
  return commands.map((c, i) => {
    const s = samples[i].sort((a, b) => a - b);
    return { label: c.label, ms: s[Math.floor(s.length / 2)], samples: s };
  });
}

function countMetamig(outFile) {
  const doc = JSON.parse(readFileSync(outFile, 'utf8'));
  return doc.projects.reduce((n, p) => n + (p.diagnostics?.length ?? 0), 0);
}
const countSquawk = (outFile) => JSON.parse(readFileSync(outFile, 'utf8')).length;

function metamigCommand() {
  const bin = join(repo, 'packages/cli/dist/bin.js');
  const probe = spawnSync(process.execPath, [bin, 'check', '--help'], { encoding: 'utf8' });
  if (probe.status !== 0 || !/--sql/.test(probe.stdout)) throw new Error(`${bin} check --help failed: run \`npx tsc -b packages/cli\` first\n${probe.stdout}${probe.stderr}`);
  return { how: 'node packages/cli/dist/bin.js check', argv: (root, ...files) => [bin, '--root', root, 'check', '--format', 'json', '--sql', ...files] };
}

const dir = mkdtempSync(join(tmpdir(), 'metamig-lint-bench-'));
try {
  const t0 = performance.now();
  const { big, small, smallFiles } = generate(dir);
  const genMs = performance.now() - t0;
  const out = (name) => join(dir, `${name}.out`);
  const mm = metamigCommand();
  const squawkBin = join(repo, 'node_modules/@squawk-cli/linux-x64/bin/squawk');
  const squawkVersion = spawnSync(squawkBin, ['--version'], { encoding: 'utf8' }).stdout.trim();

  const rows = [];
  for (const [name, files, squawkFiles] of [
    [`one file, ${STATEMENTS.toLocaleString('en')} statements (${(statSync(big).size / 1e6).toFixed(1)} MB)`, [big], [big]],
    [`${FILES.toLocaleString('en')} files × 10 statements`, [small], smallFiles],
  ]) {
    const [m, sNpx, sBin] = timeAll([
      { label: 'metamig', cmd: process.execPath, argv: mm.argv(dir, ...files), cwd: dir, out: out('metamig') },
      { label: 'squawk (npx)', cmd: 'npx', argv: ['squawk', '--reporter', 'json', ...squawkFiles], cwd: repo, out: out('squawk-npx') },
      { label: 'squawk (binary)', cmd: squawkBin, argv: ['--reporter', 'json', ...squawkFiles], cwd: repo, out: out('squawk-bin') },
    ]);
    const mCount = countMetamig(out('metamig'));
    const sCount = countSquawk(out('squawk-bin'));
    rows.push({ name, m, mCount, sNpx, sBin, sCount });
  }

  const cpu = cpus();
  const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`,
    `metamig via: ${mm.how}`,
    `squawk: ${squawkVersion} (npm squawk-cli), --reporter json`,
    `runs: ${RUNS} per command, interleaved, median wall time; load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}; inputs generated in ${fmt(genMs)}`,
    '',
    '| input | metamig | squawk (npx) | squawk (binary) | metamig ÷ squawk npx | metamig ÷ squawk binary | findings metamig / squawk |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(r.m.ms)} | ${fmt(r.sNpx.ms)} | ${fmt(r.sBin.ms)} | ${(r.m.ms / r.sNpx.ms).toFixed(2)} | ${(r.m.ms / r.sBin.ms).toFixed(2)} | ${r.mCount.toLocaleString('en')} / ${r.sCount.toLocaleString('en')} |`,
    ),
    '',
    `samples (ms): ${rows.map((r) => `${r.name}: metamig ${r.m.samples.map(Math.round).join('/')}, squawk npx ${r.sNpx.samples.map(Math.round).join('/')}, binary ${r.sBin.samples.map(Math.round).join('/')}`).join('; ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
