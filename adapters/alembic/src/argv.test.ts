import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CapabilitiesSchema, MigratorError } from '@metamig/core';
import {
  URL_ENV,
  downgradeArgs,
  globalOptions,
  helperCliArgv,
  helperStatusArgv,
  mergeArgs,
  nativeCommand,
  offlineDowngradeArgs,
  offlineUpgradeArgs,
  upgradeArgs,
} from './argv.js';
import { HELPER, adapter } from './index.js';

describe('helper invocations', () => {
  it('pass the database URL by the name of an environment variable, never by value', () => {
    expect(helperStatusArgv('/h.py', [], true)).toEqual(['/h.py', 'status', '--url-env', URL_ENV, '--']);
    expect(helperStatusArgv('/h.py', ['-n', 'dev'], false)).toEqual(['/h.py', 'status', '--', '-n', 'dev']);
    expect(helperCliArgv('/h.py', upgradeArgs('heads'), true)).toEqual(['/h.py', 'cli', '--url-env', URL_ENV, '--', 'upgrade', 'heads']);
    expect(helperCliArgv('/h.py', mergeArgs('merge heads'), false)).toEqual(['/h.py', 'cli', '--', 'merge', '-m', 'merge heads', 'heads']);
  });

  it('builds Alembic arguments and the command a person would type', () => {
    expect(downgradeArgs('0003a@-1')).toEqual(['downgrade', '0003a@-1']);
    expect(offlineUpgradeArgs('0002:0004')).toEqual(['upgrade', '0002:0004', '--sql']);
    expect(offlineDowngradeArgs('0004', 'base')).toEqual(['downgrade', '0004:base', '--sql']);
    expect(nativeCommand([upgradeArgs('heads')])).toBe('alembic upgrade heads');
    expect(nativeCommand([downgradeArgs('0003a'), downgradeArgs('0003a@-1')])).toBe('alembic downgrade 0003a && alembic downgrade 0003a@-1');
    expect(nativeCommand([mergeArgs('merge heads')])).toBe("alembic merge -m 'merge heads' heads");
  });

  it('maps options.section to -n and rejects anything else', () => {
    expect(globalOptions({})).toEqual([]);
    expect(globalOptions({ section: 'billing' })).toEqual(['-n', 'billing']);
    expect(() => globalOptions({ section: 3 })).toThrow(MigratorError);
  });
});

describe('adapter', () => {
  it('ships its helper and declares valid, honest capabilities', () => {
    expect(existsSync(HELPER)).toBe(true);
    expect(CapabilitiesSchema.parse(adapter.capabilities)).toEqual(adapter.capabilities);
    expect(adapter.capabilities.transactionalDdl).toEqual({ postgres: true, sqlite: false });
    expect(adapter.framework).toBe('alembic');
  });
});
