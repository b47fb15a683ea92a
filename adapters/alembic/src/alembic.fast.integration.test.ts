// The fast path (files + alembic_version, no Python) against the full path (Alembic itself), on
// every fixture, PostgreSQL and SQLite, at each point of the fixture's life, plus graphs that
// exercise Alembic's ordering (branch labels, depends_on, a second base, a merge, nested folders):
// both must agree on every compared field (core's comparableState), or the test fails.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrationState, type Project, runMigrations } from '@metamig/core';
import { copyFixture, expectFastMatchesFull, makeContext, projectIn, removeCopy, usePostgres } from '@metamig/testkit';
import { adapter } from './index.js';

// The fixtures' env.py switch to DATABASE_URL when it is set; these tests choose explicitly.
delete process.env.DATABASE_URL;
delete process.env.ALEMBIC_CONFIG;

const pg = usePostgres();
const ids = (s: MigrationState) => s.migrations.map((m) => `${m.id}:${m.state}`);

beforeAll(() => {
  const ctx = makeContext();
  if (!ctx.toolchains.find(ctx.toolchains.python())) {
    throw new Error(`No Python with Alembic for the tests: run \`npm run setup\` (scripts/setup) in ${ctx.repoRoot}; it creates .toolchains/venv with the pinned alembic, SQLAlchemy and psycopg.`);
  }
});

const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));

type Engine = 'postgres' | 'sqlite';
interface Setup {
  project: Project;
  ctx: ReturnType<typeof makeContext>;
  same(): Promise<MigrationState>;
  up(id?: string): Promise<void>;
  down(steps: number): Promise<void>;
}

/** A fixture copy; `url: 'ini'` leaves the database to alembic.ini (no override). */
async function setup(fixture: string, engine: Engine | 'ini', edit?: (dir: string) => void): Promise<Setup> {
  const dir = copyFixture(`alembic/${fixture}`);
  copies.push(dir);
  edit?.(dir);
  const url = engine === 'postgres' ? await pg.database() : engine === 'sqlite' ? `sqlite:///${dir}/fast.db` : undefined;
  const project = projectIn(adapter, dir, url);
  const ctx = makeContext();
  const run = async (direction: 'up' | 'down', target: Parameters<typeof runMigrations>[3]) => {
    const r = await runMigrations(adapter, project, direction, target, ctx);
    expect(r.ok, r.error?.summary).toBe(true);
  };
  return {
    project,
    ctx,
    same: async () => (await expectFastMatchesFull(adapter, project, ctx)).fast,
    up: (id) => run('up', id ? { kind: 'to', id } : { kind: 'latest' }),
    down: (steps) => run('down', { kind: 'steps', n: steps }),
  };
}

const revision = (id: string, down: string, extra = '', doc = `revision ${id}`) =>
  `"""${doc}\n\nRevision ID: ${id}\n"""\nfrom alembic import op\n\nrevision = "${id}"\ndown_revision = ${down}\n${extra}\n\ndef upgrade():\n    op.execute("SELECT 1")\n\n\ndef downgrade():\n    op.execute("SELECT 1")\n`;

describe.each(['postgres', 'sqlite'] as const)('fast status equals full status on %s', (engine) => {
  it('basic: fresh, partly applied, applied, rolled back, a revision the code lost', async () => {
    const s = await setup('basic', engine);
    expect((await s.same()).summary).toMatchObject({ applied: 0, pending: 4 });
    await s.up('0002');
    expect((await s.same()).current).toEqual(['0002']);
    await s.up();
    await s.same();
    await s.down(1);
    expect((await s.same()).summary).toMatchObject({ applied: 3, pending: 1 });
    await s.up();
    rmSync(join(s.project.absRoot, 'migrations/versions/0004_seed_admin_users.py'));
    const diverged = await s.same();
    expect(diverged.history).toEqual({ kind: 'diverged', unknownToCode: ['0004'] });
    expect(diverged.source).toMatchObject({ via: 'history-table', command: [], native: 'SELECT version_num FROM alembic_version' });
  });

  it('multiple heads: two heads, one branch, both, one rolled back, merged, down across the merge', async () => {
    const s = await setup('multiple-heads', engine);
    expect(ids(await s.same())).toEqual(['0001:pending', '0002:pending', '0003b:pending', '0003a:pending']);
    await s.up('0003b');
    await s.same();
    await s.up();
    expect((await s.same()).current.sort()).toEqual(['0003a', '0003b']);
    await s.down(1);
    await s.same();
    await s.up();
    const merge = await adapter.mergeHeads(s.project, { state: await adapter.status(s.project, s.ctx) }, s.ctx);
    expect(merge.created).toHaveLength(1);
    expect((await s.same()).history).toMatchObject({ kind: 'databaseBehind' });
    await s.up();
    await s.same();
    await s.down(2);
    expect((await s.same()).current).toEqual(['0003b']);
  });

  it('failed, irreversible and rollback-gaps fixtures', async () => {
    const failed = await setup('failed-migration', engine);
    expect((await runMigrations(adapter, failed.project, 'up', { kind: 'latest' }, failed.ctx)).ok).toBe(false);
    expect((await failed.same()).summary.pending).toBe(engine === 'postgres' ? 5 : 1);
    const irreversible = await setup('irreversible', engine);
    await irreversible.same();
    await irreversible.up();
    expect((await irreversible.same()).migrations.map((m) => m.reversible)).toEqual(['unknown', 'unknown', 'unknown']);
    const gaps = await setup('rollback-gaps', engine);
    await gaps.up('0002');
    await gaps.same();
  });
});

