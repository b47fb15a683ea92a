// Finding Alembic projects: a folder whose alembic.ini configures a script_location, or whose
// pyproject.toml has a [tool.alembic] table (Alembic ≥ 1.16). The database description comes from
// the ini's sqlalchemy.url, which env.py is free to override.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DatabaseTarget, type DetectedProject, type Detector, type RepoListing, dirOf, engineOf, redact, registerUrl } from '@metamig/core';

export type IniSections = Map<string, Map<string, string>>;

/** configparser-like reading: `[section]`, `key = value` / `key: value`, indented continuation lines. */
export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(raw)) continue;
    const header = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      current = sections.get(header[1]!) ?? new Map<string, string>();
      sections.set(header[1]!, current);
      lastKey = undefined;
      continue;
    }
    if (/^\s/.test(raw) && current && lastKey) {
      current.set(lastKey, `${current.get(lastKey)}\n${raw.trim()}`);
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && current) {
      lastKey = kv[1]!.trim().toLowerCase();
      current.set(lastKey, kv[2]!.trim());
    }
  }
  return sections;
}

/** An alembic.ini configures a project when a section sets script_location (normally `[alembic]`). */
export function iniConfiguresAlembic(text: string): boolean {
  for (const [, keys] of parseIni(text)) if (keys.has('script_location')) return true;
  return false;
}

export const pyprojectConfiguresAlembic = (text: string): boolean => /^\s*\[tool\.alembic\]\s*(#.*)?$/m.test(text);

/** `%(here)s` is the ini's folder; `%%` is a literal percent (configparser interpolation). */
export function expandIniValue(value: string, iniDir: string): string {
  return value.replace(/%\(here\)s/g, iniDir).replace(/%%/g, '%');
}

const PLACEHOLDER_URL = 'driver://user:pass@localhost/dbname'; // what `alembic init` writes

/** The database a project uses when no override is given, as far as alembic.ini can tell. */
export function databaseFromIni(text: string | undefined, iniPath: string, section = 'alembic'): DatabaseTarget {
  const raw = text === undefined ? undefined : parseIni(text).get(section)?.get('sqlalchemy.url');
  if (!raw || raw === PLACEHOLDER_URL) {
    return {
      engine: 'unknown',
      source: 'tool-config',
      description: `set by env.py (${text === undefined ? 'no alembic.ini' : `no sqlalchemy.url in [${section}] of alembic.ini`})`,
    };
  }
  const url = registerUrl(expandIniValue(raw, dirname(iniPath)))!;
  const shown = redact(url);
  return {
    engine: engineOf(url),
    url: shown,
    source: 'tool-config',
    description: `${shown} (sqlalchemy.url in alembic.ini; env.py may override it)`,
  };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const baseName = (f: string) => f.slice(f.lastIndexOf('/') + 1);

export const detector: Detector = {
  framework: 'alembic',
  detect(listing: RepoListing): DetectedProject[] {
    const found = new Map<string, DetectedProject>();
    // The marker files are tiny; reading them tells an Alembic project from any Python project.
    for (const file of listing.files) {
      if (baseName(file) !== 'alembic.ini') continue;
      const text = readText(join(listing.root, file));
      if (text !== undefined && iniConfiguresAlembic(text)) {
        found.set(dirOf(file), { framework: 'alembic', root: dirOf(file), configFile: file });
      }
    }
    for (const file of listing.files) {
      if (baseName(file) !== 'pyproject.toml' || found.has(dirOf(file))) continue;
      const text = readText(join(listing.root, file));
      if (text !== undefined && pyprojectConfiguresAlembic(text)) {
        found.set(dirOf(file), { framework: 'alembic', root: dirOf(file), configFile: file });
      }
    }
    return [...found.values()].sort((a, b) => a.root.localeCompare(b.root));
  },
  describeDatabase(project: DetectedProject, repoRoot: string): DatabaseTarget {
    const ini = join(repoRoot, project.root, 'alembic.ini');
    return databaseFromIni(readText(ini), ini);
  },
};
