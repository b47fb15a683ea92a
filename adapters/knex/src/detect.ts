// Finding Knex projects: a folder with a knexfile. Loaded by `metamig discover`, so it stays light:
// the knexfile is code and is never executed here, only read for a best-effort description.
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { DatabaseEngine, DatabaseTarget, DetectedProject, Detector, RepoListing } from '@metamig/core';

/**
 * In the knex CLI's order of preference (js, mjs, ts). The CLI does not look for `knexfile.cjs`
 * (it needs `--knexfile`); metamig does, last.
 */
export const KNEXFILE_NAMES = ['knexfile.js', 'knexfile.mjs', 'knexfile.ts', 'knexfile.cjs'] as const;

export function detect(listing: RepoListing): DetectedProject[] {
  const byDir = new Map<string, string[]>();
  for (const file of listing.files) {
    const base = posix.basename(file);
    if (!(KNEXFILE_NAMES as readonly string[]).includes(base)) continue;
    const dir = posix.dirname(file);
    byDir.set(dir, [...(byDir.get(dir) ?? []), base]);
  }
  const projects: DetectedProject[] = [];
  for (const [dir, names] of byDir) {
    const chosen = KNEXFILE_NAMES.find((n) => names.includes(n))!;
    const root = dir === '' ? '.' : dir;
    projects.push({ framework: 'knex', root, configFile: root === '.' ? chosen : `${root}/${chosen}` });
  }
  return projects.sort((a, b) => a.root.localeCompare(b.root));
}

const ENGINE_OF_CLIENT: Record<string, DatabaseEngine> = {
  pg: 'postgres',
  postgres: 'postgres',
  postgresql: 'postgres',
  pgnative: 'postgres',
  sqlite3: 'sqlite',
  sqlite: 'sqlite',
  'better-sqlite3': 'sqlite',
  mysql: 'mysql',
  mysql2: 'mysql',
};

/** The `client: '…'` literals written in a knexfile (it is code: any of them may be the one used). */
export function clientsIn(knexfileText: string): string[] {
  const found = new Set<string>();
  for (const m of knexfileText.matchAll(/\bclient\s*:\s*['"`]([\w-]+)['"`]/g)) found.add(m[1]!);
  return [...found];
}

export function describeDatabase(project: DetectedProject, repoRoot: string): DatabaseTarget {
  const file = posix.basename(project.configFile);
  const environment = process.env.NODE_ENV || 'development';
  let clients: string[] = [];
  try {
    clients = clientsIn(readFileSync(join(repoRoot, project.configFile), 'utf8'));
  } catch {
    /* unreadable: say so below */
  }
  const engines = [...new Set(clients.map((c) => ENGINE_OF_CLIENT[c] ?? 'unknown'))];
  const engine: DatabaseEngine = engines.length === 1 ? engines[0]! : 'unknown';
  const what = clients.length === 0 ? 'client not written literally' : clients.length === 1 ? `client ${clients[0]}` : `client ${clients.join(' or ')}, decided when it runs`;
  return { engine, source: 'tool-config', description: `from ${file} (environment ${environment}; ${what})` };
}

export const detector: Detector = { framework: 'knex', detect, describeDatabase };
