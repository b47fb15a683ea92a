import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CapabilitiesSchema, MigratorError, parseDatabaseUrl } from '@metamig/core';
import {
  helperManageArgv,
  helperSqlmigrateArgv,
  helperStatusArgv,
  mergeArgs,
  mergeName,
  migrateArgs,
  migrateToArgs,
  nativeCommand,
  settingsOption,
  sqlmigrateArgs,
  toDjangoDatabase,
} from './argv.js';
import { HELPER, adapter } from './index.js';

describe('database override', () => {
  it("becomes a DATABASES['default'] entry (passed as JSON in the environment, never in argv)", () => {
    expect(toDjangoDatabase(parseDatabaseUrl('postgresql://app:p%40ss@db.internal:6543/shop?sslmode=require'))).toEqual({
      ENGINE: 'django.db.backends.postgresql',
      NAME: 'shop',
      USER: 'app',
      PASSWORD: 'p@ss',
      HOST: 'db.internal',
      PORT: '6543',
      OPTIONS: { sslmode: 'require' },
    });
    expect(toDjangoDatabase(parseDatabaseUrl('postgres://postgres@localhost/app?host=/run/postgresql'))).toMatchObject({ HOST: '/run/postgresql', PASSWORD: '', PORT: '5432', OPTIONS: {} });
    expect(toDjangoDatabase(parseDatabaseUrl('sqlite:rel/app.db', '/srv/project'))).toEqual({ ENGINE: 'django.db.backends.sqlite3', NAME: '/srv/project/rel/app.db' });
  });

  it('helper command lines carry no database at all', () => {
    expect(helperStatusArgv('/h.py')).toEqual(['/h.py', 'status']);
    expect(helperManageArgv('/h.py', migrateArgs())).toEqual(['/h.py', 'manage', '--', 'migrate']);
    expect(helperSqlmigrateArgv('/h.py', ['shop.0001_initial'], true)).toEqual(['/h.py', 'sqlmigrate', '--backwards', '--', 'shop.0001_initial']);
    expect(helperSqlmigrateArgv('/h.py', ['a.1', 'b.2'], false)).toEqual(['/h.py', 'sqlmigrate', '--', 'a.1', 'b.2']);
  });
});

describe('Django command lines', () => {
  it('migrate, sqlmigrate and makemigrations --merge, as a person would type them', () => {
    expect(migrateToArgs('orders.0001_initial')).toEqual(['migrate', 'orders', '0001_initial']);
    expect(migrateArgs({ app: 'orders', name: 'zero' })).toEqual(['migrate', 'orders', 'zero']);
    expect(sqlmigrateArgs('shop.0004_seed_products', true)).toEqual(['sqlmigrate', '--backwards', 'shop', '0004_seed_products']);
    expect(nativeCommand([migrateToArgs('orders.0001_initial'), ['migrate', 'catalog', 'zero']])).toBe('python manage.py migrate orders 0001_initial && python manage.py migrate catalog zero');
    expect(nativeCommand([['showmigrations']], 'config.settings.prod')).toBe('DJANGO_SETTINGS_MODULE=config.settings.prod python manage.py showmigrations');
    expect(mergeArgs(['shop'])).toEqual(['makemigrations', '--merge', '--noinput', 'shop']);
    expect(mergeArgs(['shop', 'orders'], 'Merge heads!')).toEqual(['makemigrations', '--merge', '--noinput', '--name', 'merge_heads', 'shop', 'orders']);
    expect(mergeName('2024 release')).toBe('m_2024_release'); // a migration name must stay an identifier
  });

  it('options.settings must be a dotted module path', () => {
    expect(settingsOption({})).toBeUndefined();
    expect(settingsOption({ settings: 'config.settings.production' })).toBe('config.settings.production');
    for (const bad of ['config/settings.py', '', 3, 'a..b']) expect(() => settingsOption({ settings: bad })).toThrow(MigratorError);
  });
});

describe('adapter data', () => {
  it('ships its helper and declares honest capabilities', () => {
    expect(existsSync(HELPER)).toBe(true);
    expect(CapabilitiesSchema.parse(adapter.capabilities)).toEqual(adapter.capabilities);
    expect(adapter.capabilities.stepTargets.support).toBe('emulated');
    expect(adapter.capabilities.transactionalDdl).toEqual({ postgres: true, sqlite: true });
  });
});
