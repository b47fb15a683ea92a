// Finding TypeORM projects. The typeorm CLI has no auto-discovery (it needs `-d <data source>`, and
// 0.3+/1.0 dropped ormconfig files), so detection is conservative: a package.json that depends on
// typeorm, next to a data source file at a conventional path that constructs a `DataSource`.
// Anything else is declared in the metamig config (`framework: typeorm`, `options.dataSource`).
// Loaded by `metamig discover`: it only reads small files, never executes them.
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { MigratorError, dirOf, type DatabaseEngine, type DatabaseTarget, type DetectedProject, type Detector, type RepoListing } from '@metamig/core';

/** Relative to the package.json folder, in order of preference (TypeScript first: what users edit). */
export const DATA_SOURCE_PATHS = [
  'src/data-source.ts',
  'data-source.ts',
  'src/data-source.cts',
  'src/data-source.js',
  'data-source.js',
  'src/data-source.cjs',
  'src/data-source.mjs',
] as const;

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

export function dependsOnTypeorm(packageJsonText: string): boolean {
  let pkg: unknown;
  try {
    pkg = JSON.parse(packageJsonText);
  } catch {
    return false;
  }
  if (typeof pkg !== 'object' || pkg === null) return false;
  const record = pkg as Record<string, unknown>;
  return DEPENDENCY_FIELDS.some((f) => {
    const deps = record[f];
    return typeof deps === 'object' && deps !== null && 'typeorm' in deps;
  });
}

/** The file builds a DataSource (what CommandUtils.loadDataSource accepts as an export). */
export const constructsDataSource = (text: string): boolean => /\bnew\s+DataSource\s*\(/.test(text);

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function detect(listing: RepoListing): DetectedProject[] {
  const present = new Set(listing.files);
  const projects: DetectedProject[] = [];
  for (const file of listing.files) {
    if (posix.basename(file) !== 'package.json') continue;
    const pkg = readText(join(listing.root, file));
    if (pkg === undefined || !dependsOnTypeorm(pkg)) continue;
    const root = dirOf(file);
    const prefix = root === '.' ? '' : `${root}/`;
    const dataSource = DATA_SOURCE_PATHS.map((p) => `${prefix}${p}`).find((p) => present.has(p) && constructsDataSource(readText(join(listing.root, p)) ?? ''));
    if (dataSource) projects.push({ framework: 'typeorm', root, configFile: dataSource });
  }
  return projects.sort((a, b) => a.root.localeCompare(b.root));
}

const ENGINE_OF_TYPE: Record<string, DatabaseEngine> = {
  postgres: 'postgres',
  'better-sqlite3': 'sqlite',
  sqlite: 'sqlite',
  mysql: 'mysql',
  mariadb: 'mysql',
};

/** The `type: '…'` literals written in a data source (it is code: any of them may be the one used). */
export function typesIn(dataSourceText: string): string[] {
  const found = new Set<string>();
  for (const m of dataSourceText.matchAll(/\btype\s*:\s*['"`]([\w-]+)['"`]/g)) found.add(m[1]!);
  return [...found];
}

/** The project's data source file relative to its root, when the detected config file is one. */
function detectedDataSource(project: DetectedProject): string | undefined {
  if (project.configFile === project.root) return undefined; // declared in metamig config without a file
  const prefix = project.root === '.' ? '' : `${project.root}/`;
  return project.configFile.startsWith(prefix) ? project.configFile.slice(prefix.length) : undefined;
}

/**
 * Which data source file metamig hands to TypeORM: `options.dataSource` from the metamig config,
 * else the detected file, else the first conventional path that exists. Relative to the project root.
 */
export function resolveDataSource(project: DetectedProject & { id: string; options: Record<string, unknown> }, exists: (rel: string) => boolean): string {
  const option = project.options.dataSource;
  if (option !== undefined) {
    if (typeof option !== 'string' || !option.trim()) {
      throw new MigratorError({
        code: 'CONFIG.INVALID',
        summary: `${project.id}: options.dataSource must be the path of the data source file (a string).`,
        fix: 'Set it to the file you pass to `typeorm -d`, relative to the project folder, e.g. "src/data-source.ts".',
      });
    }
    const rel = posix.normalize(option.replace(/^\.\//, ''));
    if (!exists(rel)) {
      throw new MigratorError({
        code: 'CONFIG.INVALID',
        summary: `${project.id}: options.dataSource "${option}" does not exist in the project folder.`,
        fix: 'Give the data source file relative to the project folder (the file you pass to `typeorm -d`).',
      });
    }
    return rel;
  }
  const detected = detectedDataSource(project);
  if (detected && exists(detected)) return detected;
  const conventional = DATA_SOURCE_PATHS.find((p) => exists(p));
  if (conventional) return conventional;
  throw new MigratorError({
    code: 'CONFIG.INVALID',
    summary: `${project.id}: no TypeORM data source found.`,
    why: `The typeorm CLI needs \`-d <file>\` and has no default; metamig looked for ${DATA_SOURCE_PATHS.join(', ')}.`,
    fix: 'Name the file in the metamig config: { "path": "…", "framework": "typeorm", "options": { "dataSource": "src/db/data-source.ts" } }.',
  });
}

export function describeDatabase(project: DetectedProject, repoRoot: string): DatabaseTarget {
  const rel = detectedDataSource(project) ?? DATA_SOURCE_PATHS.find((p) => existsSync(join(repoRoot, project.root, p)));
  if (!rel) return { engine: 'unknown', source: 'tool-config', description: 'from the data source named by options.dataSource (code)' };
  const types = typesIn(readText(join(repoRoot, project.root, rel)) ?? '');
  const engines = [...new Set(types.map((t) => ENGINE_OF_TYPE[t] ?? 'unknown'))];
  const engine: DatabaseEngine = engines.length === 1 ? engines[0]! : 'unknown';
  const what = types.length === 0 ? 'type not written literally' : types.length === 1 ? `type ${types[0]}` : `type ${types.join(' or ')}, decided when it runs`;
  return { engine, source: 'tool-config', description: `from ${rel} (code; ${what})` };
}

export const detector: Detector = { framework: 'typeorm', detect, describeDatabase };
