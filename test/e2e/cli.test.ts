// End-to-end: the built `metamig` binary, real tools, a throwaway PostgreSQL and SQLite files.
// Every --json output is validated against the zod schemas @metamig/core exports.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { usePostgres } from '@metamig/testkit';
import { type ProjectError, isProjectError } from '@metamig/core';
import { makeRepo, metamig, parseJson, writeFile } from './helpers.js';

const pg = usePostgres();

const okEntries = <T>(entries: T[]) => entries.filter((e) => !isProjectError(e)) as Exclude<T, ProjectError>[];

describe('discover', () => {
  it('finds every project with framework, root and database, skipping dependency folders', async () => {
    const repo = makeRepo({ 'services/api': 'alembic/basic', 'services/web': 'knex/basic', 'node_modules_copy/x': 'knex/basic' });
    writeFile(join(repo, 'services/web/node_modules/pkg/knexfile.js'), 'module.exports = {}');
    const r = await metamig(['discover', '--json'], { cwd: repo });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = parseJson('discover', r);
    const ids = doc.projects.map((p) => ('id' in p ? p.id : p.project));
    expect(ids).toEqual(['node_modules_copy/x:knex', 'services/api:alembic', 'services/web:knex']);
    const api = doc.projects.find((p) => 'id' in p && p.id === 'services/api:alembic');
    expect(api).toMatchObject({ framework: 'alembic', root: 'services/api', database: { engine: 'sqlite', source: 'tool-config' } });

    // Run inside a folder of the repository: metamig scopes itself to the projects in it.
    const text = await metamig(['discover'], { cwd: join(repo, 'services') });
    expect(text.stdout).toMatch(/services\/web:knex\s+knex\s+services\/web/);
    expect(text.stdout).not.toContain('node_modules_copy');
    expect(text.stdout).toContain('2 projects found.');
  });
});

describe.each([
  { engine: 'postgres', framework: 'alembic', fixture: 'alembic/basic', toId: '0003' },
  { engine: 'sqlite', framework: 'alembic', fixture: 'alembic/basic', toId: '0003' },
  { engine: 'postgres', framework: 'knex', fixture: 'knex/basic', toId: '20240117084500_add_users_email_index.cjs' },
  { engine: 'sqlite', framework: 'knex', fixture: 'knex/basic', toId: '20240117084500_add_users_email_index.cjs' },
])('the full cycle for $framework on $engine', ({ engine, framework, fixture, toId }) => {
  it('status → up → status → plan down → down 1 → status → up --to → status', async () => {
    const repo = makeRepo({ svc: fixture });
    const db = engine === 'postgres' ? ['--database-url', (await pg.database()).replace('postgres@', 'postgres:s3cr3t-pw@')] : [];
    const run = async (cmd: string, ...args: string[]) => {
      const r = await metamig([cmd, ...args, ...db, '--json'], { cwd: repo });
      expect(r.stdout + r.stderr, 'a password reached the output').not.toContain('s3cr3t-pw');
      return r;
    };

    let r = await run('status');
    expect(r.exitCode, r.stderr).toBe(0);
    let [state] = okEntries(parseJson('status', r).projects);
    expect(state!.framework).toBe(framework);
    expect(state!.migrations.every((m) => m.state === 'pending')).toBe(true);
    const total = state!.migrations.length;
    expect(total).toBe(4);

    r = await run('status', '--check');
    expect(r.exitCode).toBe(1); // pending migrations fail the gate

    r = await run('up');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [up] = okEntries(parseJson('up', r).projects);
    expect(up!.ok).toBe(true);
    expect(up!.changes.map((c) => c.direction)).toEqual(Array(total).fill('up'));

    r = await run('status');
    [state] = okEntries(parseJson('status', r).projects);
    expect(state!.summary).toMatchObject({ applied: total, pending: 0 });

    r = await run('plan', '--direction', 'down');
    expect(r.exitCode, r.stderr).toBe(0);
    const [plan] = okEntries(parseJson('plan', r).projects);
    expect(plan!.direction).toBe('down');
    expect(plan!.steps).toHaveLength(1);
    expect(plan!.steps[0]!.migration.id).toBe(state!.migrations[total - 1]!.id);
    expect(plan!.steps[0]!.statements.length).toBeGreaterThan(0);

    r = await run('down', '--steps', '1', '--yes');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [down] = okEntries(parseJson('down', r).projects);
    expect(down!.changes).toEqual([{ id: state!.migrations[total - 1]!.id, name: state!.migrations[total - 1]!.name, direction: 'down' }]);

    r = await run('status');
    [state] = okEntries(parseJson('status', r).projects);
    expect(state!.migrations.filter((m) => m.state === 'pending').map((m) => m.id)).toEqual([state!.migrations[total - 1]!.id]);

    r = await run('down', '--to', state!.migrations[0]!.id, '--yes');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    r = await run('up', '--to', toId);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    r = await run('status');
    [state] = okEntries(parseJson('status', r).projects);
    const applied = state!.migrations.filter((m) => m.state === 'applied').map((m) => m.id);
    expect(applied[applied.length - 1]).toBe(toId);
    expect(state!.summary).toMatchObject({ applied: 3, pending: 1 });
  });
});

