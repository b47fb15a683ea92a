// Where a Prisma project keeps its schema, its migrations and its database URL, for Prisma 6 and 7.
// The config file (prisma.config.ts …) is code and is never executed here: its literal settings are
// read from the text, the same way for `metamig discover` and for every operation.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';

export const CONFIG_EXTENSIONS = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'] as const;
/** Where Prisma looks for its config file, relative to the project root (in Prisma's order). */
export const CONFIG_NAMES = [...CONFIG_EXTENSIONS.map((e) => `prisma.config.${e}`), ...CONFIG_EXTENSIONS.map((e) => `.config/prisma.${e}`)];

/** How a setting gets its value: `env("X")`, a string literal, or code metamig cannot evaluate. */
export type ValueRef = { kind: 'env'; name: string } | { kind: 'literal'; value: string } | { kind: 'code'; text: string };

export interface ConfigSettings {
  schema?: string;
  migrationsPath?: string;
  datasourceUrl?: ValueRef;
  shadowDatabaseUrl?: ValueRef;
  /** Prisma 6: `engine: 'js'` runs the WASM schema engine through a driver adapter. */
  engine?: 'js' | 'classic';
  hasAdapter: boolean;
  /** The config loads a .env file itself (Prisma 7 projects usually `import 'dotenv/config'`). */
  loadsDotenv: boolean;
}

export interface Datasource {
  name: string;
  provider?: string;
  url?: ValueRef;
  directUrl?: ValueRef;
  shadowDatabaseUrl?: ValueRef;
}

