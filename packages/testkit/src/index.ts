// Shared by the adapters' integration tests: copy a fixture to a temp folder, build a real adapter
// context (real runner, real toolchains), resolve the fixture as a Project, and share one throwaway
// PostgreSQL per test file.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import {
  type AdapterContext,
  type MigrationAdapter,
  type Project,
  Toolchains,
  createMemoryLogger,
  createRunner,
  listRepo,
  resolveProjects,
} from '@metamig/core';
import { type PostgresSandbox, createHistoryReader, startPostgres } from '@metamig/sandbox';
import { comparableState } from '@metamig/core';
import { expect } from 'vitest';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixturesDir = join(repoRoot, 'fixtures');

/** Copy fixtures/<tool>/<state> to a fresh temp folder (tests never write into the repo). */
export function copyFixture(rel: string): string {
  const src = join(fixturesDir, rel);
  if (!existsSync(src)) throw new Error(`No fixture ${src}`);
  const dest = join(mkdtempSync(join(tmpdir(), `metamig-${basename(rel)}-`)), basename(rel));
  cpSync(src, dest, {
    recursive: true,
    filter: (f) => !/(\.sqlite3?|\.db|__pycache__|\/recorded)$/.test(f),
  });
  return dest;
}

export function removeCopy(dir: string): void {
  rmSync(dirname(dir), { recursive: true, force: true });
}

export function makeContext(): AdapterContext & { logger: ReturnType<typeof createMemoryLogger> } {
  const logger = createMemoryLogger('debug');
  return {
    runner: createRunner(logger),
    logger,
    toolchains: new Toolchains(repoRoot),
    signal: new AbortController().signal,
    repoRoot,
  };
}

/** Detect the single project of `adapter` in `dir`, optionally pointed at `databaseUrl`. */
export function projectIn(adapter: MigrationAdapter, dir: string, databaseUrl?: string): Project {
  const projects = resolveProjects(listRepo(dir), [adapter], { config: {}, configDir: dir, ...(databaseUrl ? { databaseUrl } : {}) });
  if (projects.length !== 1) throw new Error(`expected one ${adapter.framework} project in ${dir}, found ${projects.length}`);
  return projects[0]!;
}

/** One throwaway PostgreSQL for the whole test file. */
export function usePostgres(): { readonly server: PostgresSandbox; database(name?: string): Promise<string> } {
  let server: PostgresSandbox | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('usePostgres(): server not started (call inside a describe/it)');
      return server;
    },
    database: (name?: string) => {
      if (!server) throw new Error('usePostgres(): server not started');
      return server.createDatabase(name);
    },
  };
}

/** A recorded tool output: fixtures/<tool>/<state>/recorded/<name>. */
export function recorded(rel: string, name: string): string {
  return readFileSync(join(fixturesDir, rel, 'recorded', name), 'utf8');
}

/**
 * The fast-status contract: `statusFast` (history table + files, no framework) returns exactly what
 * `status` (the tool) returns, compared with core's `comparableState`. Returns both for further checks.
 */
export async function expectFastMatchesFull(adapter: MigrationAdapter, project: Project, ctx: AdapterContext) {
  if (!adapter.statusFast) throw new Error(`${adapter.framework} has no statusFast`);
  const history = createHistoryReader();
  try {
    const full = await adapter.status(project, ctx);
    const fast = await adapter.statusFast(project, { ...ctx, history });
    expect(fast.source.via, 'the fast path must say it read the history table').toBe('history-table');
    expect(comparableState(fast)).toEqual(comparableState(full));
    return { full, fast };
  } finally {
    await history.close();
  }
}
