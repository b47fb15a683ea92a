// Normalized requests → Alembic command lines, and the helper invocations that carry them. Pure.
import { MigratorError, formatCommand } from '@metamig/core';

/** The database URL travels in this variable (never in argv, which `ps` shows). */
export const URL_ENV = 'METAMIG_ALEMBIC_URL';

/**
 * Alembic's global options from the metamig config: `options.section` → `-n <section>` (an ini
 * section other than [alembic]). Another config file is chosen the Alembic way: env ALEMBIC_CONFIG.
 */
export function globalOptions(options: Record<string, unknown>): string[] {
  const section = options.section;
  if (section === undefined) return [];
  if (typeof section !== 'string' || !section) {
    throw new MigratorError({
      code: 'CONFIG.INVALID',
      summary: 'options.section of an Alembic project must be a non-empty string (the alembic.ini section).',
      fix: 'Set e.g. `options: { section: "alembic" }`, or remove it.',
    });
  }
  return ['-n', section];
}

const urlFlag = (injectUrl: boolean) => (injectUrl ? ['--url-env', URL_ENV] : []);

export const helperStatusArgv = (helper: string, globals: string[], injectUrl: boolean): string[] => [
  helper, 'status', ...urlFlag(injectUrl), '--', ...globals,
];

export const helperCliArgv = (helper: string, alembicArgs: string[], injectUrl: boolean): string[] => [
  helper, 'cli', ...urlFlag(injectUrl), '--', ...alembicArgs,
];

export const helperVersionArgv = (helper: string): string[] => [helper, 'version'];

export const upgradeArgs = (target: string): string[] => ['upgrade', target];
export const downgradeArgs = (target: string): string[] => ['downgrade', target];
export const offlineUpgradeArgs = (range: string): string[] => ['upgrade', range, '--sql'];
export const offlineDowngradeArgs = (from: string, to: string): string[] => ['downgrade', `${from}:${to}`, '--sql'];
export const mergeArgs = (message: string): string[] => ['merge', '-m', message, 'heads'];
export const headsArgs = (): string[] => ['heads'];

/** What a person would type: `alembic upgrade heads`, several joined with `&&`. */
export const nativeCommand = (commands: string[][]): string => commands.map((c) => formatCommand(['alembic', ...c])).join(' && ');
