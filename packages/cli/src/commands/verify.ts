// `metamig verify`: prove, in a throwaway database, that each migration's rollback restores the schema.
import { forEachProject, isProjectError } from '../each.js';
import { emit } from '../output.js';
import { renderVerify } from '../render/verify.js';
import type { Session } from '../session.js';

export interface VerifyFlags {
  all?: boolean;
  from?: string;
  engine?: 'postgres' | 'sqlite';
  seedRows?: number;
}

export async function verifyCommand(session: Session, flags: VerifyFlags): Promise<number> {
  const { startPostgres, startSqlite, verifyProject } = await import('@metamig/sandbox');
  // With --database-url the given server hosts the throwaway databases (only scratch ones are created).
  const postgres = flags.engine === 'sqlite' ? undefined : await startPostgres({ logger: session.logger, ...(session.opts.databaseUrl ? { url: session.opts.databaseUrl } : {}) });
  try {
    const entries = await forEachProject(session, async (project, adapter) => {
      const sqlite = flags.engine === 'sqlite' ? startSqlite() : undefined;
      try {
        return await verifyProject(adapter, project, session.ctx, {
          ...(postgres ? { postgres } : {}),
          ...(sqlite ? { sqlite } : {}),
          ...(flags.all ? { all: true } : {}),
          ...(flags.from ? { from: flags.from } : {}),
          ...(flags.seedRows ? { seedRows: flags.seedRows } : {}),
        });
      } finally {
        await sqlite?.stop();
      }
    });
    emit(session, 'verify', entries, renderVerify);
    if (entries.some(isProjectError)) return 2;
    return entries.some((e) => !isProjectError(e) && !e.ok) ? 1 : 0;
  } finally {
    await postgres?.stop();
  }
}
