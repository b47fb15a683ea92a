import { describe, expect, it } from 'vitest';
import type { Migration, Project } from '@metamig/core';
import { commandsFor } from './commands.js';

const project = { id: 'web:knex', configFile: 'web/knexfile.cjs', options: {} } as unknown as Project;
const m = (extra: Partial<Migration> = {}): Migration => ({ id: '20240102_add.cjs', name: 'add', parents: [], state: 'pending', reversible: true, ...extra });

describe('commandsFor', () => {
  it('uses migrate:up / migrate:down with the file name', () => {
    const c = commandsFor(project, m());
    expect(c.apply).toContain('migrate:up 20240102_add.cjs');
    expect(c.apply).toContain('--knexfile knexfile.cjs');
    expect(c.rollback).toContain('migrate:down 20240102_add.cjs');
    expect(c.rollbackMode).toBe('native');
  });
  it('has no rollback for an irreversible migration', () => {
    expect(commandsFor(project, m({ reversible: false }))).toMatchObject({ rollback: null, rollbackMode: 'none' });
  });
});
