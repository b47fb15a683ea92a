// The commands a deployer types for ONE revision (rollback checklist): pure.
import type { Migration, NativeCommands, Project } from '@metamig/core';
import { formatCommand } from '@metamig/core';
import { globalOptions } from './argv.js';

export function commandsFor(project: Project, migration: Migration): NativeCommands {
  const g = globalOptions(project.options);
  const apply = formatCommand(['alembic', ...g, 'upgrade', migration.id]);
  if (migration.reversible === false) {
    return { apply, rollback: null, rollbackMode: 'none', note: migration.irreversibleReason ?? 'downgrade() cannot undo it' };
  }
  // To the first parent: at a merge revision this removes only the merge (never `-1`: "Ambiguous walk").
  const target = migration.parents[0] ?? 'base';
  const out: NativeCommands = { apply, rollback: formatCommand(['alembic', ...g, 'downgrade', target]), rollbackMode: 'native' };
  if (migration.parents.length > 1) out.note = `merge revision: downgrading to ${target} leaves ${migration.parents.join(' and ')} applied`;
  return out;
}