describe('Alembic ordering and configuration, read statically', () => {
  it('a second base with a branch label, depends_on, a branch point, a merge, revisions in a nested folder', async () => {
    const s = await setup('basic', 'sqlite', (dir) => {
      const versions = join(dir, 'migrations/versions');
      mkdirSync(join(versions, 'audit'));
      renameSync(join(versions, '0004_seed_admin_users.py'), join(versions, 'audit/0004_seed_admin_users.py'));
      writeFileSync(join(versions, 'audit/a1_audit_base.py'), revision('a1', 'None', 'branch_labels = ("audit",)\ndepends_on = None', 'start the audit branch'));
      writeFileSync(join(versions, 'audit/a2_audit_needs_users.py'), revision('a2', '"a1"', 'depends_on = "0002"'));
      writeFileSync(join(versions, 'b1_side_branch.py'), revision('b1', '"0002"', '', 'side branch\nwith a second line'));
      writeFileSync(join(versions, 'c1_reports_base.py'), revision('c1', 'None', 'branch_labels = "reports"'));
      writeFileSync(join(versions, 'm1_merge.py'), revision('m1', '("0004", "b1")', 'depends_on = ["reports"]', ''));
      writeFileSync(join(versions, '__init__.py'), '');
      writeFileSync(join(versions, 'README.txt'), 'not a revision');
      const ini = join(dir, 'alembic.ini');
      writeFileSync(ini, readFileSync(ini, 'utf8').replace('path_separator = os', 'path_separator = os\nrecursive_version_locations = true\nversion_locations = %(here)s/migrations/versions'));
    });
    const fresh = await s.same();
    expect([...fresh.heads].sort()).toEqual(['a2', 'c1', 'm1']); // depends_on does not make c1 stop being a head
    expect(fresh.migrations.find((m) => m.id === 'b1')?.name).toBe('side branch\nwith a second line');
    await s.up('a2');
    expect((await s.same()).current).toEqual(['a2']); // alembic_version keeps a2 only: 0002 is below it (depends_on)
    await s.up('0003');
    await s.same();
    await s.up();
    expect([...(await s.same()).current].sort()).toEqual(['a2', 'm1']); // c1 is below m1
  });

  it('no override: pyproject.toml [tool.alembic] and an env.py that takes sqlalchemy.url from alembic.ini', async () => {
    const s = await setup('basic', 'ini', (dir) => {
      const ini = join(dir, 'alembic.ini');
      writeFileSync(ini, readFileSync(ini, 'utf8').replace('script_location = %(here)s/migrations\n', ''));
      writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "fixture"\n\n[tool.alembic]\nscript_location = "%(here)s/migrations"\n');
      const env = join(dir, 'migrations/env.py');
      const text = readFileSync(env, 'utf8').replace(/^database_url = [\s\S]*?\n\n/m, '').replace('import os\n', '');
      writeFileSync(env, text);
    });
    expect(s.project.databaseUrl).toBeUndefined();
    await s.same();
    await s.up('0003');
    const fast = await s.same();
    expect(fast.database).toMatch(/^sqlite:\/\/\/.*\/app\.db$/);
  });
});
