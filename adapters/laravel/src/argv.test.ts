import { describe, expect, it } from 'vitest';
import type { Migration } from '@metamig/core';
import { HELPER_PATH, helperArgs, migrateArgs, native, optionArgs, overrideFor, planOptions, pretendArgs, rollbackArgs, upSelection } from './argv.js';

const m = (id: string, file?: string): Migration => ({ id, name: id, parents: [], state: 'pending', reversible: true, ...(file ? { file } : {}) });
const pending = [m('2024_01_01_000001_a', 'database/migrations/2024_01_01_000001_a.php'), m('2024_01_02_000001_b', 'database/migrations/2024_01_02_000001_b.php'), m('2024_01_03_000001_c', '/srv/pkg/migrations/2024_01_03_000001_c.php')];

describe('artisan argv', () => {
  it('runs the project artisan with the helper prepended, printing nothing itself', () => {
    expect(helperArgs()).toEqual(['-d', `auto_prepend_file=${HELPER_PATH}`, '-d', 'display_errors=stderr', 'artisan', '--version', '-q']);
    expect(HELPER_PATH).toMatch(/adapters\/laravel\/helpers\/metamig_laravel\.php$/);
  });

  it('migrates all pending as one batch, or exactly the selected files with --path', () => {
    expect(migrateArgs(undefined, false)).toEqual(['artisan', 'migrate', '--force', '--no-ansi']);
    expect(migrateArgs(undefined, true)).toEqual(['artisan', 'migrate', '--force', '--no-ansi', '--step']);
    expect(upSelection(pending, pending, '/app', true)).toBeUndefined();
    expect(upSelection([...pending].reverse(), pending, '/app', false)).toBeUndefined(); // every pending one: plain migrate
    const two = upSelection(pending.slice(0, 2), pending, '/app', false);
    expect(two).toEqual({ paths: ['database/migrations/2024_01_01_000001_a.php', 'database/migrations/2024_01_02_000001_b.php'], realpath: false });
    expect(migrateArgs(two, false)).toEqual(['artisan', 'migrate', '--force', '--no-ansi', '--path=database/migrations/2024_01_01_000001_a.php', '--path=database/migrations/2024_01_02_000001_b.php']);
    // A package's migration outside the project: every path absolute, with --realpath.
    const withPackage = upSelection([pending[0]!, pending[2]!], pending, '/app', false);
    expect(withPackage).toEqual({ paths: ['/app/database/migrations/2024_01_01_000001_a.php', '/srv/pkg/migrations/2024_01_03_000001_c.php'], realpath: true });
    expect(migrateArgs(withPackage, false).slice(-1)).toEqual(['--realpath']);
    expect(() => upSelection([m('2024_01_01_000001_a')], pending, '/app', false)).toThrow(/does not know the file/);
  });

  it('rolls back the last N rows, and previews with the same selection', () => {
    expect(rollbackArgs(2)).toEqual(['artisan', 'migrate:rollback', '--step=2', '--force', '--no-ansi']);
    expect(planOptions('migrate:rollback', undefined, 3)).toEqual({ '--step': 3 });
    expect(planOptions('migrate', undefined, 3)).toEqual({});
    expect(planOptions('migrate', { paths: ['a.php', 'b.php'], realpath: false }, 2)).toEqual({ '--path': ['a.php', 'b.php'] });
    expect(optionArgs({ '--path': ['/x/a.php'], '--realpath': true, '--step': 2 })).toEqual(['--path=/x/a.php', '--realpath', '--step=2']);
    expect(pretendArgs('migrate:rollback', { '--step': 1 })).toEqual(['artisan', 'migrate:rollback', '--pretend', '--force', '--no-ansi', '--step=1']);
  });
});

describe('database override', () => {
  it('sets every DB_* variable and blanks the URL ones so a .env cannot win', () => {
    const o = overrideFor('postgresql://app:S3cr%40t-pw@db.internal:6432/billing?sslmode=require', '/app');
    expect(o.env).toEqual({
      DB_CONNECTION: 'pgsql',
      DB_HOST: 'db.internal',
      DB_PORT: '6432',
      DB_DATABASE: 'billing',
      DB_USERNAME: 'app',
      DB_PASSWORD: 'S3cr@t-pw',
      DB_SSLMODE: 'require',
      DATABASE_URL: '',
      DB_URL: '',
    });
    expect(o.expect).toEqual({ driver: 'pgsql', host: 'db.internal', port: '6432', database: 'billing', username: 'app' });
    const shown = native(migrateArgs(undefined, false), o);
    expect(shown).toBe('DB_CONNECTION=pgsql DB_HOST=db.internal DB_PORT=6432 DB_DATABASE=billing DB_USERNAME=app DB_PASSWORD=*** php artisan migrate --force');
    expect(shown).not.toContain('S3cr');
    expect(overrideFor('postgresql://app@db/x', '/app').env.DB_PASSWORD).toBe('');
    expect(overrideFor('postgresql://app@db/x?host=/run/postgresql', '/app', 'main').env).toMatchObject({ DB_CONNECTION: 'main', DB_HOST: '/run/postgresql' });
  });

  it('points SQLite at the file (absolute), on the sqlite connection', () => {
    const o = overrideFor('sqlite:db/app.sqlite', '/srv/app');
    expect(o).toEqual({
      env: { DB_CONNECTION: 'sqlite', DB_DATABASE: '/srv/app/db/app.sqlite', DATABASE_URL: '', DB_URL: '' },
      expect: { driver: 'sqlite', database: '/srv/app/db/app.sqlite' },
      shown: ['DB_CONNECTION=sqlite', 'DB_DATABASE=/srv/app/db/app.sqlite'],
      sqliteFile: '/srv/app/db/app.sqlite',
    });
    expect(native(['artisan', 'migrate:status', '--no-ansi'])).toBe('php artisan migrate:status');
  });
});
