// Everything an operation needs to know about one Prisma project, read from disk: its layout, its
// migration folders, the project's own `prisma` CLI, and the database the migrate commands use.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { MigratorError, type Project, registerUrl } from '@metamig/core';
import { PRISMA_ENV, prismaUrl } from './argv.js';
import type { FolderMigration } from './history.js';
import { type Layout, type ProviderEngine, engineOfProvider, readLayout, toPosix, urlEnvNames, urlSetting } from './layout.js';

export interface PrismaCli {
  /** `node <entry> migrate …` runs it (prisma/build/index.js). */
  entry: string;
  version: string;
  dir: string;
}

export interface Connection {
  /** Prisma's form: postgresql://… or file:/abs/path. */
  url: string;
  engine: 'postgres' | 'sqlite';
  /** Where it came from, for messages ("env DATABASE_URL", "--database-url"). */
  from: string;
}

/** override: metamig's URL; environment: a real variable; dotenv: a .env file; literal: written in the schema or config. */
export type ConnectionOrigin = 'override' | 'environment' | 'dotenv' | 'literal';

export interface PrismaProject {
  layout: Layout;
  folder: FolderMigration[];
  cli?: PrismaCli;
  engine: ProviderEngine;
  /** Prisma 6 `engine: 'js'`: the WASM schema engine through a driver adapter. */
  jsEngine: boolean;
  connection?: Connection;
  /** Why the table cannot be read directly, when `connection` is missing. */
  connectionProblem?: string;
  /** Where the connection's URL came from (the fast path trusts only some of these). */
  connectionOrigin?: ConnectionOrigin;
  /** Environment for every prisma process (override URL in the variables the schema names). */
  env: Record<string, string>;
  /** Whether Prisma runs one migration.sql in a transaction here (see docs/adapters/prisma.md). */
  transactional: boolean;
}

export const rel = (p: PrismaProject, abs: string) => toPosix(relative(p.layout.absRoot, abs));

export function findPrismaCli(absRoot: string): PrismaCli | undefined {
  try {
    const pkgFile = createRequire(join(absRoot, 'package.json')).resolve('prisma/package.json');
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { name?: string; version?: string; bin?: Record<string, string> | string };
    if (pkg.name !== 'prisma' || !pkg.version) return undefined;
    const dir = dirname(pkgFile);
    const bin = typeof pkg.bin === 'string' ? pkg.bin : (pkg.bin?.prisma ?? 'build/index.js');
    return { entry: join(dir, bin), version: pkg.version, dir };
  } catch {
    return undefined;
  }
}

export function listFolder(layout: Layout): FolderMigration[] {
  let entries;
  try {
    entries = readdirSync(layout.migrationsDir, { withFileTypes: true });
  } catch {
    return []; // no migrations directory: Prisma lists none either
  }
  const relPath = (abs: string) => toPosix(relative(layout.absRoot, abs));
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) // byte order, like Prisma
    .map((name) => {
      const dir = join(layout.migrationsDir, name);
      const sql = join(dir, 'migration.sql');
      const down = join(dir, 'down.sql');
      const f: FolderMigration = { name, sqlFile: relPath(sql), script: existsSync(sql) ? readFileSync(sql, 'utf8') : '' };
      if (existsSync(down)) {
        f.downFile = relPath(down);
        f.downScript = readFileSync(down, 'utf8');
      }
      return f;
    });
}