/** Comments out, string contents kept (URLs contain `//`). */
function stripComments(text: string): string {
  let out = '';
  let i = 0;
  let quote: string | undefined;
  while (i < text.length) {
    const c = text[i]!;
    if (quote) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === quote) quote = undefined;
      i++;
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
      out += c;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** A JS/TS value expression: env('X'), env("X"), process.env.X, process.env['X'], 'literal'. */
export function jsValueRef(expr: string): ValueRef {
  const e = expr.trim().replace(/(!|\s+as\s+string)$/, '');
  const env =
    /^env\(\s*['"`](\w+)['"`]\s*\)$/.exec(e) ?? /^process\.env\.(\w+)$/.exec(e) ?? /^process\.env\[\s*['"`](\w+)['"`]\s*\]$/.exec(e);
  if (env) return { kind: 'env', name: env[1]! };
  const lit = /^(['"`])([^'"`$]*)\1$/.exec(e);
  if (lit) return { kind: 'literal', value: lit[2]! };
  return { kind: 'code', text: e };
}

/** The text of `key: <value>` up to the next top-level `,` or `}` (one level of nesting). */
function property(text: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|[{,\\s])${key}\\s*:\\s*`).exec(text);
  if (!m) return undefined;
  let depth = 0;
  let quote: string | undefined;
  const start = m.index + m[0].length;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) return text.slice(start, i).trim();
      depth--;
    } else if (c === ',' && depth === 0) return text.slice(start, i).trim();
  }
  return text.slice(start).trim();
}

const literalOf = (v: string | undefined) => (v ? /^(['"`])([^'"`$]*)\1$/.exec(v.trim())?.[2] : undefined);

export function parseConfigText(raw: string): ConfigSettings {
  const text = stripComments(raw);
  // `schema: schemaFile` with `const schemaFile = 'prisma/schema.prisma'` earlier in the file.
  const stringLiteral = (v: string | undefined) => {
    const id = v && /^[A-Za-z_$][\w$]*$/.test(v.trim()) ? new RegExp(`\\b(?:const|let|var)\\s+${v.trim()}\\s*=\\s*([^;\\n]+)`).exec(text)?.[1] : undefined;
    return literalOf(id ?? v);
  };
  const out: ConfigSettings = {
    hasAdapter: /\badapter\s*:/.test(text),
    loadsDotenv: /['"]dotenv(\/config)?['"]/.test(text),
  };
  const schema = stringLiteral(property(text, 'schema'));
  if (schema) out.schema = schema;
  const migrations = property(text, 'migrations');
  const migrationsPath = migrations?.startsWith('{') ? stringLiteral(property(migrations.slice(1), 'path')) : undefined;
  if (migrationsPath) out.migrationsPath = migrationsPath;
  const datasource = property(text, 'datasource');
  if (datasource?.startsWith('{')) {
    const url = property(datasource.slice(1), 'url');
    if (url) out.datasourceUrl = jsValueRef(url);
    const shadow = property(datasource.slice(1), 'shadowDatabaseUrl');
    if (shadow) out.shadowDatabaseUrl = jsValueRef(shadow);
  }
  const engine = stringLiteral(property(text, 'engine'));
  if (engine === 'js' || engine === 'classic') out.engine = engine;
  return out;
}

/** A Prisma schema value: env("X") or "literal". */
function schemaValueRef(expr: string): ValueRef {
  const e = expr.trim();
  const env = /^env\(\s*"([^"]+)"\s*\)$/.exec(e);
  if (env) return { kind: 'env', name: env[1]! };
  const lit = /^"((?:[^"\\]|\\.)*)"$/.exec(e);
  if (lit) return { kind: 'literal', value: lit[1]!.replace(/\\(.)/g, '$1') };
  return { kind: 'code', text: e };
}

/** The `datasource` block of a Prisma schema file, if it has one. */
export function parseDatasource(schemaText: string): Datasource | undefined {
  const text = schemaText.replace(/^\s*\/\/.*$/gm, '');
  const m = /(?:^|\n)\s*datasource\s+(\w+)\s*\{([^}]*)\}/.exec(text);
  if (!m) return undefined;
  const ds: Datasource = { name: m[1]! };
  for (const line of m[2]!.split('\n')) {
    const kv = /^\s*(\w+)\s*=\s*(.+?)\s*$/.exec(line.replace(/\s\/\/.*$/, ''));
    if (!kv) continue;
    const [, key, value] = kv;
    if (key === 'provider') {
      const ref = schemaValueRef(value!);
      ds.provider = ref.kind === 'literal' ? ref.value : value!;
    } else if (key === 'url') ds.url = schemaValueRef(value!);
    else if (key === 'directUrl') ds.directUrl = schemaValueRef(value!);
    else if (key === 'shadowDatabaseUrl') ds.shadowDatabaseUrl = schemaValueRef(value!);
  }
  return ds;
}

/** `provider = "postgresql"` from migration_lock.toml. */
export function lockProvider(text: string): string | undefined {
  return /^\s*provider\s*=\s*"([^"]+)"/m.exec(text)?.[1];
}

export interface Layout {
  absRoot: string;
  /** Relative to the project root (posix), when the project has one. */
  configFile?: string;
  config?: ConfigSettings;
  /** The schema file or folder, absolute. */
  schemaPath: string;
  /** The file holding the `datasource` block, absolute. */
  datasourceFile?: string;
  datasource?: Datasource;
  migrationsDir: string;
  /** Provider recorded in migration_lock.toml. */
  lockProvider?: string;
  /** `package.json` "prisma.schema" (Prisma 6). */
  packageJsonSchema?: string;
}

const readText = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

function prismaFilesIn(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== 'migrations' && e.name !== 'node_modules') walk(join(d, e.name));
      else if (e.isFile() && e.name.endsWith('.prisma')) out.push(join(d, e.name));
    }
  };
  if (isDir(dir)) walk(dir);
  return out.sort();
}

export const toPosix = (p: string) => p.split(sep).join(posix.sep);

/**
 * Prisma's own resolution, from the project root: the config file (the first of CONFIG_NAMES there),
 * its `schema` (file or folder), else package.json "prisma.schema", else ./schema.prisma, then
 * ./prisma/schema.prisma. Migrations: the config's `migrations.path`, else `migrations/` next to the
 * file with the datasource block. Config paths are relative to the config file's folder.
 */
