import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '@metamig/testkit';
import { envPyUrlRisk, envPyVersionTableRisk, interpolate, readAlembicConfig, readerUrlFromSqlAlchemy, tomlAlembicTable } from './config.js';

const FIXTURE_INI = readFileSync(join(fixturesDir, 'alembic/basic/alembic.ini'), 'utf8');
const FIXTURE_ENV = readFileSync(join(fixturesDir, 'alembic/basic/migrations/env.py'), 'utf8');
const ROOT = '/srv/app';

describe('interpolate (configparser BasicInterpolation)', () => {
  const lookup = (k: string) => ({ here: ROOT, db: '%(here)s/app.db', loop: '%(loop)s' })[k];
  it('expands %(name)s recursively and %% to %', () => {
    expect(interpolate('sqlite:///%(db)s', lookup)).toBe('sqlite:////srv/app/app.db');
    expect(interpolate('postgresql://u:p%%40ss@h/db', lookup)).toBe('postgresql://u:p%40ss@h/db');
  });
  it('refuses what configparser refuses', () => {
    expect(() => interpolate('a % b', lookup)).toThrow(/bare %/);
    expect(() => interpolate('%(nope)s', lookup)).toThrow(/not set/);
    expect(() => interpolate('%(loop)s', lookup)).toThrow(/too deep/);
  });
});

describe('readAlembicConfig', () => {
  it("reads the fixture: script folder, default versions folder, the ini's SQLite URL", () => {
    expect(readAlembicConfig(FIXTURE_INI, undefined, 'alembic', ROOT)).toEqual({
      scriptDir: '/srv/app/migrations',
      versionLocations: ['/srv/app/migrations/versions'],
      recursive: false,
      sqlalchemyUrl: 'sqlite:////srv/app/app.db',
    });
  });

  it('version_locations: path_separator, the deprecated version_path_separator, the legacy split; DEFAULT values; another section', () => {
    const ini = (extra: string) => `[DEFAULT]\nbase = %(here)s/db\n\n[alembic]\nscript_location = migrations\n${extra}\n[other]\nscript_location = elsewhere\n`;
    expect(readAlembicConfig(ini('path_separator = ;\nversion_locations = %(base)s/a; b ;'), undefined, 'alembic', ROOT).versionLocations).toEqual(['/srv/app/db/a', '/srv/app/b']);
    expect(readAlembicConfig(ini('version_path_separator = space\nversion_locations = a  b'), undefined, 'alembic', ROOT).versionLocations).toEqual(['/srv/app/a', '/srv/app/b']);
    expect(readAlembicConfig(ini('version_locations = a, b c'), undefined, 'alembic', ROOT).versionLocations).toEqual(['/srv/app/a', '/srv/app/b', '/srv/app/c']);
    expect(readAlembicConfig(ini('path_separator = newline\nversion_locations =\n    a\n    b'), undefined, 'alembic', ROOT).versionLocations).toEqual(['/srv/app/a', '/srv/app/b']);
    expect(readAlembicConfig(ini('recursive_version_locations = true'), undefined, 'alembic', ROOT).recursive).toBe(true);
    expect(readAlembicConfig(ini('recursive_version_locations = True'), undefined, 'alembic', ROOT).recursive).toBe(false); // Alembic compares with "true"
    expect(readAlembicConfig(ini(''), undefined, 'other', ROOT).scriptDir).toBe('/srv/app/elsewhere');
  });

  it('falls back to pyproject.toml [tool.alembic], the ini winning key by key', () => {
    const toml = '[project]\nname = "x"\n\n[tool.alembic]\nscript_location = "%(here)s/alembic"\nversion_locations = [\n  "%(here)s/v1", # first\n  \'v2\',\n]\nrecursive_version_locations = true\n\n[[tool.alembic.post_write_hooks]]\nname = "ruff"\n';
    expect(readAlembicConfig(undefined, toml, 'alembic', ROOT)).toEqual({ scriptDir: '/srv/app/alembic', versionLocations: ['/srv/app/v1', '/srv/app/v2'], recursive: true });
    expect(readAlembicConfig('[alembic]\nscript_location = mine\nsqlalchemy.url = sqlite:///x.db\n', toml, 'alembic', ROOT)).toMatchObject({ scriptDir: '/srv/app/mine', recursive: true, sqlalchemyUrl: 'sqlite:///x.db' });
    expect(tomlAlembicTable(toml)?.get('recursive_version_locations')).toBe(true);
    expect(tomlAlembicTable('[tool.other]\na = 1\n')).toBeUndefined();
  });

  it('refuses what only Python could resolve, or Alembic would refuse', () => {
    expect(() => readAlembicConfig('[alembic]\nsqlalchemy.url = x\n', undefined, 'alembic', ROOT)).toThrow(/no script_location/);
    expect(() => readAlembicConfig('[alembic]\nscript_location = myapp:migrations\n', undefined, 'alembic', ROOT)).toThrow(/package resource/);
    expect(() => readAlembicConfig('[alembic]\nscript_location = m\nsourceless = true\n', undefined, 'alembic', ROOT)).toThrow(/sourceless/);
    expect(() => readAlembicConfig('[alembic]\nscript_location = m\npath_separator = |\nversion_locations = a|b\n', undefined, 'alembic', ROOT)).toThrow(/path_separator/);
    expect(() => readAlembicConfig(undefined, '[tool.alembic]\nscript_location = { a = 1 }\n', 'alembic', ROOT)).toThrow(/not a plain value/);
  });
});

