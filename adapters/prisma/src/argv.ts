// What metamig runs for Prisma (the project's own CLI, the table helper) and what a person would type
// for the same effect. Pure: no process is started here.
import { fileURLToPath } from 'node:url';
import { formatCommand, formatPostgresUrl, parseDatabaseUrl } from '@metamig/core';

/** The Node helper that reads and writes `_prisma_migrations` directly. */
export const HELPER_PATH = fileURLToPath(new URL('../helpers/metamig-prisma.cjs', import.meta.url));

/** Carries the connection URL to the helper (never argv: it holds the password). */
export const HELPER_URL_ENV = 'METAMIG_PRISMA_URL';

/** Prisma reads these; both keep the CLI quiet and offline (the update check can take ~10 s). */
export const PRISMA_ENV: Record<string, string> = { CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };

export const statusArgs = (entry: string) => [entry, 'migrate', 'status'];
export const deployArgs = (entry: string) => [entry, 'migrate', 'deploy'];
/** The SQL that takes a database from the migrations in `from` to those in `to` (shadow databases). */
export const diffArgs = (entry: string, from: string, to: string) => [entry, 'migrate', 'diff', '--from-migrations', from, '--to-migrations', to, '--script'];
export const helperArgs = (op: 'read' | 'apply' | 'revert') => [HELPER_PATH, op];

export const NATIVE_STATUS = 'npx prisma migrate status';
export const NATIVE_DEPLOY = 'npx prisma migrate deploy';

/** A metamig database URL in Prisma's own form: postgresql://… (with ?schema kept) or file:/abs. */
export function prismaUrl(url: string, baseDir: string): { url: string; engine: 'postgres' | 'sqlite' } {
  const parsed = parseDatabaseUrl(url, baseDir);
  if (parsed.engine === 'sqlite') return { url: `file:${parsed.file}`, engine: 'sqlite' };
  return { url: formatPostgresUrl(parsed), engine: 'postgres' };
}

/** The rollback a person would do by hand: run the down script, then forget the migration. */
export function nativeDown(steps: { name: string; downFile?: string }[], schemaArg: string): string {
  return steps
    .map((s) =>
      [
        s.downFile ? formatCommand(['npx', 'prisma', 'db', 'execute', '--file', s.downFile, ...(schemaArg ? ['--schema', schemaArg] : [])]) : `(run the SQL generated for ${s.name})`,
        `DELETE FROM _prisma_migrations WHERE migration_name = '${s.name}'`,
      ].join(' && '),
    )
    .join(' && ');
}

/** The diff a person would run to write the missing down.sql themselves. */
export function nativeDiff(fromDir: string, toDir: string): string {
  return formatCommand(['npx', 'prisma', 'migrate', 'diff', '--from-migrations', fromDir, '--to-migrations', toDir, '--script']);
}