describe('divergent history', () => {
  it('heads shows 2 heads; merge writes a real merge revision that then applies', async () => {
    const repo = makeRepo({ api: 'alembic/multiple-heads' });
    let r = await metamig(['heads', '--json'], { cwd: repo });
    expect(r.exitCode, r.stderr).toBe(0);
    const [heads] = okEntries(parseJson('heads', r).projects);
    expect(heads!.heads.sort()).toEqual(['0003a', '0003b']);
    expect(heads!.divergent).toBe(true);
    expect((await metamig(['heads', '--check'], { cwd: repo })).exitCode).toBe(1);

    r = await metamig(['merge', '-m', 'join branches', '--json'], { cwd: repo });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [merge] = okEntries(parseJson('merge', r).projects);
    expect(merge!.headsAfter).toHaveLength(1);
    expect(merge!.created).toHaveLength(1);
    const file = readFileSync(join(repo, 'api', merge!.created[0]!), 'utf8');
    expect(file).toMatch(/down_revision(: [^=]+)? = \('0003a', '0003b'\)/);
    expect(file).toContain('join branches');

    r = await metamig(['up', '--json'], { cwd: repo });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [up] = okEntries(parseJson('up', r).projects);
    expect(up!.changes.map((c) => c.id)).toContain(merge!.headsAfter[0]);
  });

  it('knex: out-of-order files are reported; --restamp renames only unapplied ones', async () => {
    const repo = makeRepo({ web: 'knex/out-of-order' });
    // Reach the divergent state honestly: apply main's migrations, then merge a branch whose files
    // carry older timestamps (kept in the fixture's branch/ folder).
    expect((await metamig(['up'], { cwd: repo })).exitCode).toBe(0);
    const branch = readdirSync(join(repo, 'web/branch'));
    for (const f of branch) writeFileSync(join(repo, 'web/migrations', f), readFileSync(join(repo, 'web/branch', f)));
    const older = join(repo, 'web/migrations', branch.sort()[0]!);
    let r = await metamig(['heads', '--json'], { cwd: repo });
    const [heads] = okEntries(parseJson('heads', r).projects);
    expect(heads!.history).toEqual({ kind: 'outOfOrder', migrations: branch.sort() });

    r = await metamig(['merge', '--restamp', '--json'], { cwd: repo });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [merge] = okEntries(parseJson('merge', r).projects);
    expect(merge!.renamed.map((x) => x.from.split('/').pop())).toEqual(branch.sort());
    expect(existsSync(older)).toBe(false);
    const files = readdirSync(join(repo, 'web/migrations'));
    expect(files).toContain('20240301090000_create_projects.cjs'); // applied files untouched
    expect(files).toContain('20240310090000_create_tasks.cjs');
    // After the restamp the history is linear again: the renamed files sort after every applied one.
    const after = okEntries(parseJson('heads', await metamig(['heads', '--json'], { cwd: repo })).projects)[0]!;
    expect(after.history?.kind).toBe('databaseBehind');
  });
});

