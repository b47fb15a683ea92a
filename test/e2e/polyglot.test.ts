// End-to-end on the polyglot example (fixtures/polyglot): eight services, one per framework, each on
// its own database, driven together by single calls of the built `metamig` binary against one
// throwaway PostgreSQL (a fresh database per service, named in a temp metamig config). Every --json
// output is validated against the schemas @metamig/core exports.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { repoRoot, usePostgres } from '@metamig/testkit';
import { type MigrationState, comparableState, isProjectError } from '@metamig/core';
import { type CliResult, makeRepo, metamig, parseJson } from './helpers.js';

const pg = usePostgres();

/** The example's services, in metamig's order (by id). */
const SERVICES = [
  ['services/accounts:prisma', 'prisma'],
  ['services/admin:laravel', 'laravel'],
  ['services/billing:alembic', 'alembic'],
  ['services/catalog:django', 'django'],
  ['services/ledger:flyway', 'flyway'],
  ['services/notifications:typeorm', 'typeorm'],
  ['services/storefront:rails', 'rails'],
  ['services/web:knex', 'knex'],
] as const;
const IDS = SERVICES.map(([id]) => id);
const HISTORY = 6; // every service: create, add column, backfill, NOT NULL, drop old column, index
const PASSWORD = 's3cr3t-pw'; // trust auth ignores it; it must never reach any output
// Eight frameworks per command, several commands per test: far above vitest's default budget.
const BUDGET = 600_000;

const okEntries = <T>(entries: T[]) => entries.filter((e) => !isProjectError(e)) as Exclude<T, { error: unknown; ok?: never }>[];

/** Point every service of `repo` at its own fresh database, in the metamig config file `file`. */
async function useDatabases(repo: string, prefix: string, file = 'metamig.config.yaml'): Promise<void> {
  const lines = ['projects:'];
  for (const id of IDS) {
    const path = id.split(':')[0]!;
    const url = await pg.database(`${prefix}_${path.split('/')[1]}`);
    lines.push(`  - path: ${path}`, `    database: ${url.replace('postgres@', `postgres:${PASSWORD}@`)}`);
  }
  // The example's policy review (its waivers) stays: only the databases change.
  const example = readFileSync(join(repo, 'metamig.config.yaml'), 'utf8');
  writeFileSync(join(repo, file), `${lines.join('\n')}\n${example.slice(example.indexOf('\npolicy:'))}`);
}

async function run(repo: string, ...args: string[]): Promise<CliResult> {
  const r = await metamig([...args, '--json'], { cwd: repo, timeoutMs: BUDGET });
  expect(r.stdout + r.stderr, 'a password reached the output').not.toContain(PASSWORD);
  return r;
}

/** One report per service, in the same order, none of them a project error. */
function perService<T extends { project: string }>(entries: T[]) {
  const ok = okEntries(entries);
  expect(ok.map((e) => e.project)).toEqual(IDS);
  return ok;
}

/** A --json document without what legitimately differs between two equivalent runs. */
function comparable(r: CliResult, prefix: string): unknown {
  const text = r.stdout.replace(new RegExp(`\\b${prefix}_`, 'g'), 'db_');
  // durations, the tools' own logs (which print timings), times a migration was applied
  return JSON.parse(text, (key, value: unknown) => (['durationMs', 'output', 'appliedAt'].includes(key) ? undefined : value));
}

/** `status --fast` answers exactly what the full status answered, from the history tables, for all eight. */
async function expectFastEqualsFull(repo: string, full: MigrationState[]): Promise<void> {
  const r = await run(repo, 'status', '--fast');
  expect(r.exitCode, r.stderr).toBe(0);
  const fast = perService(parseJson('status', r).projects);
  for (const f of fast) expect(f.source.via, `${f.project}: ${r.stderr}`).toBe('history-table');
  expect(fast.map(comparableState)).toEqual(full.map(comparableState));
}

