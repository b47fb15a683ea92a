// `metamig turbo init`: plug metamig into a Turborepo build graph. Root turbo.json gets the
// migrate:* tasks; every workspace package holding a migration project gets the scripts and a
// package turbo.json whose inputs are exactly its migration files and configs (so the cache hits
// until a migration changes). Idempotent: a second run changes nothing.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { type FrameworkId, MigratorError, type Project } from '@metamig/core';
import type { Session } from '../session.js';

/** Migration files and configs per framework, relative to the project root. */
export const MIGRATION_INPUTS: Record<FrameworkId, string[]> = {
  alembic: ['alembic.ini', 'pyproject.toml', '**/env.py', '**/versions/**/*.py'],
  django: ['manage.py', '**/settings*.py', '**/settings/**/*.py', '**/migrations/*.py'],
  prisma: ['prisma.config.*', '.config/prisma.*', '**/*.prisma', '**/migrations/**/*.sql', '**/migrations/migration_lock.toml'],
  knex: ['knexfile.*', 'migrations/**', '**/migrations/**'],
  typeorm: ['**/data-source.*', '**/migrations/**', 'tsconfig.json'],
  laravel: ['config/database.php', 'database/migrations/**', 'database/schema/**'],
  rails: ['config/database.yml', 'db/migrate/**', 'db/*_migrate/**'],
  flyway: ['flyway.toml', 'flyway.user.toml', 'flyway.conf', '**/*.sql', '**/*.sql.conf'],
};

const TASKS: Record<string, { command: string; cache: boolean; description: string }> = {
  'migrate:status': { command: 'metamig status', cache: false, description: 'state of the database: never cached' },
  'migrate:check': { command: 'metamig check --all', cache: true, description: 'safety policy on the whole history: a function of the migration files and the policy' },
  'migrate:verify': { command: 'metamig verify --all', cache: true, description: 'rollbacks proven in a throwaway database: a function of the migration files' },
};

const toPosix = (p: string) => p.split(sep).join(posix.sep);
const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** Workspace package folders from the root package.json (simple globs: `dir/*`, `dir/**`, `dir`). */
export function workspacePackages(root: string): string[] {
  const pkgFile = join(root, 'package.json');
  if (!existsSync(pkgFile)) return [];
  const ws = readJson(pkgFile).workspaces;
  const patterns = Array.isArray(ws) ? ws : Array.isArray((ws as { packages?: unknown })?.packages) ? (ws as { packages: string[] }).packages : [];
  const out = new Set<string>();
  const expand = (base: string, deep: boolean) => {
    if (!existsSync(join(root, base))) return;
    for (const e of readdirSync(join(root, base))) {
      const rel = posix.join(base, e);
      if (!statSync(join(root, rel)).isDirectory() || e === 'node_modules') continue;
      if (existsSync(join(root, rel, 'package.json'))) out.add(rel);
      if (deep) expand(rel, true);
    }
  };
  for (const p of patterns as string[]) {
    const clean = p.replace(/\/$/, '');
    if (clean.endsWith('/**')) expand(clean.slice(0, -3), true);
    else if (clean.endsWith('/*')) expand(clean.slice(0, -2), false);
    else if (existsSync(join(root, clean, 'package.json'))) out.add(clean);
  }
  return [...out].sort();
}

export interface TurboInitResult {
  changed: string[];
  unchanged: string[];
  skipped: { project: string; reason: string }[];
}

export function turboInit(root: string, projects: Project[], configFile?: string): TurboInitResult {
  const result: TurboInitResult = { changed: [], unchanged: [], skipped: [] };
  const write = (file: string, before: string | undefined, after: string) => {
    const rel = toPosix(relative(root, file));
    if (before === after) result.unchanged.push(rel);
    else {
      writeFileSync(file, after);
      result.changed.push(rel);
    }
  };
  const packages = workspacePackages(root);
  if (!packages.length) {
    throw new MigratorError({
      code: 'USAGE.INVALID',
      summary: `No workspace packages found from ${join(root, 'package.json')}.`,
      fix: 'Run `metamig turbo init` at the root of an npm/pnpm/yarn workspace (package.json with "workspaces").',
    });
  }
  const packageOf = (p: Project) => packages.filter((w) => p.root === w || p.root.startsWith(`${w}/`)).sort((a, b) => b.length - a.length)[0];

  // Root turbo.json: the tasks, with what turbo must hash besides the package's own inputs.
  const turboFile = join(root, 'turbo.json');
  const turboBefore = existsSync(turboFile) ? readFileSync(turboFile, 'utf8') : undefined;
  const turbo: { $schema?: string; tasks?: Record<string, unknown> } = turboBefore ? JSON.parse(turboBefore) : { $schema: 'https://turbo.build/schema.json' };
  turbo.tasks ??= {};
  const globalInputs = configFile ? [`$TURBO_ROOT$/${toPosix(relative(root, configFile))}`] : [];
  for (const [name, t] of Object.entries(TASKS)) {
    turbo.tasks[name] = { ...(turbo.tasks[name] as object | undefined), cache: t.cache, outputs: [], ...(t.cache ? { inputs: ['$TURBO_DEFAULT$', ...globalInputs] } : {}) };
  }
  write(turboFile, turboBefore, json(turbo));

  const byPackage = new Map<string, Project[]>();
  for (const p of projects) {
    const pkg = packageOf(p);
    if (!pkg) {
      result.skipped.push({ project: p.id, reason: 'not inside a workspace package' });
      continue;
    }
    byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), p]);
  }
  for (const [pkg, ps] of [...byPackage].sort()) {
    const pkgFile = join(root, pkg, 'package.json');
    const before = readFileSync(pkgFile, 'utf8');
    const pj = JSON.parse(before) as { scripts?: Record<string, string> };
    pj.scripts ??= {};
    for (const [name, t] of Object.entries(TASKS)) pj.scripts[name] ??= t.command; // never overwrite a user's own script
    write(pkgFile, before, json(pj));

    // Package turbo.json: inputs = exactly the migration files and configs of its projects.
    const inputs = new Set<string>(['package.json']);
    for (const p of ps) {
      const prefix = p.root === pkg ? '' : `${posix.relative(pkg, p.root)}/`;
      for (const i of MIGRATION_INPUTS[p.framework]) inputs.add(`${prefix}${i}`);
    }
    const pTurboFile = join(root, pkg, 'turbo.json');
    const pBefore = existsSync(pTurboFile) ? readFileSync(pTurboFile, 'utf8') : undefined;
    const pTurbo = pBefore ? (JSON.parse(pBefore) as { extends?: string[]; tasks?: Record<string, unknown> }) : {};
    pTurbo.extends ??= ['//'];
    pTurbo.tasks ??= {};
    for (const name of ['migrate:check', 'migrate:verify']) {
      pTurbo.tasks[name] = { ...(pTurbo.tasks[name] as object | undefined), inputs: [...inputs, ...globalInputs] };
    }
    write(pTurboFile, pBefore, json(pTurbo));
  }
  return result;
}

export async function turboInitCommand(session: Session): Promise<number> {
  const r = turboInit(session.root, session.all, session.loaded.file);
  if (session.opts.json) {
    process.stdout.write(json(r));
  } else {
    for (const f of r.changed) process.stdout.write(`updated ${f}\n`);
    for (const s of r.skipped) process.stdout.write(`skipped ${s.project}: ${s.reason}\n`);
    process.stdout.write(r.changed.length ? `\nRun \`npx turbo run migrate:check\` (cached until a migration or the policy changes).\n` : 'Already set up: nothing changed.\n');
  }
  return 0;
}
