// `metamig checklist`: the rollback checklist a deployer follows for the pending set, per project.
import type { ChecklistFinding, Migration, MigrationAdapter, NativeCommands, Project, ProjectChecklist, ProjectError } from '@metamig/core';
import { isPendingLike, planMigrations } from '@metamig/core';
import { forEachProject, isProjectError } from '../each.js';
import { emit } from '../output.js';
import type { Session } from '../session.js';
import { loadPolicy } from './check.js';

export interface ChecklistFlags {
  format?: 'markdown' | 'json';
  verify?: boolean;
}

/** Adapters without their own per-migration commands fall back to metamig's. */
function commandsOf(adapter: MigrationAdapter, project: Project, m: Migration, state: Parameters<NonNullable<MigrationAdapter['commands']>>[2]): NativeCommands {
  if (adapter.commands) return adapter.commands(project, m, state);
  return {
    apply: `npx metamig up ${project.id} --to ${m.id}`,
    rollback: m.reversible === false ? null : `npx metamig down ${project.id} --steps 1 --yes`,
    rollbackMode: m.reversible === false ? 'none' : 'native',
  };
}

/**
 * The policy on the pending plan, as the deployer needs it: unwaived errors (what `check` fails on)
 * and every waived finding with its reason. Warnings stay in `metamig check`.
 */
async function policyFindings(session: Session, adapter: MigrationAdapter, project: Project, policy: Awaited<ReturnType<typeof loadPolicy>>): Promise<Record<string, ChecklistFinding[]>> {
  const { lintPlan } = await import('@metamig/policy');
  const plan = await planMigrations(adapter, project, 'up', { kind: 'latest' }, session.ctx);
  const findings: Record<string, ChecklistFinding[]> = {};
  for (const d of await lintPlan(plan, policy, { projectRoot: project.absRoot, project: project.id })) {
    if (!d.migration || !(d.waived || d.severity === 'error')) continue;
    (findings[d.migration] ??= []).push({ rule: d.rule, severity: d.severity, message: d.message, ...(d.waived ? { waived: { reason: d.waived.reason, source: d.waived.source } } : {}) });
  }
  return findings;
}

export async function checklistCommand(session: Session, flags: ChecklistFlags): Promise<number> {
  const { buildChecklist, renderChecklistMarkdown } = await import('@metamig/checklists');
  const { startPostgres, verifyProject } = await import('@metamig/sandbox');
  const policy = await loadPolicy(session); // a broken policy fails before any database starts
  const postgres = flags.verify === false ? undefined : await startPostgres({ logger: session.logger });
  try {
    const entries = await forEachProject(session, async (project, adapter): Promise<ProjectChecklist> => {
      const state = await adapter.status(project, session.ctx);
      const pending = state.migrations.filter(isPendingLike);
      const verification = postgres && pending.length ? await verifyProject(adapter, project, session.ctx, { postgres }) : undefined;
      const commands = Object.fromEntries(pending.map((m) => [m.id, commandsOf(adapter, project, m, state)]));
      const findings = pending.length ? await policyFindings(session, adapter, project, policy) : {};
      return buildChecklist({ project, pending, commands, findings, ...(verification ? { verification } : {}) });
    });
    if (flags.format === 'json') {
      emit(session, 'checklist', entries, () => '');
    } else {
      const ok = entries.filter((e): e is ProjectChecklist => !isProjectError(e));
      const failed = entries.filter(isProjectError) as ProjectError[];
      let md = renderChecklistMarkdown(ok);
      for (const f of failed) md += `\n## ${f.project}\n\n> Could not build the checklist: ${f.error.summary}${f.error.fix ? ` — ${f.error.fix}` : ''}\n`;
      process.stdout.write(md);
    }
    return entries.some(isProjectError) ? 2 : 0;
  } finally {
    await postgres?.stop();
  }
}
