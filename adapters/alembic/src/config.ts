// Alembic's configuration as its Config/ScriptDirectory read it (Alembic 1.20): alembic.ini through
// configparser rules (DEFAULT section, %(name)s interpolation, %(here)s), pyproject.toml's
// [tool.alembic], version_locations with path_separator, and whether env.py leaves the database
// to alembic.ini. Whatever would be decided in code refuses (NotExact). Pure.
import { isAbsolute, resolve } from 'node:path';
import { parseIni } from './detect.js';
import { NotExact } from './revisions.js';

type Lookup = (key: string) => string | undefined;

/** configparser's BasicInterpolation: `%%` and `%(name)s` (recursively, at most 10 deep). */
export function interpolate(value: string, lookup: Lookup, depth = 1): string {
  if (depth > 10) throw new NotExact(`alembic.ini: interpolation of "${value}" is too deep (configparser refuses it)`);
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    if (value[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    const m = /^%\(([^)]*)\)s/.exec(value.slice(i));
    if (!m) throw new NotExact(`alembic.ini: "${value}" has a bare % (configparser refuses it)`);
    const ref = lookup(m[1]!.toLowerCase());
    if (ref === undefined) throw new NotExact(`alembic.ini: "${value}" refers to %(${m[1]})s, which is not set`);
    out += interpolate(ref, lookup, depth + 1);
    i += m[0].length - 1;
  }
  return out;
}

// ---- pyproject.toml [tool.alembic] -----------------------------------------------------------------

export type TomlValue = string | boolean | number | string[] | { unsupported: string };

function tomlString(text: string, i: number): { value: string; end: number } | undefined {
  const q = text[i];
  if (q !== '"' && q !== "'") return undefined;
  if (text.startsWith(q.repeat(3), i)) return undefined; // multi-line strings: not read here
  let out = '';
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j]!;
    if (c === q) return { value: out, end: j + 1 };
    if (c === '\n') return undefined;
    if (c === '\\' && q === '"') {
      const n = text[++j];
      const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
      if (n !== undefined && n in simple) out += simple[n];
      else if (n === 'u' || n === 'U') {
        const len = n === 'u' ? 4 : 8;
        const hex = text.slice(j + 1, j + 1 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) return undefined;
        out += String.fromCodePoint(parseInt(hex, 16));
        j += len;
      } else return undefined;
    } else out += c;
  }
  return undefined;
}

