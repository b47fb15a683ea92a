import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AdapterContext } from '@metamig/core';
import { fixturesDir, makeContext, projectIn } from '@metamig/testkit';
import { adapter } from './index.js';
import { loadProject } from './project.js';
import { downScript } from './rollback.js';

/** A context whose runner refuses to start anything: these answers come from the files alone. */
const noProcesses: AdapterContext = {
  ...makeContext(),
  runner: {
    run: () => {
      throw new Error('no process may run to resolve a down.sql');
    },
  },
};

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('down.sql resolution', () => {
  const project = projectIn(adapter, join(fixturesDir, 'prisma/basic/postgres'));
  const p = loadProject(project);

  it("uses the migration's own down.sql, statement by statement with lines", async () => {
    expect(await downScript(project, p, noProcesses, '20240111090000_add_users_display_name')).toEqual({
      ok: true,
      name: '20240111090000_add_users_display_name',
      source: 'down.sql',
      file: 'prisma/migrations/20240111090000_add_users_display_name/down.sql',
      sql: '-- AlterTable\nALTER TABLE "users" DROP COLUMN "display_name";\n',
      statements: [{ sql: 'ALTER TABLE "users" DROP COLUMN "display_name"', line: 2 }],
    });
  });

  it('refuses a data step without down.sql before anything runs, and a folder that is not there', async () => {
    expect(await downScript(project, p, noProcesses, '20240112090000_backfill_users_display_name')).toEqual({
      ok: false,
      name: '20240112090000_backfill_users_display_name',
      reason: expect.stringMatching(/^no down\.sql, and none can be generated: line 3 changes data/),
    });
    expect(await downScript(project, p, noProcesses, '20990101000000_gone')).toMatchObject({ ok: false, reason: expect.stringContaining('not in the migrations directory') });
  });

  it('refuses a down.sql that manages its own transaction or cannot run in one', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'metamig-prisma-rollback-')), 'basic');
    temps.push(dirname(dir));
    cpSync(join(fixturesDir, 'prisma/basic/postgres'), dir, { recursive: true });
    writeFileSync(join(dir, 'prisma/migrations/20240110090000_create_users/down.sql'), 'BEGIN;\nDROP TABLE "users";\nCOMMIT;\n');
    writeFileSync(join(dir, 'prisma/migrations/20240111090000_add_users_display_name/down.sql'), 'DROP INDEX CONCURRENTLY "users_email_key";\n');
    const copy = projectIn(adapter, dir);
    const cp = loadProject(copy);
    expect(await downScript(copy, cp, noProcesses, '20240110090000_create_users')).toMatchObject({
      ok: false,
      reason: 'prisma/migrations/20240110090000_create_users/down.sql line 1 controls the transaction itself (BEGIN); metamig runs it and the _prisma_migrations update in one transaction. Remove the transaction statements.',
    });
    expect(await downScript(copy, cp, noProcesses, '20240111090000_add_users_display_name')).toMatchObject({ ok: false, reason: expect.stringContaining('line 1 cannot run inside a transaction') });
  });
});
