import { describe, expect, it } from 'vitest';
import type { Migration, Project } from '@metamig/core';
import { commandsFor } from './commands.js';

const project = { options: {} } as unknown as Project;
const m = (id: string, parents: string[], extra: Partial<Migration> = {}): Migration => ({ id, name: id, parents, state: 'pending', reversible: true, ...extra });

describe('commandsFor', () => {
  it('upgrades to the revision and downgrades to its parent (or base)', () => {
    expect(commandsFor(project, m('0002', ['0001']))).toEqual({ apply: 'alembic upgrade 0002', rollback: 'alembic downgrade 0001', rollbackMode: 'native' });
    expect(commandsFor(project, m('0001', [])).rollback).toBe('alembic downgrade base');
  });
  it('names the merge semantics and refuses irreversible revisions', () => {
    expect(commandsFor(project, m('0005', ['0004a', '0004b'])).note).toContain('leaves 0004a and 0004b applied');
    expect(commandsFor(project, m('0003', ['0002'], { reversible: false, irreversibleReason: 'raises' }))).toMatchObject({ rollback: null, rollbackMode: 'none', note: 'raises' });
  });
  it('keeps the -n section option', () => {
    expect(commandsFor({ options: { section: 'billing' } } as unknown as Project, m('0002', ['0001'])).apply).toBe('alembic -n billing upgrade 0002');
  });
});
