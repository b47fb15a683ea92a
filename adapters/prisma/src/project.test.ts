import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturesDir, projectIn, recorded, repoRoot } from '@metamig/testkit';
import { adapter } from './index.js';
import { findPrismaCli, loadProject, parseDotenv } from './project.js';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'metamig-prisma-project-'));
  temps.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('the database a project uses', () => {
  it("resolves the SQLite fixture's .env url against the schema's folder, as Prisma does", () => {
    const p = loadProject(projectIn(adapter, join(fixturesDir, 'prisma/basic/sqlite')));
    expect(p.connection).toEqual({ url: `file:${join(fixturesDir, 'prisma/basic/sqlite/prisma/dev.db')}`, engine: 'sqlite', from: 'env DATABASE_URL (.env)' });
    expect(p).toMatchObject({ engine: 'sqlite', jsEngine: true, transactional: false });
  });

  it('puts an override URL in every variable the datasource reads, for the CLI and the table read alike', () => {
    const project = projectIn(adapter, join(fixturesDir, 'prisma/basic/postgres'), 'postgresql://app:pw@db.internal:6543/shop?schema=sales');
    const p = loadProject(project);
    expect(p.connection).toEqual({ url: 'postgresql://app:pw@db.internal:6543/shop?schema=sales', engine: 'postgres', from: 'the metamig database URL' });
    expect(p.env).toEqual({ CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1', DATABASE_URL: 'postgresql://app:pw@db.internal:6543/shop?schema=sales' });
    const sqlite = loadProject(projectIn(adapter, join(fixturesDir, 'prisma/basic/sqlite'), 'sqlite:///var/data/app.db'));
    expect(sqlite.env.DATABASE_URL).toBe('file:/var/data/app.db');
  });

  it('refuses an override when the url is a literal Prisma cannot be pointed away from', () => {
    const root = tree({
      'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = "postgresql://u@localhost/app"\n}\n',
    });
    const project = projectIn(adapter, root, 'postgresql://u@elsewhere/app');
    expect(() => loadProject(project)).toThrow(/cannot point Prisma at the metamig database URL/);
    expect(loadProject(projectIn(adapter, root)).connection).toMatchObject({ url: 'postgresql://u@localhost/app', from: 'the url in prisma/schema.prisma' });
  });

  it('says why the table cannot be read when the url is missing or computed', () => {
    delete process.env.METAMIG_TEST_UNSET_URL;
    const unset = tree({ 'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("METAMIG_TEST_UNSET_URL")\n}\n' });
    expect(loadProject(projectIn(adapter, unset)).connectionProblem).toBe('METAMIG_TEST_UNSET_URL is not set (the datasource url in prisma/schema.prisma reads it)');
    const computed = tree({
      'prisma.config.ts': "export default defineConfig({ datasource: { url: buildUrl() } })\n",
      'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n}\n',
    });
    expect(loadProject(projectIn(adapter, computed)).connectionProblem).toContain('is computed (buildUrl()); metamig does not run the config');
  });

  it('reads .env files like Prisma 6 does (quotes, comments, export)', () => {
    expect(parseDotenv('# c\nexport A="x y"\nB=plain # note\nC=\'q#1\'\n bad line\n')).toEqual({ A: 'x y', B: 'plain', C: 'q#1' });
  });
});

describe("the project's own prisma", () => {
  it('is found from the project root, with the version `prisma --version` reported when recorded', () => {
    const cli = findPrismaCli(repoRoot);
    const line = recorded('prisma/basic', 'version.stdout').split('\n').find((l) => l.startsWith('prisma '));
    expect(cli?.version).toBe(line?.split(':')[1]?.trim());
    expect(cli?.entry).toBe(join(repoRoot, 'node_modules/prisma/build/index.js'));
    expect(findPrismaCli(tree({ 'package.json': '{}' }))).toBeUndefined();
  });
});
