// Finding Django projects: a folder whose manage.py sets DJANGO_SETTINGS_MODULE and that holds at
// least one app `migrations/` package. Settings are Python code, so the database is only described
// (from a static read of the settings file), never evaluated: detection runs no user code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DatabaseEngine, type DatabaseTarget, type DetectedProject, type Detector, type RepoListing, dirOf } from '@metamig/core';

/** The settings module manage.py chooses: `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.settings")`. */
export function settingsModuleFromManagePy(text: string): string | undefined {
  const setdefault = /os\.environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']/.exec(text);
  if (setdefault) return setdefault[1];
  const assigned = /os\.environ\[\s*["']DJANGO_SETTINGS_MODULE["']\s*\]\s*=\s*["']([\w.]+)["']/.exec(text);
  return assigned?.[1];
}

export const managePyConfiguresDjango = (text: string): boolean => text.includes('DJANGO_SETTINGS_MODULE');

const BACKENDS: Record<string, DatabaseEngine> = { postgresql: 'postgres', postgis: 'postgres', sqlite3: 'sqlite', spatialite: 'sqlite', mysql: 'mysql' };

/** The engine, when the settings file names exactly one Django database backend; else unknown. */
export function engineFromSettings(text: string | undefined): DatabaseEngine {
  if (text === undefined) return 'unknown';
  const engines = new Set<DatabaseEngine>();
  for (const m of text.matchAll(/django\.(?:contrib\.gis\.)?db\.backends\.(\w+)/g)) engines.add(BACKENDS[m[1]!] ?? 'unknown');
  return engines.size === 1 ? [...engines][0]! : 'unknown';
}

/** `config.settings` → candidate files, relative to the project root. */
export const settingsFiles = (module: string): string[] => {
  const path = module.split('.').join('/');
  return [`${path}.py`, `${path}/__init__.py`];
};

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const baseName = (f: string) => f.slice(f.lastIndexOf('/') + 1);
const under = (root: string, file: string) => root === '.' || file.startsWith(`${root}/`);

export const detector: Detector = {
  framework: 'django',
  detect(listing: RepoListing): DetectedProject[] {
    const roots: { root: string; configFile: string }[] = [];
    for (const file of listing.files) {
      if (baseName(file) !== 'manage.py') continue;
      const text = readText(join(listing.root, file));
      if (text !== undefined && managePyConfiguresDjango(text)) roots.push({ root: dirOf(file), configFile: file });
    }
    const packages = listing.files.filter((f) => /(^|\/)migrations\/__init__\.py$/.test(f));
    // A migrations package belongs to the deepest project folder that contains it.
    const owner = (pkg: string) =>
      roots.filter((r) => under(r.root, pkg)).sort((a, b) => b.root.length - a.root.length)[0]?.root;
    return roots
      .filter((r) => packages.some((p) => owner(p) === r.root))
      .map((r) => ({ framework: 'django' as const, root: r.root, configFile: r.configFile }))
      .sort((a, b) => a.root.localeCompare(b.root));
  },
  describeDatabase(project: DetectedProject, repoRoot: string): DatabaseTarget {
    const root = join(repoRoot, project.root);
    const module = settingsModuleFromManagePy(readText(join(root, 'manage.py')) ?? '');
    if (!module) {
      return { engine: 'unknown', source: 'tool-config', description: "DATABASES['default'] of the settings module in DJANGO_SETTINGS_MODULE (Django settings are code)" };
    }
    const text = settingsFiles(module).map((f) => readText(join(root, f))).find((t) => t !== undefined);
    return {
      engine: engineFromSettings(text),
      source: 'tool-config',
      description: `from ${module} DATABASES['default'] (Django settings are code)`,
    };
  },
};