describe('the polyglot example', () => {
  it('discover finds the eight services, one framework each, each with its own database', async () => {
    const repo = makeRepo({ '.': 'polyglot' });
    const r = await metamig(['discover', '--json'], { cwd: repo });
    expect(r.exitCode, r.stderr).toBe(0);
    const projects = parseJson('discover', r).projects.filter((p) => 'id' in p);
    expect(projects.map((p) => [p.id, p.framework])).toEqual(SERVICES.map(([id, framework]) => [id, framework]));
    for (const p of projects) {
      if (p.framework === 'prisma') {
        // A Prisma project has one provider: this one is PostgreSQL, from DATABASE_URL.
        expect(p.database).toMatchObject({ engine: 'postgres', source: 'tool-config' });
      } else {
        // metamig.config.yaml names a SQLite file inside each service, relative to it.
        expect(p.database).toMatchObject({ engine: 'sqlite', source: 'config' });
        expect(p.database.description).toContain(join(repo, p.root, '/'));
      }
    }
    expect(new Set(projects.map((p) => p.database.description)).size).toBe(IDS.length);
  });

  it('status → plan → up → down 1 → up, across all eight services in one call each', async () => {
    const repo = makeRepo({ '.': 'polyglot' });
    await useDatabases(repo, 'cycle');

    let r = await run(repo, 'status');
    expect(r.exitCode, r.stderr).toBe(0);
    let states = perService(parseJson('status', r).projects);
    expect(states.map((s) => s.framework)).toEqual(SERVICES.map(([, f]) => f));
    for (const s of states) {
      expect(s.migrations.map((m) => m.state), s.project).toEqual(Array(HISTORY).fill('pending'));
    }
    const lastOf = new Map(states.map((s) => [s.project, s.migrations[HISTORY - 1]!]));
    await expectFastEqualsFull(repo, states);

    r = await run(repo, 'plan');
    expect(r.exitCode, r.stderr).toBe(0);
    const plans = perService(parseJson('plan', r).projects);
    for (const p of plans) {
      expect(p.direction).toBe('up');
      expect(p.steps.map((s) => s.migration.id), p.project).toEqual(states.find((s) => s.project === p.project)!.migrations.map((m) => m.id));
      // Each step shows its SQL, or says why it cannot (Laravel cannot pretend a Doctrine column change).
      for (const step of p.steps) expect(step.statements.length > 0 || Boolean(step.reason), `${p.project} ${step.migration.id}`).toBe(true);
    }

    r = await run(repo, 'up');
    expect(r.exitCode, r.stdout.slice(-3000) + r.stderr).toBe(0);
    for (const u of perService(parseJson('up', r).projects)) {
      expect(u.ok, u.project).toBe(true);
      expect(u.before.applied, u.project).toBe(0); // the plan changed nothing
      expect(u.changes.map((c) => c.direction)).toEqual(Array(HISTORY).fill('up'));
      expect(u.after.applied).toBe(HISTORY);
    }
    states = perService(parseJson('status', await run(repo, 'status')).projects);
    await expectFastEqualsFull(repo, states);

    r = await run(repo, 'down', '--steps', '1', '--yes');
    expect(r.exitCode, r.stdout.slice(-3000) + r.stderr).toBe(0);
    for (const d of perService(parseJson('down', r).projects)) {
      const last = lastOf.get(d.project)!;
      expect(d.changes, d.project).toEqual([{ id: last.id, name: last.name, direction: 'down' }]);
    }

    r = await run(repo, 'status');
    states = perService(parseJson('status', r).projects);
    for (const s of states) {
      expect(s.migrations.filter((m) => m.state === 'pending').map((m) => m.id), s.project).toEqual([lastOf.get(s.project)!.id]);
    }
    await expectFastEqualsFull(repo, states);

    // The pending index build, in every service: the policy finds it and the config's review waives it.
    r = await run(repo, 'check');
    expect(r.exitCode, r.stdout.slice(-3000) + r.stderr).toBe(0);
    const checked = JSON.parse(r.stdout) as { projects: { project: string; diagnostics: { rule: string; migration?: string; waived?: { reason: string } }[] }[] };
    expect(checked.projects.map((p) => p.project)).toEqual(IDS);
    for (const p of checked.projects) {
      const index = p.diagnostics.find((d) => d.rule === 'create-index-non-concurrent');
      expect(index?.migration, p.project).toBe(lastOf.get(p.project)!.id);
      expect(index?.waived?.reason, p.project).toMatch(/rows/);
    }

    // The same pending migration, proven reversible in a throwaway database, in every service.
    r = await run(repo, 'verify');
    expect(r.exitCode, r.stdout.slice(-3000) + r.stderr).toBe(0);
    for (const v of perService(parseJson('verify', r).projects)) {
      expect(v.migrations.map((m) => [m.id, m.result]), v.project).toEqual([[lastOf.get(v.project)!.id, 'verified']]);
    }

    r = await run(repo, 'up');
    expect(r.exitCode, r.stdout.slice(-3000) + r.stderr).toBe(0);
    for (const u of perService(parseJson('up', r).projects)) expect(u.changes.map((c) => c.id), u.project).toEqual([lastOf.get(u.project)!.id]);

    r = await run(repo, 'status', '--check');
    expect(r.exitCode, r.stderr).toBe(0); // nothing pending, nothing divergent, anywhere
    for (const s of perService(parseJson('status', r).projects)) expect(s.summary, s.project).toMatchObject({ applied: HISTORY, pending: 0 });
  }, BUDGET);

  it('--concurrency 1 gives the same results as the default', async () => {
    const repo = makeRepo({ '.': 'polyglot' });
    await useDatabases(repo, 'par');
    await useDatabases(repo, 'seq', 'sequential.config.yaml');
    const parallel = await run(repo, 'up');
    const sequential = await run(repo, 'up', '--concurrency', '1', '--config', 'sequential.config.yaml');
    expect(parallel.exitCode, parallel.stderr).toBe(0);
    expect(sequential.exitCode, sequential.stderr).toBe(0);
    perService(parseJson('up', parallel).projects);
    expect(comparable(sequential, 'seq')).toEqual(comparable(parallel, 'par'));

    const statusParallel = await run(repo, 'status');
    const statusSequential = await run(repo, 'status', '--concurrency', '1', '--config', 'sequential.config.yaml');
    perService(parseJson('status', statusParallel).projects);
    expect(comparable(statusSequential, 'seq')).toEqual(comparable(statusParallel, 'par'));
  }, BUDGET);

  it('a migration failing in one service: the other seven are applied and reported, exit 2, the real state', async () => {
    const repo = makeRepo({ '.': 'polyglot' });
    await useDatabases(repo, 'fail');
    const broken = '20250307090000_add_orders_gift.cjs';
    writeFileSync(
      join(repo, 'services/web/migrations', broken),
      "// A typo in the table name: PostgreSQL refuses it.\nexports.up = (knex) => knex.schema.alterTable('order', (t) => t.boolean('gift').notNullable().defaultTo(false));\n\nexports.down = (knex) => knex.schema.alterTable('order', (t) => t.dropColumn('gift'));\n",
    );

    const r = await run(repo, 'up');
    expect(r.exitCode).toBe(2);
    const reports = perService(parseJson('up', r).projects);
    for (const u of reports.filter((x) => x.project !== 'services/web:knex')) {
      expect(u.ok, u.project).toBe(true);
      expect(u.changes).toHaveLength(HISTORY);
    }
    const web = reports.find((x) => x.project === 'services/web:knex')!;
    expect(web.ok).toBe(false);
    expect(web.failedMigration).toBe(broken);
    expect(web.error?.toolOutput ?? '').toContain('relation "order" does not exist');
    // Knex runs the whole batch in one transaction on PostgreSQL: nothing of it stayed.
    expect(web.after.applied).toBe(0);
    expect(web.changes).toEqual([]);
    expect(web.recovery).toContain('The database of services/web:knex is now at');

    // The report is the real state: a fresh status says the same, and the other seven are done.
    const states = perService(parseJson('status', await run(repo, 'status')).projects);
    for (const s of states) {
      const report = reports.find((x) => x.project === s.project)!;
      expect(s.summary.applied, s.project).toBe(report.after.applied);
    }
    const webState = states.find((s) => s.project === 'services/web:knex')!;
    expect(webState.migrations.map((m) => m.state)).toEqual(Array(HISTORY + 1).fill('pending'));

    const text = await metamig(['up'], { cwd: repo, timeoutMs: BUDGET });
    expect(text.exitCode).toBe(2);
    expect(text.stdout).toContain(`✖ services/web:knex: up failed at ${broken}`);
  }, BUDGET);

  it('turbo: `metamig turbo init` wrote the committed task files; migrate:check runs, then hits the cache until a migration changes', async () => {
    const repo = makeRepo({ '.': 'polyglot' });
    const git = (...args: string[]) => execa('git', args, { cwd: repo });
    const turbo = (...args: string[]) =>
      execa(join(repoRoot, 'node_modules/.bin/turbo'), ['run', 'migrate:check', '--output-logs=errors-only', ...args], {
        cwd: repo,
        reject: false,
        env: { TURBO_TELEMETRY_DISABLED: '1', NODE_ENV: undefined, VITEST: undefined },
        timeout: BUDGET,
      });
    const taskFiles = ['turbo.json', 'package.json', ...IDS.flatMap((id) => [`${id.split(':')[0]}/package.json`, `${id.split(':')[0]}/turbo.json`])].filter((f) => f !== 'package.json');
    const committed = new Map(taskFiles.map((f) => [f, readFileSync(join(repo, f), 'utf8')]));

    // Idempotent on the example as committed.
    let init = await metamig(['turbo', 'init'], { cwd: repo });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toContain('Already set up: nothing changed.');

    // From scratch (no turbo.json, no migrate:* scripts), it writes exactly the committed files.
    for (const f of taskFiles) {
      if (f.endsWith('turbo.json')) rmSync(join(repo, f));
      else {
        const pkg = JSON.parse(committed.get(f)!) as { scripts?: Record<string, string> };
        delete pkg.scripts;
        writeFileSync(join(repo, f), `${JSON.stringify(pkg, null, 2)}\n`);
      }
    }
    init = await metamig(['turbo', 'init'], { cwd: repo });
    expect(init.exitCode, init.stderr).toBe(0);
    for (const f of taskFiles) expect(readFileSync(join(repo, f), 'utf8'), f).toBe(committed.get(f));

    await git('init', '-q');
    await git('add', '-A');
    await git('-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-qm', 'polyglot');

    const first = await turbo();
    expect(first.exitCode, String(first.stdout) + String(first.stderr)).toBe(0);
    expect(String(first.stdout)).toMatch(/Tasks:\s+8 successful, 8 total/);
    expect(String(first.stdout)).toMatch(/Cached:\s+0 cached, 8 total/);

    const second = await turbo();
    expect(second.exitCode).toBe(0);
    expect(String(second.stdout)).toMatch(/Cached:\s+8 cached, 8 total/);

    // A new migration in one service: only that service's check runs again (and its new finding fails it).
    writeFileSync(
      join(repo, 'services/web/migrations/20250307090000_index_orders_created_at.cjs'),
      "exports.up = (knex) => knex.schema.alterTable('orders', (t) => t.index(['created_at']));\nexports.down = (knex) => knex.schema.alterTable('orders', (t) => t.dropIndex(['created_at']));\n",
    );
    const third = await turbo('--continue');
    expect(third.exitCode).not.toBe(0);
    expect(String(third.stdout) + String(third.stderr)).toContain('create-index-non-concurrent');
    expect(String(third.stdout)).toMatch(/Cached:\s+7 cached, 8 total/);
    expect(String(third.stdout)).toMatch(/Failed:\s+web#migrate:check/);
  }, BUDGET);
});
