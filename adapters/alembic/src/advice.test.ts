import { describe, expect, it } from 'vitest';
import { type Migration, buildState } from '@metamig/core';
import { headsAdvice } from './advice.js';

const m = (id: string, parents: string[], state: Migration['state']): Migration => ({ id, name: id, parents, state, reversible: true });
const stateOf = (migrations: Migration[], current: string[], heads: string[]) =>
  buildState({ project: 'svc:alembic', framework: 'alembic', database: 'x', migrations, current, heads, source: { command: [], native: '', durationMs: 0, via: 'tool' } });

describe('heads advice', () => {
  it('explains `heads` vs `head` and how metamig merges', () => {
    const advice = headsAdvice(stateOf([m('1', [], 'applied'), m('2a', ['1'], 'pending'), m('2b', ['1'], 'pending')], ['1'], ['2a', '2b']));
    expect(advice).toEqual([
      'Alembic has 2 heads (2a, 2b): `alembic upgrade heads` (what `metamig up` runs) applies every branch, but `alembic upgrade head` fails until they are merged.',
      '`metamig merge svc:alembic` runs `alembic merge -m "merge heads" heads`, which writes an empty revision whose down_revision lists all heads; commit it together with the branches.',
    ]);
  });

  it('a revision the code lacks: check it out, or stamp', () => {
    const advice = headsAdvice(stateOf([m('x9', [], 'missing-file'), m('1', [], 'pending')], ['x9'], ['1']));
    expect(advice).toHaveLength(1);
    expect(advice[0]).toContain('alembic_version holds x9');
    expect(advice[0]).toContain('`alembic stamp <revision>`');
  });

  it('a database on two branch heads with merged code: up applies the merge', () => {
    const ms = [m('1', [], 'applied'), m('2a', ['1'], 'applied'), m('2b', ['1'], 'applied'), m('3', ['2a', '2b'], 'pending')];
    expect(headsAdvice(stateOf(ms, ['2a', '2b'], ['3']))).toEqual(['The database is at 2 branch heads (2a, 2b); `metamig up` applies the merge revision that joins them.']);
  });

  it('nothing to say for a single head', () => {
    expect(headsAdvice(stateOf([m('1', [], 'applied')], ['1'], ['1']))).toEqual([]);
  });
});
