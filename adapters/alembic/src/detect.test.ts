import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listRepo, redact } from '@metamig/core';
import { fixturesDir } from '@metamig/testkit';
import { databaseFromIni, detector, expandIniValue, iniConfiguresAlembic, parseIni, pyprojectConfiguresAlembic } from './detect.js';

const scratch = mkdtempSync(join(tmpdir(), 'metamig-alembic-detect-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(scratch, 'repo-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('detect', () => {
  it('finds every Alembic fixture by its alembic.ini', () => {
    const found = detector.detect(listRepo(join(fixturesDir, 'alembic')));
    expect(found).toEqual(
      ['basic', 'failed-migration', 'irreversible', 'multiple-heads', 'rollback-gaps'].map((root) => ({ framework: 'alembic', root, configFile: `${root}/alembic.ini` })),
    );
  });

  it('needs script_location in alembic.ini, or [tool.alembic] in pyproject.toml', () => {
    const root = tree({
      'svc/a/alembic.ini': '[alembic]\nscript_location = %(here)s/migrations\n',
      'svc/b/alembic.ini': '[loggers]\nkeys = root\n', // an ini by that name without Alembic config
      'svc/c/pyproject.toml': '[project]\nname = "c"\n\n[tool.alembic]\nscript_location = "%(here)s/alembic"\n',
      'svc/d/pyproject.toml': '[project]\nname = "d"\n[tool.ruff]\nline-length = 100\n',
      'svc/e/alembic.ini': '[alembic]\nscript_location = migrations\n',
      'svc/e/pyproject.toml': '[tool.alembic]\nscript_location = "migrations"\n',
    });
    expect(detector.detect(listRepo(root))).toEqual([
      { framework: 'alembic', root: 'svc/a', configFile: 'svc/a/alembic.ini' },
      { framework: 'alembic', root: 'svc/c', configFile: 'svc/c/pyproject.toml' },
      { framework: 'alembic', root: 'svc/e', configFile: 'svc/e/alembic.ini' },
    ]);
  });

  it('reads ini files the way configparser does', () => {
    const ini = parseIni('# c\n[alembic]\nscript_location: migrations\nsqlalchemy.url = sqlite:///x.db\nversion_locations =\n  a/versions\n  b/versions\n; other\n[post]\nk=v\n');
    expect(ini.get('alembic')?.get('script_location')).toBe('migrations');
    expect(ini.get('alembic')?.get('version_locations')).toBe('\na/versions\nb/versions');
    expect(ini.get('post')?.get('k')).toBe('v');
    expect(iniConfiguresAlembic('[alembic]\nsqlalchemy.url = x\n')).toBe(false);
    expect(iniConfiguresAlembic('[dev]\nscript_location = m\n')).toBe(true); // multi-db ini, used with -n dev
    expect(pyprojectConfiguresAlembic('[tool.alembic] # config\n')).toBe(true);
    expect(pyprojectConfiguresAlembic('[tool.alembic.extra]\n')).toBe(false);
    expect(expandIniValue('sqlite:///%(here)s/app.db?x=50%%', '/srv/app')).toBe('sqlite:////srv/app/app.db?x=50%');
  });
});

describe('describeDatabase', () => {
  it('expands %(here)s in the fixture ini and says env.py may override it', () => {
    const db = detector.describeDatabase({ framework: 'alembic', root: 'alembic/basic', configFile: 'alembic/basic/alembic.ini' }, fixturesDir);
    const file = join(fixturesDir, 'alembic/basic/app.db');
    expect(db).toEqual({
      engine: 'sqlite',
      url: `sqlite:///${file}`,
      source: 'tool-config',
      description: `sqlite:///${file} (sqlalchemy.url in alembic.ini; env.py may override it)`,
    });
  });

  it('never shows the password of the ini URL', () => {
    const text = '[alembic]\nscript_location = m\nsqlalchemy.url = postgresql+psycopg://app:Ini-Pw%%2Fx9@db.internal:5432/app\n';
    const db = databaseFromIni(text, '/srv/app/alembic.ini');
    expect(db.engine).toBe('postgres');
    expect(JSON.stringify(db)).not.toContain('Ini-Pw');
    expect(db.description).toBe('postgresql+psycopg://app:***@db.internal:5432/app (sqlalchemy.url in alembic.ini; env.py may override it)');
    // The password is registered: it is masked anywhere it shows up later (e.g. in tool output).
    expect(redact('connecting with Ini-Pw%2Fx9')).toBe('connecting with ***');
  });

  it('says the URL comes from env.py when the ini has none or only the init placeholder', () => {
    expect(databaseFromIni('[alembic]\nscript_location = m\nsqlalchemy.url = driver://user:pass@localhost/dbname\n', '/a/alembic.ini')).toEqual({
      engine: 'unknown',
      source: 'tool-config',
      description: 'set by env.py (no sqlalchemy.url in [alembic] of alembic.ini)',
    });
    expect(databaseFromIni(undefined, '/a/alembic.ini').description).toBe('set by env.py (no alembic.ini)');
  });
});
