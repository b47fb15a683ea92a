import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listRepo } from '@metamig/core';
import { fixturesDir } from '@metamig/testkit';
import { describeDatabase, detect, detectIn } from './detect.js';

describe('detect', () => {
  it('finds every fixture project by its flyway.toml / flyway.conf', () => {
    expect(detect(listRepo(join(fixturesDir, 'flyway')))).toEqual([
      { framework: 'flyway', root: 'basic', configFile: 'basic/flyway.toml' },
      { framework: 'flyway', root: 'concurrent-index', configFile: 'concurrent-index/flyway.toml' },
      { framework: 'flyway', root: 'edited-applied', configFile: 'edited-applied/flyway.toml' },
      { framework: 'flyway', root: 'failed-migration', configFile: 'failed-migration/flyway.toml' },
      { framework: 'flyway', root: 'out-of-order', configFile: 'out-of-order/flyway.conf' },
      { framework: 'flyway', root: 'rollback-gaps', configFile: 'rollback-gaps/flyway.toml' },
      { framework: 'flyway', root: 'with-undo', configFile: 'with-undo/flyway.toml' },
    ]);
  });

  it('needs migrations under the locations (configured, else the conventional folders)', () => {
    const files: Record<string, string> = {
      '/r/api/flyway.toml': '[flyway]\nlocations = ["filesystem:db/sql"]',
      '/r/api/flyway.conf': 'flyway.locations=filesystem:elsewhere',
      '/r/boot/flyway.conf': 'flyway.url=jdbc:postgresql://db/app',
      '/r/empty/flyway.toml': '[environments.default]\nurl = "jdbc:sqlite:x.db"',
      '/r/fresh/flyway.toml': '[flyway]\nlocations = ["filesystem:migrations"]',
      '/r/broken/flyway.toml': '[flyway\n',
    };
    const listing = {
      root: '/r',
      files: [
        ...Object.keys(files).map((f) => f.slice(3)),
        'api/db/sql/V1__init.sql',
        'boot/src/main/resources/db/migration/V1_1__init.sql',
        'empty/sql/readme.txt',
        'other/sql/V1__not_flyway_without_config.sql',
      ],
    };
    expect(detectIn(listing, (p) => files[p])).toEqual([
      { framework: 'flyway', root: 'api', configFile: 'api/flyway.toml' }, // TOML wins over .conf, as in Flyway
      { framework: 'flyway', root: 'boot', configFile: 'boot/flyway.conf' },
      { framework: 'flyway', root: 'broken', configFile: 'broken/flyway.toml' }, // status explains the syntax error
      { framework: 'flyway', root: 'fresh', configFile: 'fresh/flyway.toml' }, // locations configured: a project with no migration yet
    ]);
  });
});

describe('describeDatabase', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    delete process.env.FLYWAY_URL;
  });
  const project = (toml: string) => {
    dir = mkdtempSync(join(tmpdir(), 'metamig-flyway-detect-'));
    mkdirSync(join(dir, 'sql'));
    writeFileSync(join(dir, 'flyway.toml'), toml);
    return { framework: 'flyway' as const, root: '.', configFile: 'flyway.toml' };
  };

  it('reads the JDBC url of the environment in use, without its password', () => {
    const p = project('[environments.default]\nurl = "jdbc:postgresql://db.internal:6432/billing?sslmode=require&password=hunter22"\nuser = "billing"\npassword = "s3cret-pw"');
    const d = describeDatabase(p, dir);
    expect(d).toEqual({ engine: 'postgres', source: 'tool-config', description: 'postgres billing@db.internal:6432/billing (from flyway.toml, environment default)' });
    expect(JSON.stringify(d)).not.toMatch(/hunter22|s3cret/);
  });

  it('resolves SQLite paths against the project, and says when FLYWAY_URL wins', () => {
    const p = project('[environments.default]\nurl = "jdbc:sqlite:app.db"');
    expect(describeDatabase(p, dir)).toMatchObject({ engine: 'sqlite', description: `sqlite ${join(dir, 'app.db')} (from flyway.toml, environment default)` });
    process.env.FLYWAY_URL = 'jdbc:postgresql://other/db';
    expect(describeDatabase(p, dir).description).toBe('postgres other:5432/db (from FLYWAY_URL, environment default)');
  });

  it('says when there is no url', () => {
    expect(describeDatabase(project('[flyway]\nlocations = ["filesystem:sql"]'), dir)).toMatchObject({ engine: 'unknown', description: expect.stringContaining('no url in flyway.toml') });
  });
});
