// The commands a deployer types for ONE migration (rollback checklist): pure.
import { type Migration, type NativeCommands, type Project, formatCommand } from '@metamig/core';
import { migrateArgs, rollbackArgs, upSelection } from './argv.js';

export function commandsFor(project: Project, migration: Migration): NativeCommands {
  const apply = migration.file
    ? formatCommand(['php', ...migrateArgs(upSelection([migration], [], project.absRoot, false), false)])
    : formatCommand(['php', ...migrateArgs(undefined, false)]);
  if (migration.reversible === false) {
    return { apply, rollback: null, rollbackMode: 'none', note: migration.irreversibleReason ?? 'its down() cannot undo it' };
  }
  return {
    apply,
    rollback: formatCommand(['php', ...rollbackArgs(1)]),
    rollbackMode: 'native',
    note: '--step=1 undoes the most recently applied migration: roll back in reverse order',
  };
}
