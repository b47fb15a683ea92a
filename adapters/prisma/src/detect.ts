// Finding Prisma projects (6 and 7) in a file listing: a Prisma config file, or a *.prisma schema.
// Loaded by `metamig discover`, so it stays light; describeDatabase reads the schema and config text.
import { posix } from 'node:path';
import { type DatabaseTarget, type DetectedProject, type Detector, type RepoListing, describeDatabaseUrl, parseDatabaseUrl } from '@metamig/core';
import { CONFIG_NAMES, engineOfProvider, readLayout, urlSetting } from './layout.js';

const parentOf = (dir: string) => (dir === '.' ? '.' : posix.dirname(dir) || '.');
const dirOfFile = (f: string) => {
  const d = posix.dirname(f);
  return d === '' ? '.' : d;
};
const inDir = (dir: string, name: string) => (dir === '.' ? name : `${dir}/${name}`);

/** The project root a *.prisma file belongs to. */
function rootOfSchema(file: string, anchors: Set<string>): string {
  const dir = dirOfFile(file);
  const parts = dir === '.' ? [] : dir.split('/');
  // The conventional layouts: <root>/prisma/schema.prisma, <root>/prisma/schema/*.prisma.
  const at = parts.lastIndexOf('prisma');
  if (at >= 0) return at === 0 ? '.' : parts.slice(0, at).join('/');
  // A custom location (package.json "prisma.schema", or the config's `schema`): the nearest folder
  // above it that holds a package.json or a Prisma config.
  for (let d = dir; ; d = parentOf(d)) {
    if (anchors.has(d)) return d;
    if (d === '.') break;
  }
  return dir;
}

export function detect(listing: RepoListing): DetectedProject[] {
  const configs = new Map<string, { file: string; rank: number }>(); // root → the config Prisma loads
  const anchors = new Set<string>();
  for (const file of listing.files) {
    const dir = dirOfFile(file);
    if (posix.basename(file) === 'package.json') anchors.add(dir);
    CONFIG_NAMES.forEach((name, rank) => {
      if (!file.endsWith(name)) return;
      const root = name.startsWith('.config/') ? (dir === '.config' ? '.' : dir.slice(0, -'/.config'.length)) : dir;
      if (inDir(root, name) !== file) return;
      const known = configs.get(root);
      if (!known || rank < known.rank) configs.set(root, { file, rank });
      anchors.add(root);
    });
  }
  const schemas = new Map<string, string[]>(); // root → *.prisma files
  for (const file of listing.files) {
    if (!file.endsWith('.prisma')) continue;
    const root = rootOfSchema(file, anchors);
    schemas.set(root, [...(schemas.get(root) ?? []), file]);
  }
  const roots = new Set([...configs.keys(), ...schemas.keys()]);
  const projects: DetectedProject[] = [];
  for (const root of roots) {
    const files = schemas.get(root) ?? [];
    const schema = files.find((f) => posix.basename(f) === 'schema.prisma') ?? files[0];
    const configFile = configs.get(root)?.file ?? schema!;
    projects.push({ framework: 'prisma', root, configFile });
  }
  return projects.sort((a, b) => a.root.localeCompare(b.root));
}

function literalDescription(url: string, engine: string): string {
  if (engine === 'sqlite') return `sqlite ${url.replace(/^file:/, '')}`;
  if (engine !== 'postgres') return 'a literal url';
  try {
    return describeDatabaseUrl(parseDatabaseUrl(url)); // registers the password as a secret
  } catch {
    return 'a literal url';
  }
}

export function describeDatabase(project: DetectedProject, repoRoot: string): DatabaseTarget {
  const absRoot = posix.join(repoRoot.split('\\').join('/'), project.root);
  const layout = readLayout(absRoot);
  const provider = layout.datasource?.provider ?? layout.lockProvider;
  const engine = engineOfProvider(provider);
  const setting = urlSetting(layout);
  const adapter = layout.config?.engine === 'js' || (layout.config?.hasAdapter && !layout.config.datasourceUrl) ? '; the CLI connects through the driver adapter in ' + layout.configFile : '';
  let what: string;
  if (!setting) what = 'no datasource url found';
  else if (setting.ref.kind === 'env') what = `env ${setting.ref.name} (${setting.where})`;
  else if (setting.ref.kind === 'literal') what = `${literalDescription(setting.ref.value, engine)} (${setting.where})`;
  else what = `computed in ${setting.where}`;
  return { engine: engine === 'mysql' ? 'mysql' : engine, source: 'tool-config', description: `${provider ?? 'unknown provider'}: ${what}${adapter}` };
}

export const detector: Detector = { framework: 'prisma', detect, describeDatabase };
