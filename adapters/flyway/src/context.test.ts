// loadProject: how a project becomes a Flyway invocation (no JVM is started here).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Project } from '@metamig/core';
import { makeContext } from '@metamig/testkit';
import { loadProject, placeholderValues, sqlOfFile } from './context.js';

let dir = '';
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function springProject(options: Record<string, unknown>, databaseUrl?: string): Project {
  dir = mkdtempSync(join(tmpdir(), 'metamig-flyway-ctx-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'src/main/resources/db/migration'), { recursive: true });
  writeFileSync(join(dir, 'src/main/resources/db/migration/V1__init.sql'), 'CREATE TABLE t (a int); -- by ${flyway:user} into ${flyway:table}\n');
  writeFileSync(join(dir, 'src/main/resources/db/migration/U1__init.sql'), 'DROP TABLE t;\n');
  // Declared in the metamig config (`framework: flyway`): no flyway.toml, configFile is the folder.
  return {
    framework: 'flyway',
    root: 'svc',
    configFile: 'svc',
    id: 'svc:flyway',
    absRoot: dir,
    database: { engine: 'sqlite', source: 'config', description: 'x' },
    env: {},
    protected: false,
    options,
    ...(databaseUrl ? { databaseUrl } : {}),
  };
}

describe('loadProject', () => {
  it('a Spring Boot-style project without Flyway config: the conventional folder, the override database', () => {
    const fp = loadProject(springProject({}, 'sqlite:///tmp/svc.db'), makeContext());
    expect(fp.inv).toEqual({ root: dir, locations: [join(dir, 'src/main/resources/db/migration')], override: { url: 'jdbc:sqlite:/tmp/svc.db', user: '', password: '', display: 'jdbc:sqlite:/tmp/svc.db' } });
    expect(fp.engine).toBe('sqlite');
    expect(fp.scan.files.map((f) => [f.kind, f.version, f.rel])).toEqual([
      ['undo', '1', 'src/main/resources/db/migration/U1__init.sql'],
      ['versioned', '1', 'src/main/resources/db/migration/V1__init.sql'],
    ]);
    expect(fp.warnings[0]).toContain('No locations configured');
    const v1 = fp.scan.files[1]!;
    expect(placeholderValues(fp, v1).values).toMatchObject({ 'flyway:table': 'flyway_schema_history', 'flyway:filename': 'V1__init.sql', 'flyway:workingDirectory': dir, 'flyway:environment': 'default' });
    const sql = sqlOfFile(fp, v1, 'sqlite');
    expect(sql).toEqual({ statements: [{ sql: 'CREATE TABLE t (a int)', line: 1, transactional: true }], deferred: ['flyway:user'] });
    expect(sqlOfFile(fp, v1, 'sqlite', { user: 'app' }).deferred).toEqual([]);
  });

  it('options: locations and outOfOrder from the metamig config, checked', () => {
    const fp = loadProject(springProject({ locations: ['src/main/resources/db/migration'], outOfOrder: true }, 'sqlite:///tmp/svc.db'), makeContext());
    expect(fp.locations.origin).toBe('metamig-config');
    expect(fp.inv.outOfOrder).toBe(true);
    expect(() => loadProject(springProject({ outOfOrder: 'yes' }), makeContext())).toThrow(/options.outOfOrder must be true or false/);
    expect(() => loadProject(springProject({ locations: 3 }), makeContext())).toThrow(/options.locations must be a folder/);
    expect(() => loadProject(springProject({ locations: ['s3:bucket/x'] }), makeContext())).toThrow(/cannot tell which folders hold the Flyway migrations/);
  });
});
