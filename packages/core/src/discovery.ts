// Repo discovery: one walk of the tree (skipping dependency folders and virtualenvs), then each
// adapter's pure `detect` over the listing, then the metamig config on top.
import { existsSync, readdirSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import type { DetectedProject, MigrationAdapter, Project, RepoListing } from './adapter.js';
import type { MetamigConfig } from './config.js';
import { expandEnv } from './config.js';
import { describeDatabaseUrl, engineOf, parseDatabaseUrl } from './database-url.js';
import { MigratorError } from './errors.js';
import { registerUrl } from './redact.js';
import type { DatabaseTarget } from './schemas.js';

export const ALWAYS_SKIPPED = new Set([
  'node_modules', '.git', '.hg', '.svn', '.venv', 'venv', '__pycache__', '.mypy_cache', '.pytest_cache',
  '.tox', '.turbo', '.toolchains', '.metamig', '.next', '.gradle', '.idea', '.vscode', 'coverage',
  'vendor', 'target', 'tmp', 'log', 'storage',
]);

export interface ListOptions {
  ignore?: string[];
  maxDepth?: number;
}

export function listRepo(root: string, opts: ListOptions = {}): RepoListing {
  const absRoot = resolve(root);
  const ignore = new Set(opts.ignore ?? []);
  const maxDepth = opts.maxDepth ?? 10;
  const files: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder: not ours to report
    }
    if (depth > 0 && entries.some((e) => e.name === 'pyvenv.cfg')) return; // a virtualenv
    for (const e of entries) {
      const rel = relative(absRoot, join(dir, e.name)).split(sep).join(posix.sep);
      if (ignore.has(e.name) || ignore.has(rel)) continue;
      if (e.isDirectory()) {
        if (ALWAYS_SKIPPED.has(e.name) || depth >= maxDepth) continue;
        walk(join(dir, e.name), depth + 1);
      } else if (e.isFile()) {
        files.push(rel);
      }
    }
  };
  walk(absRoot, 0);
  files.sort();
  return { root: absRoot, files };
}

/** Files directly inside `dir` (posix, relative to the repo root) — a helper for detectors. */
export function filesIn(listing: RepoListing, dir: string): string[] {
  const prefix = dir === '.' ? '' : `${dir}/`;
  return listing.files.filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes('/'));
}

export const dirOf = (file: string): string => {
  const d = posix.dirname(file);
  return d === '' ? '.' : d;
};

export const projectId = (p: DetectedProject): string => (p.root === '.' ? p.framework : `${p.root}:${p.framework}`);

export type Detector = Pick<MigrationAdapter, 'framework' | 'detect' | 'describeDatabase'>;

export interface ResolveOptions {
  config: MetamigConfig;
  /** Folder the config paths are relative to (the repo root). */
  configDir: string;
  /** --database-url: every selected project uses it. */
  databaseUrl?: string;
}

export function resolveProjects(listing: RepoListing, detectors: Detector[], opts: ResolveOptions): Project[] {
  const detected: DetectedProject[] = [];
  for (const d of detectors) detected.push(...d.detect(listing));
  const byKey = new Map(detected.map((p) => [`${p.root}|${p.framework}`, p]));
  const cfgProjects = opts.config.projects ?? [];

  cfgProjects.forEach((c, i) => {
    const root = posix.normalize(relative(listing.root, resolve(opts.configDir, c.path)).split(sep).join(posix.sep) || '.');
    const atRoot = detected.filter((p) => p.root === root);
    if (c.framework) {
      if (!atRoot.some((p) => p.framework === c.framework)) {
        if (!existsSync(resolve(listing.root, root))) {
          throw new MigratorError({
            code: 'CONFIG.INVALID',
            summary: `projects[${i}].path: folder "${c.path}" does not exist.`,
            fix: 'Fix the path (relative to the config file).',
          });
        }
        byKey.set(`${root}|${c.framework}`, { framework: c.framework, root, configFile: root });
      }
    } else if (!atRoot.length && !c.ignore) {
      throw new MigratorError({
        code: 'CONFIG.INVALID',
        summary: `projects[${i}]: no migration project was detected in "${c.path}".`,
        fix: 'Set `framework` for this entry, or fix its path.',
      });
    }
  });

  const projects: Project[] = [];
  for (const p of [...byKey.values()].sort((a, b) => (a.root + a.framework).localeCompare(b.root + b.framework))) {
    const cfg = cfgProjects.find((c) => {
      const root = posix.normalize(relative(listing.root, resolve(opts.configDir, c.path)).split(sep).join(posix.sep) || '.');
      return root === p.root && (!c.framework || c.framework === p.framework);
    });
    if (cfg?.ignore) continue;
    const detector = detectors.find((d) => d.framework === p.framework)!;
    const absRoot = resolve(listing.root, p.root);
    let database: DatabaseTarget;
    let databaseUrl: string | undefined;
    if (opts.databaseUrl) {
      databaseUrl = opts.databaseUrl;
      database = targetFor(databaseUrl, 'cli', absRoot);
    } else if (cfg?.database) {
      databaseUrl = expandEnv(cfg.database, `projects[${cfgProjects.indexOf(cfg)}].database`);
      database = targetFor(databaseUrl, 'config', absRoot);
    } else {
      database = detector.describeDatabase(p, listing.root);
    }
    const project: Project = {
      ...p,
      id: cfg?.id ?? projectId(p),
      absRoot,
      database,
      env: cfg?.env ?? {},
      protected: cfg?.protected ?? false,
      options: cfg?.options ?? {},
    };
    if (databaseUrl) project.databaseUrl = databaseUrl;
    projects.push(project);
  }
  const ids = new Map<string, number>();
  for (const p of projects) ids.set(p.id, (ids.get(p.id) ?? 0) + 1);
  const dup = [...ids].find(([, n]) => n > 1);
  if (dup) {
    throw new MigratorError({ code: 'CONFIG.INVALID', summary: `Two projects have the id "${dup[0]}".`, fix: 'Give them distinct `id`s in the metamig config.' });
  }
  return projects;
}

export function targetFor(url: string, source: DatabaseTarget['source'], baseDir: string): DatabaseTarget {
  registerUrl(url);
  const engine = engineOf(url);
  const description = engine === 'postgres' || engine === 'sqlite' ? describeDatabaseUrl(parseDatabaseUrl(url, baseDir)) : `${engine} database`;
  return { engine, source, description, url: redactUrl(url) };
}

const redactUrl = (url: string) => url.replace(/(:\/\/[^:/@]*:)[^@]*@/, '$1***@');

/** Pick projects by id, root folder or framework name; unknown names are an error listing the known ones. */
export function selectProjects(all: Project[], names: string[]): Project[] {
  if (!names.length) return all;
  const picked: Project[] = [];
  for (const raw of names) {
    const name = raw.replace(/\/+$/, '') || '.';
    const hits = all.filter((p) => p.id === name || p.root === name || p.framework === name || `./${p.root}` === name);
    if (!hits.length) {
      throw new MigratorError({
        code: 'USAGE.UNKNOWN_PROJECT',
        summary: `Unknown project "${raw}".`,
        why: all.length ? `Projects found: ${all.map((p) => p.id).join(', ')}` : 'No migration projects were found under the repository root.',
        fix: 'Use an id from `metamig discover`, a project folder, or a framework name.',
      });
    }
    for (const h of hits) if (!picked.includes(h)) picked.push(h);
  }
  return picked;
}