describe('failures', () => {
  it('a failing migration: exit 2, the tool\'s own message, and the real state afterwards', async () => {
    const repo = makeRepo({ api: 'alembic/failed-migration' });
    const url = await pg.database();
    const r = await metamig(['up', '--database-url', url, '--json'], { cwd: repo });
    expect(r.exitCode).toBe(2);
    const [report] = okEntries(parseJson('up', r).projects);
    expect(report!.ok).toBe(false);
    expect(report!.failedMigration).toBe('0005');
    expect(report!.error?.toolOutput ?? '').toMatch(/legacy|does not exist|UndefinedTable/i);
    expect(report!.recovery).toContain('The database of api:alembic is now at');
    // PostgreSQL: Alembic ran the batch in one transaction, so nothing is applied.
    const s = okEntries(parseJson('status', await metamig(['status', '--database-url', url, '--json'], { cwd: repo })).projects)[0]!;
    expect(s.summary.applied).toBe(report!.after.applied);
    expect(report!.changes).toHaveLength(s.summary.applied);

    const text = await metamig(['up', '--database-url', url], { cwd: repo });
    expect(text.exitCode).toBe(2);
    expect(text.stdout).toContain('✖ api:alembic: up failed at 0005');
  });

  it('a broken config names the file, line and field; exit 2', async () => {
    const repo = makeRepo({ api: 'alembic/basic' });
    writeFileSync(join(repo, 'metamig.config.yaml'), 'projects:\n  - path: api\n    framework: hibernate\n');
    const r = await metamig(['status'], { cwd: repo });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/metamig\.config\.yaml:3: projects\[0\]\.framework: Invalid option/);
    expect(r.stderr.split('\n').length).toBeLessThan(25); // one screen
  });

  it('an unknown project id lists the known ones; exit 2 (JSON too)', async () => {
    const repo = makeRepo({ api: 'alembic/basic', web: 'knex/basic' });
    const r = await metamig(['status', 'billing'], { cwd: repo });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Unknown project "billing"');
    expect(r.stderr).toContain('api:alembic, web:knex');
    const j = await metamig(['status', 'billing', '--json'], { cwd: repo });
    expect(j.exitCode).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ projects: [], error: { code: 'USAGE.UNKNOWN_PROJECT' } });
  });

  it('a missing toolchain says how to install it; exit 2; other projects still report', async () => {
    const repo = makeRepo({ api: 'alembic/basic', web: 'knex/basic' });
    const r = await metamig(['status', '--json'], { cwd: repo, env: { METAMIG_TOOLCHAINS: '/nonexistent' } });
    expect(r.exitCode).toBe(2);
    const doc = parseJson('status', r);
    const api = doc.projects.find((p) => p.project === 'api:alembic');
    expect(api && isProjectError(api) && api.error).toMatchObject({ code: 'TOOL.NOT_FOUND', fix: expect.stringContaining('npm run setup') });
    const web = doc.projects.find((p) => p.project === 'web:knex');
    expect(web && !isProjectError(web)).toBe(true);
    const doctor = await metamig(['doctor'], { cwd: repo, env: { METAMIG_TOOLCHAINS: '/nonexistent' } });
    expect(doctor.exitCode).toBe(2);
  });

  it('down without --yes and without a terminal refuses and changes nothing', async () => {
    const repo = makeRepo({ web: 'knex/basic' });
    expect((await metamig(['up'], { cwd: repo })).exitCode).toBe(0);
    const r = await metamig(['down', '--steps', '2'], { cwd: repo });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Refusing to roll back without confirmation');
    expect(r.stderr).toContain('20240118120000_seed_admin_user.cjs');
    const s = okEntries(parseJson('status', await metamig(['status', '--json'], { cwd: repo })).projects)[0]!;
    expect(s.summary.applied).toBe(4);
  });

  it('usage errors exit 2 with a one-line reason', async () => {
    const repo = makeRepo({ web: 'knex/basic' });
    for (const args of [['down'], ['up', '--steps', 'x'], ['up', '--to', 'a', '--steps', '1'], ['frobnicate']]) {
      const r = await metamig(args, { cwd: repo });
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error /);
    }
  });
});

describe('signals', () => {
  it('Ctrl-C reaches the running tool, metamig waits for it, and nothing is left half-applied', async () => {
    const repo = makeRepo({ api: 'alembic/basic' });
    writeFile(
      join(repo, 'api/migrations/versions/0005_slow.py'),
      'revision = "0005"\ndown_revision = "0004"\nbranch_labels = None\ndepends_on = None\nfrom alembic import op\n\ndef upgrade():\n    op.execute("CREATE TABLE slow_marker (id int)")\n    op.execute("SELECT pg_sleep(60)")\n\ndef downgrade():\n    op.execute("DROP TABLE slow_marker")\n',
    );
    const url = await pg.database();
    const { execa } = await import('execa');
    const { BIN } = await import('./helpers.js');
    const started = Date.now();
    const child = execa(process.execPath, [BIN, 'up', '--database-url', url], { cwd: repo, reject: false, env: { NO_COLOR: '1' } });
    // Wait until the slow migration is running (its table exists inside the open transaction).
    for (let i = 0; i < 100; i++) {
      const rows = await pg.server.query<{ n: string }>(new URL(url).pathname.slice(1), "SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()");
      if (Number(rows[0]?.n) > 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    child.kill('SIGINT');
    const r = await child;
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.exitCode).toBe(130);
    expect(String(r.stderr)).toContain('SIGINT received');
    // The transaction was rolled back: nothing of the batch is applied, not even 0001.
    const s = okEntries(parseJson('status', await metamig(['status', '--database-url', url, '--json'], { cwd: repo })).projects)[0]!;
    expect(s.summary.applied).toBe(0);
  });
});

describe('--sandbox', () => {
  it('applies the polyglot example to a throwaway PostgreSQL and removes it afterwards', async () => {
    const repo = makeRepo({ 'services/billing': 'polyglot/services/billing', 'services/web': 'polyglot/services/web' });
    const r = await metamig(['--sandbox', 'up', '--yes', '--json'], { cwd: repo });
    expect(r.exitCode, r.stderr).toBe(0);
    const reports = okEntries(parseJson('up', r).projects);
    expect(reports.map((p) => p.changes.length)).toEqual([6, 6]);
    // The sandbox is gone: a second run starts from scratch again.
    const again = okEntries(parseJson('status', await metamig(['--sandbox', 'status', '--json'], { cwd: repo })).projects);
    expect(again.every((s) => s.summary.applied === 0)).toBe(true);
    expect(existsSync(join(repo, 'services/web/web.sqlite3'))).toBe(false);
  });
});