/** The simple values of the `[tool.alembic]` table; anything richer is kept as unsupported. */
export function tomlAlembicTable(text: string): Map<string, TomlValue> | undefined {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let inTable = false;
  let found = false;
  const out = new Map<string, TomlValue>();
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const header = /^\s*\[\s*(\[?)\s*([^\]]+?)\s*\]/.exec(line);
    if (header) {
      inTable = !header[1] && header[2]!.replace(/\s+/g, '') === 'tool.alembic';
      found ||= inTable;
      continue;
    }
    if (!inTable) continue;
    const kv = /^\s*([A-Za-z0-9_-]+|"[^"]*")\s*=\s*/.exec(line);
    if (!kv) continue;
    const key = kv[1]!.replace(/^"|"$/g, '');
    const rest = line.slice(kv[0].length);
    const str = tomlString(rest, 0);
    if (str) {
      out.set(key, /^\s*(#.*)?$/.test(rest.slice(str.end)) ? str.value : { unsupported: rest });
    } else if (/^(true|false)\s*(#.*)?$/.test(rest)) out.set(key, rest.startsWith('true'));
    else if (/^-?\d+\s*(#.*)?$/.test(rest)) out.set(key, Number.parseInt(rest, 10));
    else if (rest.startsWith('[')) {
      // An array of strings, possibly over several lines.
      let body = rest.slice(1);
      const items: string[] = [];
      let ok = true;
      for (;;) {
        body = body.replace(/^[\s,]+/, '');
        if (body.startsWith('#') || body === '') {
          if (++n >= lines.length) {
            ok = false;
            break;
          }
          body = lines[n]!;
          continue;
        }
        if (body.startsWith(']')) break;
        const item = tomlString(body, 0);
        if (!item) {
          ok = false;
          break;
        }
        items.push(item.value);
        body = body.slice(item.end);
      }
      out.set(key, ok ? items : { unsupported: rest });
    } else out.set(key, { unsupported: rest });
  }
  return found ? out : undefined;
}

// ---- Config / ScriptDirectory ------------------------------------------------------------------------

export interface AlembicConfig {
  scriptDir: string;
  /** Where revision files are listed, in order, before Alembic drops the ones that do not exist. */
  versionLocations: string[];
  recursive: boolean;
  /** [<section>] sqlalchemy.url, interpolated; undefined when not set. */
  sqlalchemyUrl?: string;
}

const SEPARATORS: Record<string, string> = { space: ' ', newline: '\n', os: ':', ':': ':', ';': ';' };

/** `util.coerce_resource_to_filename`: `package:resource` forms need Python's importlib. */
function location(path: string, root: string, what: string): string {
  if (!isAbsolute(path) && path.includes(':')) throw new NotExact(`${what} "${path}" is a package resource, which only Python can resolve`);
  return resolve(root, path);
}

export function readAlembicConfig(ini: string | undefined, toml: string | undefined, section: string, root: string): AlembicConfig {
  const sections = ini === undefined ? new Map<string, Map<string, string>>() : parseIni(ini);
  const own = sections.get(section);
  const defaults = new Map([['here', root], ...(sections.get('DEFAULT') ?? [])]);
  const raw = (key: string) => (own ? (own.get(key) ?? defaults.get(key)) : undefined);
  const iniGet = (key: string) => {
    const v = raw(key);
    return v === undefined ? undefined : interpolate(v, (k) => raw(k) ?? defaults.get(k));
  };
  const table = toml === undefined ? undefined : tomlAlembicTable(toml);
  const tomlGet = (key: string): TomlValue | undefined => {
    const v = table?.get(key);
    if (v !== undefined && typeof v === 'object' && !Array.isArray(v)) throw new NotExact(`pyproject.toml: [tool.alembic] ${key} = ${v.unsupported} is not a plain value metamig reads`);
    const pct = (s: string) => interpolate(s, (k) => (k === 'here' ? root : undefined));
    return typeof v === 'string' ? pct(v) : Array.isArray(v) ? v.map(pct) : v;
  };
  const option = (key: string): TomlValue | undefined => iniGet(key) ?? tomlGet(key);
  const flag = (key: string): boolean => {
    if (raw(key) !== undefined) return iniGet(key) === 'true';
    const v = tomlGet(key) ?? false;
    if (typeof v !== 'boolean') throw new NotExact(`pyproject.toml: ${key} must be true or false (Alembic refuses it)`);
    return v;
  };

  const scriptLocation = option('script_location');
  if (typeof scriptLocation !== 'string') throw new NotExact('no script_location is configured (Alembic refuses to start)');
  if (flag('sourceless')) throw new NotExact('sourceless = true: revisions may be compiled .pyc files metamig cannot read');
  const scriptDir = location(scriptLocation, root, 'script_location');

  let locations: string[] | undefined;
  const iniLocations = raw('version_locations') === undefined ? undefined : iniGet('version_locations');
  if (iniLocations) {
    const sepName = iniGet('path_separator') ?? iniGet('version_path_separator');
    if (sepName === undefined) locations = iniLocations.split(/, *| +/); // Alembic's legacy split
    else {
      const sep = SEPARATORS[sepName];
      if (sep === undefined) throw new NotExact(`alembic.ini: path_separator "${sepName}" is not one Alembic accepts`);
      locations = iniLocations.split(sep).filter(Boolean).map((x) => x.trim());
    }
  } else {
    const fromToml = tomlGet('version_locations');
    if (fromToml !== undefined && !Array.isArray(fromToml)) throw new NotExact('pyproject.toml: version_locations is not a list of strings');
    locations = fromToml;
  }
  const versionLocations = locations?.length ? locations.map((l) => location(l, root, 'version_locations')) : [resolve(scriptDir, 'versions')];
  const url = raw('sqlalchemy.url') === undefined ? undefined : iniGet('sqlalchemy.url');
  return { scriptDir, versionLocations, recursive: flag('recursive_version_locations'), ...(url ? { sqlalchemyUrl: url } : {}) };
}

// ---- env.py and the database ---------------------------------------------------------------------------

/** Things in env.py that change which alembic_version table is read: never guessed. */
export function envPyVersionTableRisk(envPy: string): string | undefined {
  for (const [needle, why] of [
    ['version_table', 'env.py configures the version table (version_table / version_table_schema) in code'],
    ['search_path', 'env.py changes the search_path, so which alembic_version is read is decided at run time'],
    ['schema_translate_map', 'env.py translates schemas, so which alembic_version is read is decided at run time'],
    ['engine_name', 'env.py migrates several databases (multidb): metamig reads one history table'],
  ] as const) {
    if (envPy.includes(needle)) return why;
  }
  return undefined;
}

/** Why env.py's database cannot be known from alembic.ini alone; undefined when it can. */
export function envPyUrlRisk(envPy: string): string | undefined {
  if (/\b(environ|getenv|dotenv)\b/.test(envPy)) return 'env.py reads the environment (os.environ / getenv), so the database may be chosen at run time';
  if (/\b(set_main_option|set_section_option)\b/.test(envPy)) return 'env.py changes sqlalchemy.url in code';
  if (/\b(create_engine|create_async_engine)\b|\battributes\b/.test(envPy)) return 'env.py builds its own engine or connection in code';
  // The online path (the one status runs) must build its engine from the ini section.
  if (!/\b(async_)?engine_from_config\s*\(/.test(envPy)) return 'env.py does not build its engine from sqlalchemy.url in alembic.ini (engine_from_config)';
  return undefined;
}

/** A SQLAlchemy URL (alembic.ini) → a URL metamig's history reader understands (absolute SQLite paths). */
export function readerUrlFromSqlAlchemy(url: string, root: string): string {
  const sqlite = /^sqlite(\+\w+)?:\/\/(.*)$/.exec(url);
  if (sqlite) {
    const rest = sqlite[2]!;
    if (rest.includes('?')) throw new NotExact('the SQLite URL in alembic.ini has query options metamig does not reproduce');
    const path = rest.startsWith('/') ? rest.slice(1) : '';
    if (!path || path === ':memory:') throw new NotExact('alembic.ini points at an in-memory SQLite database');
    return `sqlite://${resolve(root, decodeURIComponent(path)).replace(/%/g, '%25').replace(/\?/g, '%3F')}`;
  }
  const pg = /^postgres(?:ql)?(\+\w+)?:\/\/([^/?#]*)/.exec(url);
  if (pg) {
    const host = pg[2]!.slice(pg[2]!.lastIndexOf('@') + 1);
    if (!host || host.startsWith(':')) throw new NotExact('the PostgreSQL URL in alembic.ini has no host (a local socket libpq chooses)');
    return url;
  }
  throw new NotExact(`alembic.ini's sqlalchemy.url is not a PostgreSQL or SQLite URL metamig reads directly`);
}
