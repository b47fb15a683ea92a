import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fixturesDir, makeContext, projectIn } from '@metamig/testkit';
import { fastRefusal, readerTarget, rowFromDb, selectHistorySql, toIso } from './fast.js';
import { adapter } from './index.js';
import { loadProject } from './project.js';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(() => {
  delete process.env.METAMIG_FAST_URL;
  delete process.env.APP_DATABASE_URL;
});
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'metamig-prisma-fast-'));
  temps.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}
const schemaWith = (url: string) => `datasource db {\n  provider = "postgresql"\n  url      = ${url}\n}\n`;
const prismaPackage = (version: string) => ({ 'node_modules/prisma/package.json': JSON.stringify({ name: 'prisma', version, bin: { prisma: 'build/index.js' } }) });
const refusal = (root: string, url?: string) => fastRefusal(loadProject(projectIn(adapter, root, url)));

describe('when the fast path reads the table directly, and when it refuses', () => {
  it("always with metamig's own URL", () => {
    expect(refusal(join(fixturesDir, 'prisma/basic/postgres'), 'postgresql://u@h/db')).toBeUndefined();
    expect(refusal(join(fixturesDir, 'prisma/basic/sqlite'), 'sqlite:///tmp/x.db')).toBeUndefined();
  });

  it('refuses a config with a driver adapter: code builds the connection', () => {
    expect(refusal(join(fixturesDir, 'prisma/basic/sqlite'))).toBe('prisma.config.ts gives Prisma a driver adapter: the database migrate uses is built by that code, not read from the datasource url');
  });

  it("refuses Prisma 7's config url unless it is a literal", () => {
    process.env.APP_DATABASE_URL = 'postgresql://u@h/db';
    expect(refusal(join(fixturesDir, 'prisma/v7-layout'))).toMatch(/^the datasource url is set in prisma\.config\.ts \(code/);
    const literal = tree({ 'prisma.config.ts': "export default defineConfig({ schema: 'prisma/schema.prisma', datasource: { url: 'postgresql://u@h/app' } })\n", 'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n}\n', ...prismaPackage('7.10.1') });
    expect(refusal(literal)).toBeUndefined();
  });

  it('reads a schema url from a real environment variable', () => {
    process.env.METAMIG_FAST_URL = 'postgresql://u@h/db';
    expect(refusal(tree({ 'prisma/schema.prisma': schemaWith('env("METAMIG_FAST_URL")') }))).toBeUndefined();
  });

  it('reads a .env only where Prisma loads it itself (version 6, no config file)', () => {
    const files = { 'prisma/schema.prisma': schemaWith('env("METAMIG_FAST_URL")'), '.env': 'METAMIG_FAST_URL=postgresql://u@h/db\n' };
    expect(refusal(tree(files))).toBe("the URL comes from a .env file, and whether Prisma loads it depends on its version: the project's prisma package was not found");
    expect(refusal(tree({ ...files, ...prismaPackage('6.19.3') }))).toBeUndefined();
    expect(refusal(tree({ ...files, ...prismaPackage('7.0.0') }))).toBe("Prisma 7.0.0 reads the database URL from prisma.config, not from the schema's datasource url");
    const withConfig = tree({ ...files, ...prismaPackage('6.19.3'), 'prisma.config.ts': "import 'dotenv/config';\nexport default defineConfig({ schema: 'prisma/schema.prisma' })\n" });
    expect(refusal(withConfig)).toBe('the URL comes from a .env file that prisma.config.ts loads itself (code): with a config file, Prisma does not load .env');
  });

  it('refuses a config that rewrites the environment the url is read from', () => {
    process.env.METAMIG_FAST_URL = 'postgresql://u@h/db';
    const root = tree({ 'prisma/schema.prisma': schemaWith('env("METAMIG_FAST_URL")'), 'prisma.config.ts': "process.env.METAMIG_FAST_URL ??= 'postgresql://u@other/db';\nexport default defineConfig({ schema: 'prisma/schema.prisma' })\n" });
    expect(refusal(root)).toBe('prisma.config.ts changes the environment itself (it assigns process.env), so the variable\'s value when Prisma runs is not known without running it');
  });

  it('refuses without any URL, with the reason the full path would give', () => {
    expect(refusal(tree({ 'prisma/schema.prisma': schemaWith('env("METAMIG_FAST_URL")') }))).toBe('no database URL is known without running Prisma (METAMIG_FAST_URL is not set (the datasource url in prisma/schema.prisma reads it))');
  });

  it('statusFast says OPERATION.UNSUPPORTED (the CLI falls back to the tool) without a reader or a URL', async () => {
    const project = projectIn(adapter, join(fixturesDir, 'prisma/basic/sqlite'));
    await expect(adapter.statusFast!(project, makeContext())).rejects.toMatchObject({ code: 'OPERATION.UNSUPPORTED' });
  });
});

describe('reading _prisma_migrations the way the helper does', () => {
  it("connects without Prisma's ?schema= and reads that schema's table", () => {
    expect(readerTarget({ url: 'postgresql://app:pw@db:5432/shop?schema=sales&sslmode=require', engine: 'postgres', from: 'x' })).toEqual({ url: 'postgresql://app:pw@db:5432/shop?sslmode=require', schema: 'sales' });
    expect(readerTarget({ url: 'postgresql://app@db/shop', engine: 'postgres', from: 'x' })).toEqual({ url: 'postgresql://app@db/shop', schema: 'public' });
    expect(readerTarget({ url: 'file:/var/data/app.db', engine: 'sqlite', from: 'x' })).toEqual({ url: 'sqlite:///var/data/app.db' });
    expect(selectHistorySql('sales')).toBe('SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count FROM "sales"."_prisma_migrations" ORDER BY started_at ASC');
    expect(selectHistorySql()).toContain('FROM _prisma_migrations ORDER BY started_at ASC');
  });

  it('turns every timestamp format Prisma writes into ISO text', () => {
    expect(toIso(new Date('2024-01-10T09:00:00.123Z'))).toBe('2024-01-10T09:00:00.123Z'); // pg timestamptz
    expect(toIso(1704877200123)).toBe('2024-01-10T09:00:00.123Z'); // native engine on SQLite: unix ms
    expect(toIso('2024-01-10T09:00:00.123+00:00')).toBe('2024-01-10T09:00:00.123Z'); // JS engine on SQLite
    expect(toIso('2024-01-10 09:00:00')).toBe('2024-01-10T09:00:00.000Z'); // CURRENT_TIMESTAMP default (UTC)
    expect(toIso('not a date')).toBe('not a date');
    expect(toIso(null)).toBeNull();
  });

  it('normalizes a row', () => {
    const raw = { id: 'a', checksum: 'c', finished_at: null, migration_name: 'm', logs: null, rolled_back_at: null, started_at: 1704877200000, applied_steps_count: '0' };
    expect(rowFromDb(raw)).toEqual({ id: 'a', checksum: 'c', finishedAt: null, migrationName: 'm', logs: null, rolledBackAt: null, startedAt: '2024-01-10T09:00:00.000Z', appliedStepsCount: 0 });
  });
});
