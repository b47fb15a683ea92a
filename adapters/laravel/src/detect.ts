// Finding Laravel projects: a folder with an `artisan` file and a database/migrations folder. Loaded by
// `metamig discover`, so it stays light: config/database.php is PHP and is only read, never run.
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { DatabaseEngine, DatabaseTarget, DetectedProject, Detector, RepoListing } from '@metamig/core';

export const MIGRATIONS_DIR = 'database/migrations';

export function detect(listing: RepoListing): DetectedProject[] {
  const artisans = listing.files.filter((f) => posix.basename(f) === 'artisan');
  const projects: DetectedProject[] = [];
  for (const file of artisans) {
    const dir = posix.dirname(file);
    const root = dir === '' ? '.' : dir;
    const prefix = root === '.' ? `${MIGRATIONS_DIR}/` : `${root}/${MIGRATIONS_DIR}/`;
    // The listing holds files only: a migrations folder shows through its files (or a .gitkeep).
    if (!listing.files.some((f) => f.startsWith(prefix))) continue;
    projects.push({ framework: 'laravel', root, configFile: file });
  }
  return projects.sort((a, b) => a.root.localeCompare(b.root));
}

const ENGINE_OF_DRIVER: Record<string, DatabaseEngine> = { pgsql: 'postgres', sqlite: 'sqlite', mysql: 'mysql', mariadb: 'mysql' };

/** `'default' => env('DB_CONNECTION', 'sqlite')` or `'default' => 'pgsql'` in config/database.php. */
export function defaultConnectionIn(databasePhp: string): { name?: string; fromEnv: boolean } {
  const withEnv = /['"]default['"]\s*=>\s*env\(\s*['"]DB_CONNECTION['"]\s*(?:,\s*['"]([\w-]+)['"]\s*)?\)/.exec(databasePhp);
  if (withEnv) return { ...(withEnv[1] ? { name: withEnv[1] } : {}), fromEnv: true };
  const literal = /['"]default['"]\s*=>\s*['"]([\w-]+)['"]/.exec(databasePhp);
  return literal ? { name: literal[1]!, fromEnv: false } : { fromEnv: false };
}

/** The driver of connection `name` when config/database.php writes it literally. */
export function driverOf(databasePhp: string, name: string): string | undefined {
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`['"]${esc}['"]\\s*=>\\s*\\[\\s*['"]driver['"]\\s*=>\\s*['"]([\\w-]+)['"]`).exec(databasePhp)?.[1];
}

/** `DB_CONNECTION=…` in a .env file (quotes removed). */
export function dotenvValue(dotenv: string, key: string): string | undefined {
  const m = new RegExp(`^\\s*(?:export\\s+)?${key}\\s*=\\s*(.*)$`, 'm').exec(dotenv);
  if (!m) return undefined;
  const v = m[1]!.replace(/\s+#.*$/, '').trim().replace(/^(['"])(.*)\1$/, '$2');
  return v || undefined;
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

export function describeDatabase(project: DetectedProject, repoRoot: string): DatabaseTarget {
  const root = join(repoRoot, project.root);
  const config = read(join(root, 'config', 'database.php'));
  const fallback = { engine: 'unknown' as const, source: 'tool-config' as const, description: 'from config/database.php / .env (DB_CONNECTION)' };
  if (config === undefined) return fallback;
  const def = defaultConnectionIn(config);
  // Laravel's precedence: a real environment variable, then .env (which never overrides it), then the default.
  const fromProcess = def.fromEnv ? process.env.DB_CONNECTION || undefined : undefined;
  const fromDotenv = def.fromEnv && !fromProcess ? dotenvValue(read(join(root, '.env')) ?? '', 'DB_CONNECTION') : undefined;
  const name = fromProcess ?? fromDotenv ?? def.name;
  if (!name) return fallback;
  const driver = driverOf(config, name) ?? name;
  const where = fromProcess ? 'DB_CONNECTION in the environment' : fromDotenv ? 'DB_CONNECTION in .env' : def.fromEnv ? "config/database.php's default; DB_CONNECTION unset" : "config/database.php's default";
  return {
    engine: ENGINE_OF_DRIVER[driver] ?? 'unknown',
    source: 'tool-config',
    description: `from config/database.php: connection "${name}" (${where})`,
  };
}

export const detector: Detector = { framework: 'laravel', detect, describeDatabase };
