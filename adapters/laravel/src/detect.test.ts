import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listRepo } from '@metamig/core';
import { fixturesDir } from '@metamig/testkit';
import { defaultConnectionIn, describeDatabase, detect, dotenvValue, driverOf } from './detect.js';

describe('detect', () => {
  it('finds every fixture project by its artisan file and database/migrations', () => {
    expect(detect(listRepo(join(fixturesDir, 'laravel')))).toEqual(
      ['basic', 'failed-migration', 'irreversible', 'out-of-order', 'rollback-gaps'].map((root) => ({ framework: 'laravel', root, configFile: `${root}/artisan` })),
    );
  });

  it('needs both: an artisan file and something under database/migrations', () => {
    const listing = {
      root: '/repo',
      files: ['artisan', 'database/migrations/.gitkeep', 'api/artisan', 'api/database/seeders/X.php', 'tools/artisan.md', 'svc/billing/artisan', 'svc/billing/database/migrations/2024_01_01_000000_x.php'],
    };
    expect(detect(listing)).toEqual([
      { framework: 'laravel', root: '.', configFile: 'artisan' },
      { framework: 'laravel', root: 'svc/billing', configFile: 'svc/billing/artisan' },
    ]);
  });
});

describe('describeDatabase', () => {
  const saved = process.env.DB_CONNECTION;
  afterEach(() => {
    if (saved === undefined) delete process.env.DB_CONNECTION;
    else process.env.DB_CONNECTION = saved;
  });
  const project = { framework: 'laravel' as const, root: '.', configFile: 'artisan' };
  const app = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'metamig-laravel-detect-'));
    mkdirSync(join(dir, 'config'));
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    return dir;
  };

  it("reads the fixture's default connection without running PHP", () => {
    delete process.env.DB_CONNECTION;
    const target = describeDatabase({ framework: 'laravel', root: 'laravel/basic', configFile: 'laravel/basic/artisan' }, fixturesDir);
    expect(target).toEqual({ engine: 'sqlite', source: 'tool-config', description: `from config/database.php: connection "sqlite" (config/database.php's default; DB_CONNECTION unset)` });
  });

  it('follows Laravel: the environment, then .env, then the default', () => {
    const config = "<?php return ['default' => env('DB_CONNECTION', 'sqlite'), 'connections' => ['main' => ['driver' => 'pgsql'], 'sqlite' => ['driver' => 'sqlite']]];";
    const dir = app({ 'config/database.php': config, '.env': 'APP_NAME=x\nDB_CONNECTION="main" # the app db\n' });
    try {
      delete process.env.DB_CONNECTION;
      expect(describeDatabase(project, dir)).toMatchObject({ engine: 'postgres', description: 'from config/database.php: connection "main" (DB_CONNECTION in .env)' });
      process.env.DB_CONNECTION = 'sqlite';
      expect(describeDatabase(project, dir)).toMatchObject({ engine: 'sqlite', description: 'from config/database.php: connection "sqlite" (DB_CONNECTION in the environment)' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says where to look when the config cannot be read statically', () => {
    const dir = app({ 'config/database.php': "<?php return ['default' => $computed];" });
    try {
      expect(describeDatabase(project, dir)).toEqual({ engine: 'unknown', source: 'tool-config', description: 'from config/database.php / .env (DB_CONNECTION)' });
      expect(describeDatabase({ ...project, root: 'nowhere' }, dir).description).toBe('from config/database.php / .env (DB_CONNECTION)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pieces', () => {
    expect(defaultConnectionIn(`'default' => env("DB_CONNECTION"),`)).toEqual({ fromEnv: true });
    expect(defaultConnectionIn(`"default" => 'mysql',`)).toEqual({ name: 'mysql', fromEnv: false });
    expect(driverOf(`'reporting' => [\n  'driver' => 'pgsql',`, 'reporting')).toBe('pgsql');
    expect(dotenvValue('export DB_CONNECTION=pgsql\n', 'DB_CONNECTION')).toBe('pgsql');
    expect(dotenvValue('DB_CONNECTION=\n', 'DB_CONNECTION')).toBeUndefined();
  });
});
