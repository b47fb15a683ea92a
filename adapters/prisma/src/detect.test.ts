import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listRepo } from '@metamig/core';
import { fixturesDir } from '@metamig/testkit';
import { describeDatabase, detect } from './detect.js';
import { parseConfigText, parseDatasource, readLayout, urlEnvNames, urlSetting } from './layout.js';

const prismaFixtures = join(fixturesDir, 'prisma');
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A throwaway tree: { 'path/file': 'content' }. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'metamig-prisma-detect-'));
  temps.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('detect', () => {
  it('finds every fixture project (Prisma 6 and 7 layouts) by its config file', () => {
    expect(detect(listRepo(prismaFixtures))).toEqual([
      { framework: 'prisma', root: 'basic/postgres', configFile: 'basic/postgres/prisma.config.ts' },
      { framework: 'prisma', root: 'basic/sqlite', configFile: 'basic/sqlite/prisma.config.ts' },
      { framework: 'prisma', root: 'drift', configFile: 'drift/prisma.config.ts' },
      { framework: 'prisma', root: 'failed-migration/postgres', configFile: 'failed-migration/postgres/prisma.config.ts' },
      { framework: 'prisma', root: 'failed-migration/sqlite', configFile: 'failed-migration/sqlite/prisma.config.ts' },
      { framework: 'prisma', root: 'rollback-gaps', configFile: 'rollback-gaps/prisma.config.ts' },
      { framework: 'prisma', root: 'v7-layout', configFile: 'v7-layout/prisma.config.ts' },
    ]);
  });

  it('knows the conventional and custom schema locations and config names', () => {
    const listing = {
      root: '/repo',
      files: [
        'package.json',
        'prisma/schema.prisma', // Prisma 6, no config: the repo root
        'services/billing/package.json',
        'services/billing/db/schema.prisma', // package.json "prisma.schema": the folder with the package.json
        'services/api/.config/prisma.ts', // the .config/ location
        'services/api/prisma/schema/user.prisma', // a multi-file schema folder
        'services/api/prisma/schema/post.prisma',
        'services/web/package.json',
        'services/web/schema.prisma', // Prisma's first default location: ./schema.prisma
        'scripts/legacy.prisma', // no project of its own: belongs to the nearest package.json (the root)
        'services/v7/prisma.config.mjs',
        'services/v7/prisma.config.ts', // .ts wins: Prisma's order
        'services/v7/db/schema.prisma',
        'docs/prisma.md',
      ],
    };
    expect(detect(listing)).toEqual([
      { framework: 'prisma', root: '.', configFile: 'prisma/schema.prisma' },
      { framework: 'prisma', root: 'services/api', configFile: 'services/api/.config/prisma.ts' },
      { framework: 'prisma', root: 'services/billing', configFile: 'services/billing/db/schema.prisma' },
      { framework: 'prisma', root: 'services/v7', configFile: 'services/v7/prisma.config.ts' },
      { framework: 'prisma', root: 'services/web', configFile: 'services/web/schema.prisma' },
    ]);
  });
});

describe('layout', () => {
  it('reads a Prisma 7 project: URL in the config, custom schema and migrations paths', () => {
    const root = join(prismaFixtures, 'v7-layout');
    const layout = readLayout(root);
    expect(layout.configFile).toBe('prisma.config.ts');
    expect(layout.config).toEqual({
      schema: 'db/schema.prisma',
      migrationsPath: 'db/migrations',
      datasourceUrl: { kind: 'env', name: 'APP_DATABASE_URL' },
      hasAdapter: false,
      loadsDotenv: true,
    });
    expect(layout.schemaPath).toBe(join(root, 'db/schema.prisma'));
    expect(layout.datasource).toEqual({ name: 'db', provider: 'postgresql' });
    expect(layout.migrationsDir).toBe(join(root, 'db/migrations'));
    expect(layout.lockProvider).toBe('postgresql');
    expect(urlSetting(layout)).toEqual({ ref: { kind: 'env', name: 'APP_DATABASE_URL' }, where: 'prisma.config.ts', origin: 'config' });
    expect(describeDatabase({ framework: 'prisma', root: 'v7-layout', configFile: 'v7-layout/prisma.config.ts' }, prismaFixtures)).toEqual({
      engine: 'postgres',
      source: 'tool-config',
      description: 'postgresql: env APP_DATABASE_URL (prisma.config.ts)',
    });
  });

  it("reads a Prisma 6 fixture: the JS engine, the schema's env url", () => {
    const layout = readLayout(join(prismaFixtures, 'basic/sqlite'));
    expect(layout.config).toMatchObject({ schema: 'prisma/schema.prisma', engine: 'js', hasAdapter: true });
    expect(layout.migrationsDir).toBe(join(prismaFixtures, 'basic/sqlite/prisma/migrations'));
    expect(urlEnvNames(layout)).toEqual(['DATABASE_URL']);
    expect(describeDatabase({ framework: 'prisma', root: 'basic/sqlite', configFile: 'basic/sqlite/prisma.config.ts' }, prismaFixtures)).toEqual({
      engine: 'sqlite',
      source: 'tool-config',
      description: 'sqlite: env DATABASE_URL (prisma/schema.prisma); the CLI connects through the driver adapter in prisma.config.ts',
    });
  });

  it('follows package.json "prisma.schema", a multi-file schema folder, and directUrl', () => {
    const root = tree({
      'package.json': JSON.stringify({ name: 'app', prisma: { schema: 'db/schema' } }),
      'db/schema/models.prisma': 'model A {\n  id Int @id\n}\n',
      'db/schema/main.prisma': 'datasource db {\n  provider  = "postgresql"\n  url       = env("POOLED_URL") // pgbouncer\n  directUrl = env("DIRECT_URL")\n}\n',
      'db/schema/migrations/migration_lock.toml': 'provider = "postgresql"\n',
    });
    const layout = readLayout(root);
    expect(layout.packageJsonSchema).toBe('db/schema');
    expect(layout.datasourceFile).toBe(join(root, 'db/schema/main.prisma'));
    expect(layout.migrationsDir).toBe(join(root, 'db/schema/migrations'));
    expect(urlSetting(layout)).toMatchObject({ ref: { kind: 'env', name: 'DIRECT_URL' }, where: 'db/schema/main.prisma (directUrl, which migrate uses)' });
    expect(urlEnvNames(layout)).toEqual(['POOLED_URL', 'DIRECT_URL']);
  });

  it('parses config values it can read statically, and says when it cannot', () => {
    expect(parseConfigText("export default { datasource: { url: process.env.DB_URL!, shadowDatabaseUrl: 'postgresql://x@h/shadow' } }")).toEqual({
      datasourceUrl: { kind: 'env', name: 'DB_URL' },
      shadowDatabaseUrl: { kind: 'literal', value: 'postgresql://x@h/shadow' },
      hasAdapter: false,
      loadsDotenv: false,
    });
    expect(parseConfigText("// schema: 'old.prisma'\ndefineConfig({ schema: path.join('a', 'b.prisma'), datasource: { url: buildUrl() } })")).toEqual({
      datasourceUrl: { kind: 'code', text: 'buildUrl()' },
      hasAdapter: false,
      loadsDotenv: false,
    });
    expect(parseDatasource('// datasource x { }\ndatasource db {\n  provider = "sqlite"\n  url = "file:./dev.db"\n}')).toEqual({ name: 'db', provider: 'sqlite', url: { kind: 'literal', value: 'file:./dev.db' } });
    expect(parseDatasource('generator client {\n  provider = "prisma-client-js"\n}')).toBeUndefined();
  });
});
