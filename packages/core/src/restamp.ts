// What the timestamp-ordered tools (Knex, Laravel, Rails, Prisma, TypeORM) share when resolving a
// divergent history by restamping: their "heads", and moving not-yet-applied files to new names.
// Which files may move, and their new names, stay each adapter's own decision (planRestamp).
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { MergeReport, MigrationState } from './schemas.js';

/** The "heads" of a tool without a migration graph: the out-of-order migrations, then the newest. */
export function timestampHeads(state: Pick<MigrationState, 'migrations' | 'heads'>): string[] {
  const outOfOrder = state.migrations.filter((m) => m.state === 'out-of-order').map((m) => m.id);
  return [...outOfOrder, ...state.heads.filter((h) => !outOfOrder.includes(h))];
}

/**
 * Rename each planned path under `root` (relative paths). Nothing is forced: a source that is gone
 * (status is stale) or a target that exists is refused with the reason, and the rest still move.
 * `moved` is the planned entries that did move (with whatever else the plan holds, e.g. new ids).
 */
export function renamePlanned<R extends { from: string; to: string }>(
  root: string,
  renames: readonly R[],
  kind: 'file' | 'folder' = 'file',
): Pick<MergeReport, 'renamed' | 'refused'> & { moved: R[] } {
  const renamed: MergeReport['renamed'] = [];
  const refused: MergeReport['refused'] = [];
  const moved: R[] = [];
  for (const r of renames) {
    const from = join(root, r.from);
    const to = join(root, r.to);
    if (!existsSync(from)) refused.push({ file: r.from, reason: `the ${kind} is not there any more (status is stale): run \`metamig status\` and retry` });
    else if (existsSync(to)) refused.push({ file: r.from, reason: `${r.to} already exists` });
    else {
      renameSync(from, to);
      renamed.push({ from: r.from, to: r.to });
      moved.push(r);
    }
  }
  return { renamed, refused, moved };
}
