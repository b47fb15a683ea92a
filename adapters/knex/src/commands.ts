// The commands a deployer types for ONE migration file (rollback checklist): pure.
import type { Migration, NativeCommands, Project } from '@metamig/core';
import { environmentOption, nativeDown, nativeUp } from './argv.js';

export function commandsFor(project: Project, migration: Migration): NativeCommands {
  const environment = environmentOption(project.options, project.id);
  const target = { knexfile: project.configFile.split('/').pop() ?? 'knexfile.js', ...(environment ? { environment } : {}) };
  const apply = nativeUp(target, undefined, 'up-each', [migration.id]);
  if (migration.reversible === false) {
    return { apply, rollback: null, rollbackMode: 'none', note: migration.irreversibleReason ?? 'its down() cannot undo it' };
  }
  return { apply, rollback: nativeDown(target, undefined, [migration.id]), rollbackMode: 'native' };
}
