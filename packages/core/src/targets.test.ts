import { describe, expect, it } from 'vitest';
import type { Migration, MigrationState } from './schemas.js';
import { buildState, linearParents, markOutOfOrder } from './state.js';
import { assertReversible, findMigration, selectSteps } from './targets.js';

const mig = (id: string, state: Migration['state'], parents: string[] = [], extra: Partial<Migration> = {}): Migration => ({
  id, name: id, parents, state, reversible: true, ...extra,
});
const stateOf = (migrations: Migration[], heads: string[] = []): MigrationState =>
  buildState({ project: 'p', framework: 'knex', database: 'sqlite x', migrations, current: [], heads, source: { command: [], native: 'x', durationMs: 0, via: 'tool' } });

const linear = stateOf(linearParents([mig('1', 'applied'), mig('2', 'applied'), mig('3', 'pending'), mig('4', 'pending')]));

describe('selectSteps', () => {
  it.each([
    ['up', { kind: 'latest' }, ['3', '4']],
    ['up', { kind: 'steps', n: 1 }, ['3']],
    ['up', { kind: 'to', id: '4' }, ['3', '4']],
    ['up', { kind: 'to', id: '3' }, ['3']],
    ['down', { kind: 'steps', n: 1 }, ['2']],
    ['down', { kind: 'steps', n: 2 }, ['2', '1']],
    ['down', { kind: 'to', id: '1' }, ['2']],
  ] as const)('%s %o → %o', (dir, target, ids) => {
    expect(selectSteps(linear, dir, target).map((m) => m.id)).toEqual(ids);
  });

  it('refuses impossible targets with a clear reason', () => {
    expect(() => selectSteps(linear, 'up', { kind: 'steps', n: 3 })).toThrow(/only 2 are pending/);
    expect(() => selectSteps(linear, 'down', { kind: 'steps', n: 3 })).toThrow(/only 2 are applied/);
    expect(() => selectSteps(linear, 'up', { kind: 'to', id: '1' })).toThrow(/already applied/);
    expect(() => selectSteps(linear, 'down', { kind: 'to', id: '4' })).toThrow(/not applied/);
    expect(() => selectSteps(linear, 'down', { kind: 'latest' })).toThrow(/explicit target/);
    expect(() => selectSteps(linear, 'up', { kind: 'to', id: 'nope' })).toThrow(/No migration "nope"/);
  });

  it('follows the graph for branched histories (only the ancestors of the target run)', () => {
    const s = stateOf([mig('a', 'applied'), mig('b1', 'pending', ['a']), mig('b2', 'pending', ['a']), mig('m', 'pending', ['b1', 'b2'])], ['m']);
    expect(selectSteps(s, 'up', { kind: 'to', id: 'b2' }).map((m) => m.id)).toEqual(['b2']);
    expect(selectSteps(s, 'up', { kind: 'to', id: 'm' }).map((m) => m.id)).toEqual(['b1', 'b2', 'm']);
    const applied = stateOf([mig('a', 'applied'), mig('b1', 'applied', ['a']), mig('b2', 'applied', ['a']), mig('m', 'applied', ['b1', 'b2'])]);
    expect(selectSteps(applied, 'down', { kind: 'to', id: 'b1' }).map((m) => m.id)).toEqual(['m']);
    expect(selectSteps(applied, 'down', { kind: 'to', id: 'a' }).map((m) => m.id)).toEqual(['m', 'b2', 'b1']);
  });

  it('never selects repeatable migrations for a rollback', () => {
    const s = stateOf(linearParents([mig('1', 'applied'), mig('2', 'applied'), mig('R__views', 'applied', [], { repeatable: true })]));
    expect(selectSteps(s, 'down', { kind: 'steps', n: 1 }).map((m) => m.id)).toEqual(['2']);
    expect(() => selectSteps(s, 'down', { kind: 'steps', n: 3 })).toThrow(/only 2 are applied/);
  });

  it('finds migrations by unique prefix or name, and reports ambiguity', () => {
    const s = stateOf([mig('20240101_create_users.js', 'applied', [], { name: 'create_users' }), mig('20240102_add.js', 'pending')]);
    expect(findMigration(s, '20240101').id).toBe('20240101_create_users.js');
    expect(findMigration(s, 'create_users').id).toBe('20240101_create_users.js');
    expect(findMigration(s, '20240101_create_users').id).toBe('20240101_create_users.js');
    expect(() => findMigration(s, '2024')).toThrow(/matches several/);
  });

  it('refuses to roll back irreversible migrations before anything runs', () => {
    expect(() => assertReversible('p', [mig('x', 'applied', [], { reversible: false, irreversibleReason: 'RunPython without reverse_code' })])).toThrow(/x cannot be rolled back/);
    expect(() => assertReversible('p', [mig('x', 'applied', [], { reversible: 'unknown' })])).not.toThrow();
  });
});

describe('buildState', () => {
  it('derives the most severe history condition', () => {
    expect(linear.history).toEqual({ kind: 'databaseBehind', pending: ['3', '4'] });
    expect(linear.summary).toEqual({ total: 4, applied: 2, pending: 2, problems: 0 });
    expect(stateOf([mig('1', 'applied')]).history).toBeNull();
    expect(stateOf([mig('1', 'applied'), mig('2', 'failed', [], { detail: 'boom' })]).history).toEqual({ kind: 'failed', migration: '2', detail: 'boom' });
    expect(stateOf([mig('1', 'applied'), mig('9', 'missing-file')]).history).toEqual({ kind: 'diverged', unknownToCode: ['9'], lastCommon: '1' });
    expect(stateOf([mig('1', 'pending'), mig('2', 'pending')], ['1', '2']).history).toEqual({ kind: 'multipleHeads', heads: ['1', '2'] });
  });

  it('marks pending migrations older than the newest applied one as out of order', () => {
    const ms = markOutOfOrder([mig('20240101', 'applied'), mig('20240102', 'pending'), mig('20240103', 'applied'), mig('20240104', 'pending')], (m) => m.id, 'older than applied');
    expect(ms.map((m) => m.state)).toEqual(['applied', 'out-of-order', 'applied', 'pending']);
    const s = stateOf(ms);
    expect(s.history).toEqual({ kind: 'outOfOrder', migrations: ['20240102'] });
    expect(s.summary.pending).toBe(2);
  });
});
