// `metamig up` / `metamig down`: the native command with a preflight (explicit confirmation for
// rollbacks and protected projects) and a report of exactly what changed.
import { createInterface } from 'node:readline/promises';
import {
  type Direction,
  type Migration,
  MigratorError,
  type Project,
  type RunReport,
  type Target,
  runMigrations,
  selectSteps,
} from '@metamig/core';
import { type Entry, forEachProject, isProjectError } from '../each.js';
import { emit } from '../output.js';
import { renderRun } from '../render/reports.js';
import { c } from '../render/style.js';
import type { Session } from '../session.js';

export async function runCommand(session: Session, direction: Direction, target: Target): Promise<number> {
  const needsConfirmation = direction === 'down' || session.projects.some((p) => p.protected);
  let confirmed: Map<string, string[]> | undefined;
  if (needsConfirmation && !session.opts.yes) {
    confirmed = await preflight(session, direction, target);
    if (!confirmed) return 2;
  }
  const entries: Entry<RunReport>[] = await forEachProject(session, (project, adapter) =>
    runMigrations(adapter, project, direction, target, session.ctx, {
      confirm: async (p: Project, steps: Migration[]) => {
        const expected = confirmed?.get(p.id);
        if (expected && expected.join('\n') !== steps.map((s) => s.id).join('\n')) {
          throw new MigratorError({
            code: 'USAGE.CONFIRMATION_REQUIRED',
            summary: `${p.id} changed since you confirmed (now: ${steps.map((s) => s.id).join(', ')}). Nothing was run.`,
            fix: 'Run the command again and confirm the new selection.',
          });
        }
      },
    }),
  );
  emit(session, direction, entries, renderRun);
  return entries.some((e) => isProjectError(e) || !e.ok) ? 2 : 0;
}

/** Show what would change and ask once for all projects. Returns the confirmed selection, or undefined. */
async function preflight(session: Session, direction: Direction, target: Target): Promise<Map<string, string[]> | undefined> {
  const selections = await forEachProject(session, async (project, adapter) => {
    const state = await adapter.status(project, session.ctx);
    return { project, steps: selectSteps(state, direction, target) };
  });
  const lines: string[] = [];
  const confirmed = new Map<string, string[]>();
  for (const s of selections) {
    if (isProjectError(s)) continue; // reported again (with the same error) by the real run
    confirmed.set(s.project.id, s.steps.map((m) => m.id));
    if (!s.steps.length) continue;
    const why = s.project.protected ? c.yellow(' (protected)') : '';
    lines.push(`  ${c.bold(s.project.id)}${why} — ${s.project.database.description}`);
    for (const m of s.steps) lines.push(`    ${direction === 'up' ? '↑' : '↓'} ${m.id}${m.reversible === false ? c.red('  (irreversible)') : ''}`);
  }
  if (!lines.length) return confirmed; // nothing would change: nothing to confirm
  const verb = direction === 'up' ? 'apply' : 'roll back';
  const interactive = Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY);
  if (!interactive) {
    throw new MigratorError({
      code: 'USAGE.CONFIRMATION_REQUIRED',
      summary: `Refusing to ${verb} without confirmation (no terminal to ask on). Nothing was changed.`,
      why: `Would ${verb}:\n${lines.join('\n').replace(/\x1b\[[0-9;]*m/g, '')}`,
      fix: 'Re-run with --yes to confirm.',
    });
  }
  process.stderr.write(`About to ${verb}:\n${lines.join('\n')}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${verb[0]!.toUpperCase()}${verb.slice(1)} these migrations? [y/N] `)).trim().toLowerCase();
    if (answer === 'y' || answer === 'yes') return confirmed;
  } finally {
    rl.close();
  }
  process.stderr.write('Not confirmed. Nothing was changed.\n');
  return undefined;
}
