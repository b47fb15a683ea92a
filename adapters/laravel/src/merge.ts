// Divergence for Laravel: nothing to merge (no graph), only files that sort before applied ones.
// Advice, and `--restamp` which renames the unapplied ones (planned in restamp.ts).
import { type AdapterContext, type MergeOptions, type MergeReport, type MigrationState, type Project, renamePlanned, timestampHeads } from '@metamig/core';
import { appliedOutOfOrder, planRestamp } from './restamp.js';

export function adviceFor(state: MigrationState): string[] {
  const advice: string[] = [];
  const ooo = state.migrations.filter((m) => m.state === 'out-of-order').map((m) => m.id);
  if (ooo.length) {
    advice.push(
      `Either apply them as they are: \`metamig up ${state.project}\` (\`php artisan migrate\` runs them in a new batch, after the newer migrations already applied; then \`migrate:rollback\` undoes them FIRST, as the last batch — fine when they do not depend on order).`,
      `Or restamp them: \`metamig merge ${state.project} --restamp\` renames ${ooo.join(', ')} to new timestamps after every existing migration, so the file order matches the order they run in. Only do this if no other database (staging, a colleague's) has applied them under their current names: there they would run a second time.`,
    );
  }
  const late = appliedOutOfOrder(state.migrations);
  if (late.length) advice.push(`Already applied out of order (Laravel identifies them by file name, so they keep their names): ${late.map((m) => m.id).join(', ')}.`);
  if (state.migrations.some((m) => m.state === 'missing-file')) {
    advice.push('Rows of the migrations table without a file: `migrate:rollback` prints "Migration not found" for them and leaves them recorded; restore the files (or check out their branch) before rolling back past them.');
  }
  return advice;
}

export async function mergeHeads(project: Project, opts: MergeOptions, _ctx: AdapterContext): Promise<MergeReport> {
  const started = performance.now();
  const { state } = opts;
  const headsBefore = timestampHeads(state);
  const report = (partial: Pick<MergeReport, 'headsAfter' | 'renamed' | 'refused' | 'message'>, native: string): MergeReport => ({
    project: project.id,
    framework: 'laravel',
    headsBefore,
    created: [],
    ...partial,
    source: { command: [], native, durationMs: Math.round(performance.now() - started), via: 'tool' },
  });
  if (!opts.restamp) {
    const advice = adviceFor(state);
    const message = advice.length ? `Laravel has no migration graph, so there is nothing to merge. ${advice.join(' ')}` : 'Nothing to resolve: every migration file sorts after the ones applied before it.';
    return report({ headsAfter: headsBefore, renamed: [], refused: [], message }, '(none: Laravel has no merge command)');
  }
  const plan = planRestamp(state.migrations, new Date());
  const outcome = renamePlanned(project.absRoot, plan.renames);
  const renamed = outcome.renamed;
  const refused = [...plan.refused, ...outcome.refused];
  const newIdOf = new Map(outcome.moved.map((r) => [r.id, r.newId]));
  const filesAfter = state.migrations
    .filter((m) => m.state !== 'missing-file')
    .map((m) => newIdOf.get(m.id) ?? m.id)
    .sort();
  const unresolved = state.migrations.filter((m) => m.state === 'out-of-order' && !newIdOf.has(m.id)).map((m) => m.id);
  const headsAfter = [...unresolved, ...filesAfter.slice(-1)];
  const message = renamed.length
    ? `Renamed ${renamed.length} unapplied migration(s) to new timestamps after every existing one; \`php artisan migrate\` will run them in the next batch, in the order the files now show.${refused.length ? ` Refused: ${refused.map((r) => r.file).join(', ')}.` : ''} Commit the renames.`
    : refused.length
      ? `Nothing renamed. Refused: ${refused.map((r) => `${r.file} (${r.reason})`).join('; ')}.`
      : 'Nothing to restamp: no unapplied migration sorts before an applied one.';
  const native = renamed.length ? renamed.map((r) => `git mv ${r.from} ${r.to}`).join(' && ') : '(nothing to rename)';
  return report({ headsAfter, renamed, refused, message }, native);
}
