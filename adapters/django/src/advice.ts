// Django-specific explanations: `metamig heads` advice and the refusal when Django cannot roll back
// exactly what core selected. Pure.
import { type Direction, type Migration, type MigrationState, MigratorError, isApplied } from '@metamig/core';
import { type DownPlan, appOf, leavesByApp } from './graph.js';
import type { SqlmigrateResult } from './parse.js';

export function headsAdvice(state: MigrationState): string[] {
  const advice: string[] = [];
  const leaves = leavesByApp(state.migrations);
  const conflicting = [...leaves].filter(([, ids]) => ids.length > 1);
  for (const [app, ids] of conflicting) {
    advice.push(
      `App ${app} has ${ids.length} leaf migrations (${ids.join(', ')}): Django calls this a conflict, and \`manage.py migrate\` refuses to run until a merge migration joins them.`,
    );
  }
  if (conflicting.length) {
    advice.push(
      `\`metamig merge ${state.project}\` runs \`python manage.py makemigrations --merge --noinput ${conflicting.map(([app]) => app).join(' ')}\`, which writes an empty migration depending on every leaf; review it (the branches' operations must not clash) and commit it.`,
    );
  } else if (leaves.size > 1) {
    advice.push(
      `One leaf migration per app (${[...leaves.values()].map((ids) => ids[0]).join(', ')}): several apps each with one leaf is normal in Django, not divergence. \`heads\` shows the migration \`migrate\` applies last.`,
    );
  }
  const missing = state.migrations.filter((m) => m.state === 'missing-file').map((m) => m.id);
  if (missing.length) {
    advice.push(
      `django_migrations records ${missing.join(', ')}, which no file defines: check out the code that has ${missing.length > 1 ? 'them' : 'it'} and roll back from there; once the files are gone for good, \`python manage.py migrate --prune <app>\` deletes the rows.`,
    );
  }
  return advice;
}

/** `--steps N` that selects exactly `ids` (the newest N applied), if there is one. */
function stepsCovering(state: MigrationState, ids: Set<string>): number | undefined {
  const newestFirst = state.migrations.filter(isApplied).reverse();
  const n = ids.size;
  return newestFirst.slice(0, n).every((m) => ids.has(m.id)) ? n : undefined;
}

/** Refuse, before anything runs, a rollback Django would carry further than selected (or cannot reach). */
export function assertExactDown(projectId: string, state: MigrationState, steps: Migration[], plan: DownPlan): void {
  if (!plan.extra.length && !plan.unreachable.length) return;
  const selected = steps.map((s) => s.id);
  const commands = plan.commands.map((c) => `\`python manage.py migrate ${c.app} ${c.target}\` unapplies ${c.unapplies.join(', ')}`);
  if (plan.extra.length) {
    const all = new Set([...selected, ...plan.extra]);
    const n = stepsCovering(state, all);
    const first = plan.commands[0];
    const to = first && first.target !== 'zero' ? `${first.app}.${first.target}` : undefined;
    throw new MigratorError({
      code: 'OPERATION.UNSUPPORTED',
      summary: `${projectId}: Django cannot roll back ${selected.join(', ')} without also rolling back ${plan.extra.join(', ')}, which ${plan.extra.length > 1 ? 'were' : 'was'} not selected.`,
      why: [
        "Django has no \"N steps\": `migrate <app> <target>` unapplies every migration above the target in that app and everything that depends on them, in any app.",
        ...commands,
        ...plan.extra.map((id) => `${id} (app ${appOf(id)}) would go too.`),
      ].join('\n'),
      fix: `Nothing was changed. Select them too: ${[n ? `\`metamig down ${projectId} --steps ${n}\`` : '', to ? `\`metamig down ${projectId} --to ${to}\`` : ''].filter(Boolean).join(' or ') || 'roll back with `python manage.py migrate <app> <target>` yourself'}.`,
    });
  }
  throw new MigratorError({
    code: 'OPERATION.UNSUPPORTED',
    summary: `${projectId}: no \`migrate <app> <target>\` rolls back exactly ${plan.unreachable.join(', ')}.`,
    why: ['The migration a target would have to be is not applied, so Django would migrate forwards to it.', ...commands].join('\n'),
    fix: 'Nothing was changed. Pick a target with `metamig down --to <applied id>` (see `metamig status`).',
  });
}

/** Operations whose SQL Django builds from index/constraint names it looks up in the live database. */
const INTROSPECTING = new Set(['AlterField', 'RenameField', 'RemoveField', 'AlterUniqueTogether', 'AlterIndexTogether', 'RenameIndex', 'AlterOrderWithRespectTo']);

/** sqlmigrate renders each migration against the database as it is now: say so where it matters. */
export function liveDatabaseWarnings(direction: Direction, results: readonly Pick<SqlmigrateResult, 'id' | 'operations'>[]): string[] {
  if (direction === 'down') {
    return [
      'sqlmigrate --backwards renders each migration against the live database as it is now: where Django looks up index or constraint names there (AlterField, RemoveField of a foreign key, AlterUniqueTogether … on PostgreSQL), a schema that drifted from the migrations shows less SQL than will run.',
    ];
  }
  // The first step sees the schema it will really run on; later ones do not.
  const later = results.slice(1).filter((r) => r.operations.some((o) => INTROSPECTING.has(o.op))).map((r) => r.id);
  if (!later.length) return [];
  const many = later.length > 1;
  return [
    `sqlmigrate renders each migration on its own against the live database, not as the earlier steps of this plan will leave it: ${later.join(', ')} ${many ? 'use' : 'uses'} operations whose SQL depends on index or constraint names Django looks up in the database, so ${many ? 'their' : 'its'} preview may be incomplete until the steps before ${many ? 'them' : 'it'} are applied.`,
  ];
}
