import { describe, expect, it } from 'vitest';
import type { ColumnType } from './ast.js';
import { typeChangeEffect } from './ast.js';

const t = (name: string, ...mods: number[]): ColumnType => ({ name, mods, array: false });

// Every row was checked on PostgreSQL 18.4 by comparing pg_relation_filenode before and after.
describe('typeChangeEffect', () => {
  it.each([
    [t('varchar', 10), t('varchar', 20), 'no-rewrite'],
    [t('varchar', 20), t('varchar', 10), 'rewrite'],
    [t('varchar', 10), t('varchar'), 'no-rewrite'],
    [t('varchar', 10), t('text'), 'no-rewrite'],
    [t('text'), t('varchar'), 'no-rewrite'],
    [t('text'), t('varchar', 10), 'rewrite'],
    [t('text'), t('citext'), 'index-rebuild'],
    [t('citext'), t('text'), 'index-rebuild'],
    [t('numeric', 10, 2), t('numeric', 12, 2), 'no-rewrite'],
    [t('numeric', 10, 2), t('numeric', 12, 3), 'rewrite'],
    [t('numeric', 10, 2), t('numeric'), 'no-rewrite'],
    [t('numeric'), t('numeric', 10, 2), 'rewrite'],
    [t('timestamp', 3), t('timestamp', 6), 'no-rewrite'],
    [t('timestamp', 3), t('timestamp'), 'no-rewrite'],
    [t('timestamp', 6), t('timestamp', 3), 'rewrite'],
    [t('timestamp'), t('timestamptz'), 'timezone-dependent'],
    [t('time', 3), t('time', 6), 'no-rewrite'],
    [t('timetz', 3), t('timetz', 6), 'no-rewrite'],
    [t('time'), t('timetz'), 'rewrite'],
    [t('interval', 32767, 3), t('interval', 32767, 6), 'no-rewrite'],
    [t('interval', 32767, 3), t('interval'), 'no-rewrite'],
    [t('cidr'), t('inet'), 'no-rewrite'],
    [t('inet'), t('cidr'), 'rewrite'],
    [t('varbit', 5), t('varbit', 10), 'no-rewrite'],
    [t('bit', 5), t('bit', 10), 'rewrite'],
    [t('bpchar', 5), t('bpchar', 10), 'rewrite'],
    [t('bpchar', 5), t('text'), 'rewrite'],
    [t('int4'), t('int8'), 'rewrite'],
    [t('json'), t('jsonb'), 'rewrite'],
    [{ ...t('varchar', 10), array: true }, { ...t('varchar', 20), array: true }, 'rewrite'],
  ])('%o → %o: %s', (from, to, expected) => {
    expect(typeChangeEffect(from, to)).toBe(expected);
  });
});
