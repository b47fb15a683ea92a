// What metamig runs for Flyway and what a person would type for the same effect. Pure.
// Every run names its config file, its locations (the CLI's own default is its install dir) and
// fails on a missing location; an override database goes through FLYWAY_URL/USER/PASSWORD, which
// Flyway 12.4.0 applies over its config files (never argv: `ps` shows argv).
import { isAbsolute, posix, relative, resolve, sep } from 'node:path';
import { formatCommand, parseDatabaseUrl, toJdbcUrl } from '@metamig/core';

export interface Invocation {
  /** Project root: Flyway's working directory (relative SQLite paths and locations resolve here). */
  root: string;
  /** Absolute path of the project's flyway.toml / flyway.conf, if it has one. */
  configFile?: string;
  /** Location folders (absolute). */
  locations: string[];
  outOfOrder?: boolean;
  /** The override database, when metamig was given one. */
  override?: FlywayOverride;
}

export interface FlywayOverride {
  url: string;
  user: string;
  password: string;
  /** Redacted, for display. */
  display: string;
}

export const locationArg = (dirs: string[]): string => dirs.map((d) => `filesystem:${d}`).join(',');

/** Common options, then `-outputType=json` and the commands (several run in one JVM). */
export function flywayArgs(inv: Invocation, commands: string[], extra: string[] = []): string[] {
  const args: string[] = [];
  if (inv.configFile) args.push(`-configFiles=${inv.configFile}`);
  args.push(`-locations=${locationArg(inv.locations)}`, '-failOnMissingLocations=true');
  if (inv.outOfOrder) args.push('-outOfOrder=true');
  args.push(...extra, '-outputType=json', ...commands);
  return args;
}

/** A metamig database URL as Flyway's own environment variables (FLYWAY_USER/PASSWORD always set, so the config's never apply). */
export function flywayOverride(url: string, baseDir: string): FlywayOverride {
  const parsed = parseDatabaseUrl(url, baseDir);
  const jdbc = toJdbcUrl(parsed);
  return { url: jdbc.url, user: jdbc.user ?? '', password: jdbc.password ?? '', display: jdbc.url };
}

export function overrideEnv(o: FlywayOverride | undefined): Record<string, string> {
  return o ? { FLYWAY_URL: o.url, FLYWAY_USER: o.user, FLYWAY_PASSWORD: o.password } : {};
}

const rel = (root: string, p: string) => {
  const r = relative(root, p).split(sep).join(posix.sep);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
};

/** The command a person would type in the project folder (paths relative to it, password masked). */
export function nativeCommand(inv: Invocation, commands: string[], extra: string[] = []): string {
  const argv = ['flyway'];
  if (inv.configFile) argv.push(`-configFiles=${rel(inv.root, inv.configFile)}`);
  argv.push(`-locations=${inv.locations.map((d) => `filesystem:${rel(inv.root, d)}`).join(',')}`);
  if (inv.outOfOrder) argv.push('-outOfOrder=true');
  argv.push(...extra, ...commands);
  const env = inv.override ? `FLYWAY_URL=${inv.override.display} FLYWAY_USER=${inv.override.user || "''"} FLYWAY_PASSWORD=${inv.override.password ? '***' : "''"} ` : '';
  return env + formatCommand(argv);
}

// ---- locations -------------------------------------------------------------------------------

/** Folders Flyway projects commonly use, in the order metamig tries them when nothing is configured. */
export const DEFAULT_LOCATIONS = ['sql', 'migrations', 'db/migration', 'src/main/resources/db/migration'];

export interface ResolvedLocations {
  dirs: string[];
  origin: 'metamig-config' | 'flyway-config' | 'default';
  warnings: string[];
  /** Locations metamig cannot read as folders (cloud storage, wildcards …). */
  problems: string[];
}

/**
 * `options.locations` (metamig config) wins, then Flyway's configured locations (files + FLYWAY_LOCATIONS),
 * then the first conventional folder with migrations in it. `classpath:x` maps to src/main/resources/x
 * when that folder exists (what a Maven/Gradle/Spring Boot build puts on the classpath).
 */
export function resolveLocations(
  root: string,
  configured: string[] | undefined,
  fromOptions: string[] | undefined,
  exists: (abs: string) => boolean,
  hasMigrations: (abs: string) => boolean = exists,
): ResolvedLocations {
  const warnings: string[] = [];
  const problems: string[] = [];
  const toDir = (loc: string, bareIsFilesystem: boolean): string | undefined => {
    const m = /^([a-z0-9]+):(.*)$/i.exec(loc);
    const scheme = m ? m[1]!.toLowerCase() : bareIsFilesystem ? 'filesystem' : 'classpath';
    const path = m ? m[2]! : loc;
    if (/[*?]/.test(path)) {
      problems.push(`${loc}: wildcard locations are not read by metamig (plan, undo files); list the folders instead`);
      return undefined;
    }
    if (scheme === 'filesystem') return isAbsolute(path) ? path : resolve(root, path);
    if (scheme === 'classpath') {
      const guess = resolve(root, 'src/main/resources', path.replace(/^\/+/, ''));
      if (exists(guess)) {
        warnings.push(`${loc} is read from ${rel(root, guess)} (the folder a build puts on the classpath): the Flyway command line does not see the project's classpath.`);
        return guess;
      }
      problems.push(`${loc}: a classpath location, and no ${rel(root, guess)} folder: set options.locations in the metamig config to the folder that holds these migrations`);
      return undefined;
    }
    problems.push(`${loc}: ${scheme}: locations are not supported by metamig (filesystem: and classpath: are)`);
    return undefined;
  };
  if (fromOptions?.length) {
    const dirs = fromOptions.map((l) => toDir(l, true)).filter((d): d is string => !!d);
    return { dirs, origin: 'metamig-config', warnings, problems };
  }
  if (configured?.length) {
    const dirs = configured.map((l) => toDir(l, false)).filter((d): d is string => !!d);
    return { dirs, origin: 'flyway-config', warnings, problems };
  }
  const candidates = DEFAULT_LOCATIONS.map((d) => resolve(root, d));
  const chosen = candidates.find(hasMigrations) ?? candidates.find(exists);
  if (!chosen) {
    problems.push(`no locations configured and none of ${DEFAULT_LOCATIONS.join(', ')} exists: set locations in the Flyway config or options.locations in the metamig config`);
    return { dirs: [], origin: 'default', warnings, problems };
  }
  warnings.push(`No locations configured: metamig uses ${rel(root, chosen)} (the Flyway command line alone would use its install folder's sql/). Set locations in the Flyway config to make this explicit.`);
  return { dirs: [chosen], origin: 'default', warnings, problems };
}

/** `options.locations` from metamig config: a string or a list of strings. */
export function locationsOption(options: Record<string, unknown>): string[] | undefined {
  const v = options.locations;
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return [];
}
