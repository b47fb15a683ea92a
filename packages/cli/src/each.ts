// Run a command over every selected project concurrently (bounded), keep results in project order,
// and never let one project's failure hide the others' results.
import { type MigrationAdapter, type Project, type ProjectError, mapConcurrent, redactDeep, toMigratorError } from '@metamig/core';
import { loadAdapter } from './registry.js';
import { createProgress } from './progress.js';
import type { Session } from './session.js';

export type Entry<T> = T | ProjectError;
export const isProjectError = <T>(e: Entry<T>): e is ProjectError => typeof e === 'object' && e !== null && 'error' in e && !('ok' in e);

export async function forEachProject<T>(session: Session, fn: (project: Project, adapter: MigrationAdapter) => Promise<T>): Promise<Entry<T>[]> {
  let failed = false;
  const progress = createProgress(
    session.projects.map((p) => p.id),
    { tty: Boolean(process.stderr.isTTY) && !process.env.CI },
  );
  let settled;
  try {
    settled = await mapConcurrent(
      session.projects,
      session.concurrency,
      async (project) => {
        progress.start(project.id);
        try {
          const value = await fn(project, await loadAdapter(project.framework));
          progress.finish(project.id, !(typeof value === 'object' && value !== null && 'ok' in value && value.ok === false));
          return value;
        } catch (e) {
          failed = true;
          progress.finish(project.id, false);
          throw e;
        }
      },
      { bail: () => Boolean(session.opts.bail) && failed },
    );
  } finally {
    progress.stop();
  }
  return settled.map((r, i) => {
    const p = session.projects[i]!;
    if (r.ok) return redactDeep(r.value);
    const err = toMigratorError(r.error);
    if (err.code === 'INTERNAL') session.logger.debug(String((r.error as Error)?.stack ?? r.error));
    return { project: p.id, framework: p.framework, error: err.toJSON() };
  });
}
