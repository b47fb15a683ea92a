import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AdapterContext, type HistoryReader, type Project, isMigratorError } from '@metamig/core';
import { copyFixture, makeContext, projectIn, removeCopy } from '@metamig/testkit';
import { revisionFiles } from './fast.js';
import { adapter } from './index.js';

delete process.env.ALEMBIC_CONFIG;
const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));
const copy = (name: string) => {
  const dir = copyFixture(`alembic/${name}`);
  copies.push(dir);
  return dir;
};

/** A context whose runner fails the test if anything is spawned, and a history reader with canned heads. */
function fastContext(heads: string[] | null): AdapterContext & { calls: string[] } {
  const calls: string[] = [];
  const history: HistoryReader = {
    tableExists: async (url, table) => {
      calls.push(`exists ${url} ${table}`);
      return heads !== null;
    },
    query: async <T extends Record<string, unknown>>(url: string, q: string) => {
      calls.push(`query ${url} ${q}`);
      return (heads ?? []).map((version_num) => ({ version_num })) as unknown as T[];
    },
  };
  const runner = { run: () => Promise.reject(new Error('the fast path must not start a process')) } as unknown as AdapterContext['runner'];
  return { ...makeContext(), runner, history, calls };
}

async function refusal(project: Project, ctx: AdapterContext) {
  const err = await adapter.statusFast!(project, ctx).catch((e: unknown) => e);
  expect(isMigratorError(err) && err.code, String(err)).toBe('OPERATION.UNSUPPORTED');
  return err as { why?: string; fix?: string };
}

const genericEnv = (dir: string) => {
  const env = join(dir, 'migrations/env.py');
  writeFileSync(env, readFileSync(env, 'utf8').replace(/^database_url = [\s\S]*?\n\n/m, '').replace('import os\n', ''));
};

describe('statusFast', () => {
  it("refuses without a database URL when env.py reads the environment (the fixtures' env.py reads DATABASE_URL)", async () => {
    const ctx = fastContext([]);
    const err = await refusal(projectIn(adapter, copy('basic')), ctx);
    expect(err.why).toBe('env.py reads the environment (os.environ / getenv), so the database may be chosen at run time');
    expect(err.fix).toContain('--database-url');
    expect(ctx.calls).toEqual([]);
  });

  it("reads alembic.ini's URL when env.py provably uses it, with one query and no process", async () => {
    const dir = copy('basic');
    genericEnv(dir);
    const ctx = fastContext(['0002']);
    const s = await adapter.statusFast!(projectIn(adapter, dir), ctx);
    expect(ctx.calls).toEqual([`exists sqlite://${dir}/app.db alembic_version`, `query sqlite://${dir}/app.db SELECT version_num FROM alembic_version`]);
    expect(s.migrations.map((m) => [m.id, m.name, m.file, m.state, m.reversible, 'transactional' in m])).toEqual([
      ['0001', 'create users', 'migrations/versions/0001_create_users.py', 'applied', 'unknown', false],
      ['0002', 'add email', 'migrations/versions/0002_add_email.py', 'applied', 'unknown', false],
      ['0003', 'index email', 'migrations/versions/0003_index_email.py', 'pending', 'unknown', false],
      ['0004', 'seed admin users', 'migrations/versions/0004_seed_admin_users.py', 'pending', 'unknown', false],
    ]);
    expect(s.source).toMatchObject({ via: 'history-table', command: [], native: 'SELECT version_num FROM alembic_version' });
  });

  it('uses the override URL and never shows its password; no table means nothing applied', async () => {
    const ctx = fastContext(null);
    const s = await adapter.statusFast!(projectIn(adapter, copy('basic'), 'postgresql://u:hunter2@127.0.0.1:5432/app'), ctx);
    expect(ctx.calls).toEqual(['exists postgresql://u:hunter2@127.0.0.1:5432/app alembic_version']);
    expect(s.summary).toMatchObject({ applied: 0, pending: 4 });
    expect(JSON.stringify(s)).not.toContain('hunter2');
  });

  it('refuses a revision whose id is computed, env.py choosing the version table, and ALEMBIC_CONFIG', async () => {
    const dir = copy('basic');
    const file = join(dir, 'migrations/versions/0003_index_email.py');
    writeFileSync(file, readFileSync(file, 'utf8').replace('revision: str = "0003"', 'revision: str = "00" + "03"').replace('revision = "0003"', 'revision = "00" + "03"'));
    const url = 'postgresql://u@127.0.0.1:1/db';
    expect((await refusal(projectIn(adapter, dir, url), fastContext([]))).why).toMatch(/^migrations\/versions\/0003_index_email\.py computes revision in code \(line \d+\)/);
    const other = copy('basic');
    const env = join(other, 'migrations/env.py');
    writeFileSync(env, readFileSync(env, 'utf8').replace('context.configure(connection=connection,', 'context.configure(version_table="history", connection=connection,'));
    expect((await refusal(projectIn(adapter, other, url), fastContext([]))).why).toContain('configures the version table');
    const project = projectIn(adapter, copy('basic'), url);
    expect((await refusal({ ...project, env: { ALEMBIC_CONFIG: 'other.ini' } }, fastContext([]))).why).toContain('ALEMBIC_CONFIG');
  });
});

describe('revisionFiles', () => {
  it("lists what Alembic loads: sorted, .py only, no __init__ / .# files, nested folders only when recursive, each real file once", () => {
    const dir = copy('basic');
    const versions = join(dir, 'migrations/versions');
    mkdirSync(join(versions, 'nested/__pycache__'), { recursive: true });
    for (const f of ['__init__.py', '.#0001_lock.py', 'notes.txt', 'nested/0005_n.py', 'nested/__pycache__/0006_c.py']) writeFileSync(join(versions, f), '');
    symlinkSync(join(versions, '0001_create_users.py'), join(versions, '0000_alias.py'));
    const names = (recursive: boolean) => revisionFiles({ versionLocations: [versions, join(dir, 'missing')], recursive }).map((f) => f.slice(versions.length + 1));
    expect(names(false)).toEqual(['0001_create_users.py', '0002_add_email.py', '0003_index_email.py', '0004_seed_admin_users.py']);
    expect(names(true)).toEqual(['0001_create_users.py', '0002_add_email.py', '0003_index_email.py', '0004_seed_admin_users.py', 'nested/0005_n.py']);
  });
});
