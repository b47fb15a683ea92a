import { describe, expect, it } from 'vitest';
import type { Migration } from '@metamig/core';
import type { MigrationFile } from './files.js';
import { planRestamp, renameVersion } from './restamp.js';

const naming = { sqlMigrationPrefix: 'V', undoSqlMigrationPrefix: 'U', repeatableSqlMigrationPrefix: 'R', sqlMigrationSeparator: '__', sqlMigrationSuffixes: ['.sql'] };
const m = (id: string, state: Migration['state'], detail?: string): Migration => ({ id, name: id, parents: [], state, reversible: true, file: `sql/V${id.replace('.', '_')}__x.sql`, ...(detail ? { detail } : {}) });
const f = (kind: MigrationFile['kind'], version: string, name: string, conf = false): MigrationFile => ({
  kind,
  version,
  description: 'x',
  path: `/p/sql/${name}`,
  rel: `sql/${name}`,
  ...(conf ? { conf: { rel: `sql/${name}.conf`, executeInTransaction: false } } : {}),
});

describe('planRestamp', () => {
  it('renames an unapplied out-of-order version with its U and .conf files above every version; refuses applied ones', () => {
    const migrations = [m('1', 'applied'), m('2.5', 'applied'), m('1.1', 'applied', 'applied out of order (after a higher version, with outOfOrder=true)'), m('1.2', 'out-of-order'), m('2.1', 'out-of-order'), m('3', 'pending')];
    const files = [
      f('versioned', '1.2', 'V1_2__add_owner.sql', true),
      f('undo', '1.2', 'U1_2__add_owner.sql'),
      f('versioned', '2.1', 'V2.1__add_flag.sql'),
      f('versioned', '3', 'V3__later.sql'),
      f('versioned', '7.4', 'V7_4__newest_file.sql'),
    ];
    const plan = planRestamp(migrations, files, naming);
    expect(plan.renames).toEqual([
      { id: '1.2', newId: '8', from: 'sql/V1_2__add_owner.sql', to: 'sql/V8__add_owner.sql' },
      { id: '1.2', newId: '8', from: 'sql/V1_2__add_owner.sql.conf', to: 'sql/V8__add_owner.sql.conf' },
      { id: '1.2', newId: '8', from: 'sql/U1_2__add_owner.sql', to: 'sql/U8__add_owner.sql' },
      { id: '2.1', newId: '9', from: 'sql/V2.1__add_flag.sql', to: 'sql/V9__add_flag.sql' },
    ]);
    expect(plan.refused).toEqual([{ file: 'sql/V1_1__x.sql', reason: expect.stringContaining('already applied (as version 1.1)') }]);
  });

  it('refuses a candidate whose file is not there', () => {
    expect(planRestamp([m('5', 'applied'), m('4', 'out-of-order')], [], naming).refused).toEqual([{ file: 'sql/V4__x.sql', reason: 'its file is not in the locations' }]);
    expect(planRestamp([m('5', 'applied')], [], naming)).toEqual({ renames: [], refused: [] });
  });

  it('keeps prefix, separator and description', () => {
    expect(renameVersion('V1_1__a_b.sql', 'V', '1.1', '3', '__')).toBe('V3__a_b.sql');
    expect(renameVersion('V1_2__a.sql', 'V', '1.1', '3', '__')).toBeUndefined();
  });
});