describe('env.py and the database', () => {
  it("the fixtures' env.py reads DATABASE_URL: the database is chosen at run time", () => {
    expect(envPyUrlRisk(FIXTURE_ENV)).toBe('env.py reads the environment (os.environ / getenv), so the database may be chosen at run time');
    expect(envPyVersionTableRisk(FIXTURE_ENV)).toBeUndefined();
  });

  it("alembic init's generic env.py takes sqlalchemy.url from alembic.ini", () => {
    const generic = FIXTURE_ENV.replace(/^database_url = [\s\S]*?\n\n/m, '').replace('import os\n', '');
    expect(envPyUrlRisk(generic)).toBeUndefined();
    expect(envPyUrlRisk(generic.replace('engine_from_config(', 'create_engine(settings.DB) or engine_from_config('))).toContain('builds its own engine');
    expect(envPyUrlRisk(generic.replaceAll('engine_from_config', 'make_engine'))).toContain('does not build its engine from sqlalchemy.url');
    expect(envPyVersionTableRisk(generic.replace('target_metadata=target_metadata)', 'target_metadata=target_metadata, version_table="v")'))).toContain('version table');
    expect(envPyVersionTableRisk('connection.execute(text("SET search_path TO tenant"))')).toContain('search_path');
  });

  it("turns the ini's SQLAlchemy URL into one the history reader opens", () => {
    expect(readerUrlFromSqlAlchemy('sqlite:////abs/app.db', ROOT)).toBe('sqlite:///abs/app.db');
    expect(readerUrlFromSqlAlchemy('sqlite:///rel/app.db', ROOT)).toBe('sqlite:///srv/app/rel/app.db');
    expect(readerUrlFromSqlAlchemy('postgresql+psycopg://u:p@db:5432/app', ROOT)).toBe('postgresql+psycopg://u:p@db:5432/app');
    expect(() => readerUrlFromSqlAlchemy('sqlite://', ROOT)).toThrow(/in-memory/);
    expect(() => readerUrlFromSqlAlchemy('postgresql:///app', ROOT)).toThrow(/no host/);
    expect(() => readerUrlFromSqlAlchemy('mysql://u@h/db', ROOT)).toThrow(/not a PostgreSQL or SQLite/);
  });
});
