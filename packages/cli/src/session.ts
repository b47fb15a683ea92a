// Everything a command needs, built once: the repo root, the config, the projects (discovered,
// configured, selected), the adapter context, and the optional sandbox database.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  type AdapterContext,
  type LoadedConfig,
  type Logger,
  type Project,
  Toolchains,
  createLogger,
  createRunner,
  findConfigFile,
  listRepo,
  loadConfig,
  registerUrl,
  resolveProjects,
  selectProjects,
  targetFor,
} from '@metamig/core';
import { loadDetectors } from './registry.js';

export interface GlobalOptions {
  root?: string;
  config?: string;
  databaseUrl?: string;
  sandbox?: boolean;
  json?: boolean;
  verbose?: boolean;
  yes?: boolean;
  concurrency?: number;
  bail?: boolean;
}

export interface Session {
  root: string;
  loaded: LoadedConfig;
  /** Every project found, and the ones this command works on. */
  all: Project[];
  projects: Project[];
  ctx: AdapterContext;
  logger: Logger;
  opts: GlobalOptions;
  concurrency: number;
  /** Stop the sandbox (if any). Safe to call twice. */
  close(): Promise<void>;
}

/** The nearest folder upward holding a metamig config; else the git top level; else `start`. */
export function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (findConfigFile(dir)) return dir;
    if (dirname(dir) === dir) break;
  }
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) break;
  }
  return start;
}

/** Run inside a workspace package → scope to the projects in (or around) that folder. */
export function scopeToCwd(all: Project[], root: string, cwd: string): Project[] {
  const rel = relative(root, cwd).split(sep).join('/');
  if (!rel || rel.startsWith('..')) return all;
  const inside = (child: string, parent: string) => parent === '.' || child === parent || child.startsWith(`${parent}/`);
  const hits = all.filter((p) => inside(p.root, rel) || inside(rel, p.root));
  return hits.length ? hits : all;
}

export interface SessionNeeds {
  /** false: the command works on files, not projects (`check --sql`): skip the repository walk. */
  projects?: boolean;
}

export async function openSession(opts: GlobalOptions, names: string[], signal: AbortSignal, needs: SessionNeeds = {}): Promise<Session> {
  const logger = createLogger(opts.verbose ? 'debug' : 'warn');
  const cwd = process.cwd();
  const root = opts.root ? resolve(opts.root) : findRepoRoot(cwd);
  if (!existsSync(root)) {
    const { MigratorError } = await import('@metamig/core');
    throw new MigratorError({ code: 'USAGE.INVALID', summary: `--root ${opts.root}: no such folder.` });
  }
  registerUrl(opts.databaseUrl);
  const loaded = await loadConfig(root, opts.config ? resolve(opts.config) : undefined);
  let all: Project[] = [];
  if (needs.projects !== false || names.length) {
    const listing = listRepo(root, { ...(loaded.config.discovery?.ignore ? { ignore: loaded.config.discovery.ignore } : {}), ...(loaded.config.discovery?.maxDepth ? { maxDepth: loaded.config.discovery.maxDepth } : {}) });
    all = resolveProjects(listing, await loadDetectors(), {
      config: loaded.config,
      configDir: loaded.dir,
      ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
    });
  }
  const projects = names.length ? selectProjects(all, names) : opts.root ? all : scopeToCwd(all, root, cwd);

  let close = async () => {};
  if (opts.sandbox) close = await attachSandbox(projects, logger);

  const ctx: AdapterContext = {
    runner: createRunner(logger),
    logger,
    toolchains: new Toolchains(),
    signal,
    repoRoot: root,
    ...(loaded.config.timeoutSeconds ? { timeoutMs: loaded.config.timeoutSeconds * 1000 } : {}),
  };
  let closed = false;
  return {
    root,
    loaded,
    all,
    projects,
    ctx,
    logger,
    opts,
    concurrency: opts.concurrency ?? loaded.config.concurrency ?? availableParallelism(),
    close: async () => {
      if (closed) return;
      closed = true;
      await close();
    },
  };
}

/** --sandbox: one throwaway PostgreSQL for this run, a fresh database per project. */
export async function attachSandbox(projects: Project[], logger: Logger): Promise<() => Promise<void>> {
  const { startPostgres } = await import('@metamig/sandbox');
  const server = await startPostgres({ logger });
  logger.info(`sandbox: PostgreSQL ${server.version} (${server.provider} binaries), discarded at exit`);
  try {
    for (const p of projects) {
      const name = `mm_${p.id.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`.slice(0, 60);
      const url = await server.createDatabase(name);
      p.databaseUrl = url;
      p.database = { ...targetFor(url, 'sandbox', p.absRoot), description: `sandbox postgres ${server.version}: ${name} (discarded at exit)` };
    }
  } catch (e) {
    await server.stop();
    throw e;
  }
  return () => server.stop();
}
