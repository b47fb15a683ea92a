// `metamig merge`: resolve divergent history the tool's own way (a merge revision, or a restamp).
import { forEachProject, isProjectError } from '../each.js';
import { emit } from '../output.js';
import { renderMerge } from '../render/reports.js';
import type { Session } from '../session.js';

export async function mergeCommand(session: Session, opts: { message?: string; restamp?: boolean }): Promise<number> {
  const entries = await forEachProject(session, async (project, adapter) => {
    const state = await adapter.status(project, session.ctx);
    return adapter.mergeHeads(project, { state, ...(opts.message ? { message: opts.message } : {}), ...(opts.restamp ? { restamp: true } : {}) }, session.ctx);
  });
  emit(session, 'merge', entries, renderMerge);
  return entries.some(isProjectError) ? 2 : 0;
}