export function readLayout(absRoot: string): Layout {
  const configFile = CONFIG_NAMES.find((n) => existsSync(join(absRoot, n)));
  const layout: Partial<Layout> & { absRoot: string } = { absRoot };
  let configDir = absRoot;
  if (configFile) {
    layout.configFile = configFile;
    layout.config = parseConfigText(readText(join(absRoot, configFile)) ?? '');
    configDir = dirname(join(absRoot, configFile));
  }
  let schemaPath: string | undefined = layout.config?.schema ? resolve(configDir, layout.config.schema) : undefined;
  if (!schemaPath) {
    const pkg = readText(join(absRoot, 'package.json'));
    try {
      const fromPkg = pkg ? (JSON.parse(pkg) as { prisma?: { schema?: unknown } }).prisma?.schema : undefined;
      if (typeof fromPkg === 'string') {
        layout.packageJsonSchema = fromPkg;
        schemaPath = resolve(absRoot, fromPkg);
      }
    } catch {
      /* not JSON: Prisma would fail on it too; the default locations still apply */
    }
  }
  schemaPath ??= [join(absRoot, 'schema.prisma'), join(absRoot, 'prisma', 'schema.prisma')].find((p) => existsSync(p)) ?? join(absRoot, 'prisma', 'schema.prisma');
  layout.schemaPath = schemaPath;

  const files = isDir(schemaPath) ? prismaFilesIn(schemaPath) : [schemaPath];
  for (const f of files) {
    const ds = parseDatasource(readText(f) ?? '');
    if (ds) {
      layout.datasource = ds;
      layout.datasourceFile = f;
      break;
    }
  }
  const datasourceDir = layout.datasourceFile ? dirname(layout.datasourceFile) : isDir(schemaPath) ? schemaPath : dirname(schemaPath);
  layout.migrationsDir = layout.config?.migrationsPath ? resolve(configDir, layout.config.migrationsPath) : join(datasourceDir, 'migrations');
  const lock = readText(join(layout.migrationsDir, 'migration_lock.toml'));
  const provider = lock ? lockProvider(lock) : undefined;
  if (provider) layout.lockProvider = provider;
  return layout as Layout;
}

/** The database URL setting migrate uses: the config's (Prisma 7), else the schema's directUrl, else url. */
export function urlSetting(layout: Layout): { ref: ValueRef; where: string; origin: 'config' | 'schema' } | undefined {
  if (layout.config?.datasourceUrl) return { ref: layout.config.datasourceUrl, where: layout.configFile!, origin: 'config' };
  const where = layout.datasourceFile ? toPosix(relative(layout.absRoot, layout.datasourceFile)) : 'schema';
  const ds = layout.datasource;
  if (ds?.directUrl) return { ref: ds.directUrl, where: `${where} (directUrl, which migrate uses)`, origin: 'schema' };
  if (ds?.url) return { ref: ds.url, where, origin: 'schema' };
  return undefined;
}

/** Every environment variable Prisma reads the migrate URL from (url and directUrl, or the config's). */
export function urlEnvNames(layout: Layout): string[] {
  const refs = [layout.config?.datasourceUrl, layout.datasource?.url, layout.datasource?.directUrl];
  const names = refs.flatMap((r) => (r?.kind === 'env' ? [r.name] : []));
  return [...new Set(names)];
}

export type ProviderEngine = 'postgres' | 'sqlite' | 'mysql' | 'unknown';
export function engineOfProvider(provider: string | undefined): ProviderEngine {
  if (provider === 'postgresql' || provider === 'postgres') return 'postgres';
  if (provider === 'sqlite') return 'sqlite';
  if (provider === 'mysql') return 'mysql';
  return 'unknown';
}
