import { describe, expect, it } from 'vitest';
import type { Migration, Project } from '@metamig/core';
import { commandsFor } from './commands.js';

const project = { absRoot: '/app', options: {} } as unknown as Project;
const m = (extra: Partial<Migration> = {}): Migration => ({
  id: '2024_01_16_101500_add_email', name: 'add_email', parents: [], state: 'pending', reversible: true,
  file: 'database/migrations/2024_01_16_101500_add_email.php', ...extra,
});

describe('commandsFor', () => {
  it('applies exactly the file and rolls back one step', () => {
    expect(commandsFor(project, m())).toEqual({
      apply: 'php artisan migrate --force --no-ansi --path=database/migrations/2024_01_16_101500_add_email.php',
      rollback: 'php artisan migrate:rollback --step=1 --force --no-ansi',
      rollbackMode: 'native',
      note: '--step=1 undoes the most recently applied migration: roll back in reverse order',
    });
  });
  it('has no rollback for an irreversible migration', () => {
    expect(commandsFor(project, m({ reversible: false, irreversibleReason: 'down() is empty' }))).toMatchObject({ rollback: null, note: 'down() is empty' });
  });
});
