// Read-only commands: discover, status, plan, heads, doctor.
import {
  type Direction,
  type MigrationState,
  MigratorError,
  type DoctorEntry,
  type ProjectSummary,
  type Target,
  headsFromState,
  planMigrations,
} from '@metamig/core';
import { forEachProject, isProjectError } from '../each.js';
import { emit } from '../output.js';
import { loadAdapter } from '../registry.js';
import { renderDiscover, renderDoctor, renderHeads, renderPlan, renderStatus } from '../render/reports.js';
import type { Session } from '../session.js';

export async function discoverCommand(session: Session): Promise<number> {
  const entries: ProjectSummary[] = [];
  for (const p of session.projects) {
    const adapter = await loadAdapter(p.framework);
    entries.push({ id: p.id, framework: p.framework, root: p.root, configFile: p.configFile, database: p.database, toolchain: adapter.toolchain });
  }
  emit(session, 'discover', entries, renderDiscover);
  return 0;
}

export async function statusCommand(session: Session, opts: { check?: boolean; fast?: boolean }): Promise<number> {
  const reader = opts.fast ? (await import('@metamig/sandbox/history-reader')).createHistoryReader() : undefined;
  const ctx = reader ? { ...session.ctx, history: reader } : session.ctx;
  let entries;
  try {
    entries = await forEachProject(session, async (project, adapter) => {
      if (!reader) return adapter.status(project, ctx);
      if (!adapter.statusFast) return withNote(await adapter.status(project, ctx), `${adapter.displayName} has no fast path yet: read through the tool.`);
      try {
        return await adapter.statusFast(project, ctx);
      } catch (e) {
        if (!(e instanceof MigratorError) || e.code !== 'OPERATION.UNSUPPORTED') throw e;
        return withNote(await adapter.status(project, ctx), `fast path unavailable (${e.why ?? e.summary}): read through the tool.`);
      }
    });
  } finally {
    await reader?.close();
  }
  emit(session, 'status', entries, renderStatus);
  if (entries.some(isProjectError)) return 2;
  if (opts.check && entries.some((e) => !isProjectError(e) && (e.summary.pending > 0 || e.summary.problems > 0 || e.heads.length > 1))) return 1;
  return 0;
}

export async function planCommand(session: Session, direction: Direction, target: Target): Promise<number> {
  const entries = await forEachProject(session, (project, adapter) => planMigrations(adapter, project, direction, target, session.ctx));
  emit(session, 'plan', entries, renderPlan);
  return entries.some(isProjectError) ? 2 : 0;
}

export async function headsCommand(session: Session, opts: { check?: boolean }): Promise<number> {
  const entries = await forEachProject(session, async (project, adapter) => {
    const state = await adapter.status(project, session.ctx);
    return adapter.heads ? adapter.heads(project, state, session.ctx) : headsFromState(state);
  });
  emit(session, 'heads', entries, renderHeads);
  if (entries.some(isProjectError)) return 2;
  return opts.check && entries.some((e) => !isProjectError(e) && e.divergent) ? 1 : 0;
}

export async function doctorCommand(session: Session): Promise<number> {
  const entries = await forEachProject(session, async (project, adapter): Promise<DoctorEntry> => {
    const toolchains = await adapter.checkToolchain(project, session.ctx);
    return { project: project.id, framework: project.framework, ok: toolchains.every((t) => t.found), toolchains, capabilities: adapter.capabilities };
  });
  emit(session, 'doctor', entries, renderDoctor);
  return entries.some((e) => isProjectError(e) || !e.ok) ? 2 : 0;
}

const withNote = (s: MigrationState, note: string): MigrationState => ({ ...s, warnings: [...s.warnings, note] });
