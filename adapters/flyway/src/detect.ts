// Finding Flyway projects: a folder with flyway.toml (or legacy flyway.conf) whose locations hold
// Flyway migrations (V<version>__*.sql / R__*.sql). Loaded by `metamig discover`: it reads only the
// config files it finds (no JVM); locations come from the config, else the conventional folders.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, posix, relative, sep } from 'node:path';
import { type DatabaseTarget, type DetectedProject, type Detector, type RepoListing, registerSecret } from '@metamig/core';
import { resolveLocations } from './argv.js';
import { FlywayConfigError, readFlywaySettings } from './config.js';
import { parseMigrationName } from './files.js';
import { describeJdbc, parseJdbcUrl, redactJdbc } from './jdbc.js';

export const CONFIG_NAMES = ['flyway.toml', 'flyway.conf'] as const;

type Reader = (absPath: string) => string | undefined;
const readText: Reader = (p) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};

/** Pure over the listing; `read` gives the text of the config files found in it. */
export function detectIn(listing: RepoListing, read: Reader): DetectedProject[] {
  const byDir = new Map<string, string[]>();
  for (const file of listing.files) {
    const base = posix.basename(file);
    if (!(CONFIG_NAMES as readonly string[]).includes(base)) continue;
    const dir = posix.dirname(file);
    byDir.set(dir, [...(byDir.get(dir) ?? []), base]);
  }
  const fileSet = new Set(listing.files);
  const projects: DetectedProject[] = [];
  for (const [dir, names] of byDir) {
    const chosen = CONFIG_NAMES.find((n) => names.includes(n))!; // Flyway prefers TOML when both exist
    const root = dir === '' || dir === '.' ? '.' : dir;
    const absRoot = join(listing.root, root);
    const configFile = root === '.' ? chosen : `${root}/${chosen}`;
    const inProject = (p: string) => {
      const r = relative(listing.root, p).split(sep).join(posix.sep);
      return fileSet.has(r) ? read(p) : undefined;
    };
    let settings;
    try {
      settings = readFlywaySettings({ configFile: join(listing.root, configFile), cwd: absRoot, env: {}, read: inProject });
    } catch (e) {
      if (!(e instanceof FlywayConfigError)) throw e;
      projects.push({ framework: 'flyway', root, configFile }); // unreadable config: status will say why
      continue;
    }
    const relDir = (abs: string) => relative(listing.root, abs).split(sep).join(posix.sep);
    const filesUnder = (abs: string) => {
      const prefix = `${relDir(abs)}/`;
      return listing.files.filter((f) => f.startsWith(prefix));
    };
    const hasMigrations = (abs: string) => filesUnder(abs).some((f) => ['versioned', 'repeatable'].includes(parseMigrationName(posix.basename(f), settings)?.kind ?? ''));
    const locations = resolveLocations(absRoot, settings.locations, undefined, (abs) => filesUnder(abs).length > 0, hasMigrations);
    if (settings.locations?.length || locations.dirs.some(hasMigrations)) projects.push({ framework: 'flyway', root, configFile });
  }
  return projects.sort((a, b) => a.root.localeCompare(b.root));
}

export function detect(listing: RepoListing): DetectedProject[] {
  return detectIn(listing, readText);
}

/** The database of the project's own Flyway config (and FLYWAY_URL, which Flyway applies over it). */
export function describeDatabase(project: DetectedProject, repoRoot: string): DatabaseTarget {
  const absRoot = join(repoRoot, project.root);
  const configName = posix.basename(project.configFile);
  const hasConfig = (CONFIG_NAMES as readonly string[]).includes(configName);
  let settings;
  try {
    settings = readFlywaySettings({ ...(hasConfig ? { configFile: join(repoRoot, project.configFile) } : {}), cwd: absRoot, env: process.env, home: homedir() });
  } catch (e) {
    return { engine: 'unknown', source: 'tool-config', description: `unreadable Flyway config (${e instanceof Error ? e.message : String(e)})` };
  }
  registerSecret(settings.password);
  if (!settings.url) {
    return { engine: 'unknown', source: 'tool-config', description: `no url in ${hasConfig ? configName : 'the Flyway config'} (FLYWAY_URL or --database-url needed)` };
  }
  const from = settings.urlSource ?? configName;
  if (Object.keys(settings.unresolved).includes('url')) {
    return { engine: 'unknown', source: 'tool-config', description: `${redactJdbc(settings.url)} from ${from} (resolved by Flyway at run time)` };
  }
  const target = parseJdbcUrl(settings.url, absRoot);
  const engine = target?.engine ?? 'unknown';
  const what = target ? describeJdbc(target, settings.user) : redactJdbc(settings.url);
  return { engine, source: 'tool-config', description: `${what} (from ${from}${settings.format === 'toml' ? `, environment ${settings.environment}` : ''})` };
}

export const detector: Detector = { framework: 'flyway', detect, describeDatabase };