/** KEY=value lines of a .env file (quotes removed); Prisma 6 loads them when there is no config file. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    const q = /^(['"])(.*)\1$/.exec(v);
    if (q) v = q[2]!;
    else v = v.replace(/\s+#.*$/, '');
    out[m[1]!] = v;
  }
  return out;
}

function envValue(name: string, project: Project, layout: Layout): { value: string; from: string; dotenv?: true } | undefined {
  if (project.env[name] !== undefined) return { value: project.env[name]!, from: `env ${name} (metamig config)` };
  if (process.env[name] !== undefined) return { value: process.env[name]!, from: `env ${name}` };
  // Prisma 6 without a config file loads .env (project root, then next to the schema); a config
  // file that loads it itself (dotenv, process.loadEnvFile) reads the project root's.
  const loads = !layout.configFile || /dotenv|loadEnvFile/.test(readFileSafe(join(layout.absRoot, layout.configFile)));
  if (!loads) return undefined;
  const dirs = [layout.absRoot, ...(layout.datasourceFile && !layout.configFile ? [dirname(layout.datasourceFile)] : [])];
  for (const d of dirs) {
    const vars = parseDotenv(readFileSafe(join(d, '.env')));
    if (vars[name] !== undefined) return { value: vars[name]!, from: `env ${name} (${toPosix(relative(layout.absRoot, join(d, '.env')))})`, dotenv: true };
  }
  return undefined;
}

const readFileSafe = (f: string) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
};

/** The database the migrate commands use, in Prisma's form; relative SQLite paths resolved as Prisma does. */
function resolveConnection(project: Project, layout: Layout): { connection?: Connection; problem?: string; origin?: ConnectionOrigin } {
  if (project.databaseUrl) {
    const { url, engine } = prismaUrl(project.databaseUrl, project.absRoot);
    return { connection: { url, engine, from: 'the metamig database URL' }, origin: 'override' };
  }
  const setting = urlSetting(layout);
  if (!setting) return { problem: `no datasource url in ${layout.configFile ?? 'the schema'}` };
  let value: string;
  let from: string;
  let origin: ConnectionOrigin;
  if (setting.ref.kind === 'env') {
    const v = envValue(setting.ref.name, project, layout);
    if (!v) return { problem: `${setting.ref.name} is not set (the datasource url in ${setting.where} reads it)` };
    ({ value, from } = v);
    origin = v.dotenv ? 'dotenv' : 'environment';
  } else if (setting.ref.kind === 'literal') {
    value = setting.ref.value;
    from = `the url in ${setting.where}`;
    origin = 'literal';
  } else {
    return { problem: `the datasource url in ${setting.where} is computed (${setting.ref.text}); metamig does not run the config to evaluate it` };
  }
  registerUrl(value);
  if (value.startsWith('file:')) {
    const path = decodeURIComponent(value.slice('file:'.length).replace(/^\/\/(?=\/)/, '').split('?')[0]!);
    // Prisma: relative to the schema file (url in the schema); relative to the config's folder otherwise.
    const base = setting.origin === 'config' ? dirname(join(layout.absRoot, layout.configFile!)) : layout.datasourceFile ? dirname(layout.datasourceFile) : layout.absRoot;
    return { connection: { url: `file:${isAbsolute(path) ? path : resolve(base, path)}`, engine: 'sqlite', from }, origin };
  }
  if (/^postgres(ql)?:\/\//i.test(value)) return { connection: { url: value, engine: 'postgres', from }, origin };
  return { problem: `metamig reads _prisma_migrations on PostgreSQL and SQLite only (the url from ${from} is ${value.split(':')[0]})` };
}

export function loadProject(project: Project): PrismaProject {
  const layout = readLayout(project.absRoot);
  const engine = engineOfProvider(layout.datasource?.provider ?? layout.lockProvider);
  const jsEngine = layout.config?.engine === 'js';
  const { connection, problem, origin } = resolveConnection(project, layout);
  const env: Record<string, string> = { ...PRISMA_ENV, ...project.env };
  if (project.databaseUrl) {
    const names = urlEnvNames(layout);
    if (!names.length) {
      throw new MigratorError({
        code: 'CONFIG.INVALID',
        summary: `${project.id}: cannot point Prisma at the metamig database URL.`,
        why: `The datasource url in ${urlSetting(layout)?.where ?? 'the schema'} is not read from an environment variable, and Prisma's migrate commands take no URL argument.`,
        fix: 'Write the url as env("DATABASE_URL") (schema, Prisma 6) or env(\'DATABASE_URL\') (prisma.config.ts, Prisma 7), or run without --database-url.',
      });
    }
    for (const n of names) env[n] = connection!.url;
  }
  const p: PrismaProject = { layout, folder: listFolder(layout), engine, jsEngine, env, transactional: engine === 'postgres' && !jsEngine };
  const cli = findPrismaCli(project.absRoot);
  if (cli) p.cli = cli;
  if (connection) p.connection = connection;
  if (problem) p.connectionProblem = problem;
  if (connection && origin) p.connectionOrigin = origin;
  return p;
}

export const sqliteFileOf = (c: Connection) => c.url.slice('file:'.length);
