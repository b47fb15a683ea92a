// The data source and the migration files, read without running them (the fast status path): the
// `migrations` globs, migrationsTableName and schema of the exported DataSource, and the name of each
// exported migration class — only when they are plain data the static reader can follow, else why not.
import { readFileSync } from 'node:fs';
import { dirname, extname, join, posix } from 'node:path';
import { type ClassInfo, type ModuleContext, type Value, StaticSyntaxError, alternatives, hasKey, member, readModule } from '@metamig/core/js-source';

export type Engine = 'postgres' | 'sqlite';

/** `"type"` of the nearest package.json above a file (TypeORM's getNearestPackageJson). */
export function packageTypeOf(file: string, read: (p: string) => string | undefined = readIfExists): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const text = read(join(dir, 'package.json'));
    if (text !== undefined) {
      try {
        return (JSON.parse(text) as { type?: string }).type;
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function readIfExists(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * How TypeORM loads a file (ImportUtils.importOrRequireFile): `.mjs`/`.mts` imported, `.cjs`/`.cts`
 * required, `.js`/`.ts` by the nearest package.json; TypeScript through ts-node (CommonJS unless ESM).
 */
export function moduleOf(file: string, packageType: string | undefined): Pick<ModuleContext, 'module' | 'typescript'> {
  const ext = extname(file);
  const typescript = ['.ts', '.mts', '.cts'].includes(ext);
  const esm = ext === '.mjs' || ext === '.mts' || ((ext === '.js' || ext === '.ts') && packageType === 'module');
  return { typescript, module: esm ? 'esm' : typescript ? 'ts' : 'cjs' };
}

export interface DataSourceSettings {
  /** The `migrations` entries: glob patterns / paths (TypeORM resolves them against its cwd). */
  patterns: string[];
  tableName: string;
  /** PostgreSQL schema of the migrations table, when the data source sets one that the override keeps. */
  schema: string | undefined;
}

export type Reading<T> = { ok: true; value: T } | { ok: false; why: string };

class Refusal extends Error {}
const refuse = (why: string): never => {
  throw new Refusal(why);
};

const ENGINE_OF_TYPE: Record<string, Engine | 'other'> = { postgres: 'postgres', 'better-sqlite3': 'sqlite', sqlite: 'sqlite' };

function withReading<T>(text: string, file: string, ctx: Omit<ModuleContext, 'file'>, read: (exports: Value, used: Value[]) => T, verify = true): Reading<T> {
  const name = posix.basename(file);
  try {
    const reading = readModule(text, { ...ctx, file });
    const used: Value[] = [reading.exports];
    const value = read(reading.exports, used);
    const changed = verify ? reading.verify(used) : undefined;
    return changed ? { ok: false, why: `${name} is not plain data: ${changed}` } : { ok: true, value };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, why: `${name}: ${e.message}` };
    if (e instanceof StaticSyntaxError) return { ok: false, why: `metamig could not read ${name} without running it (${e.message})` };
    throw e;
  }
}

const isDataSource = (v: Value) => v.k === 'new' && v.ctor === 'typeorm.DataSource';

/** CommandUtils.loadDataSource: the export itself, else the one export (awaited) that is a DataSource. */
function exportedDataSource(exports: Value, used: Value[]): Value[] {
  const alts = alternatives(exports);
  if (alts.every(isDataSource)) return alts;
  if (alts.length !== 1 || alts[0]!.k !== 'obj') return refuse('its exports are computed when it runs');
  const found: Value[][] = [];
  const keys = new Set<string>();
  for (const e of alts[0]!.entries) {
    if ('unknown' in e) refuse('its exports have parts computed when it runs');
    else keys.add(e.key);
  }
  for (const key of keys) {
    const v = member(alts[0]!, key);
    used.push(v);
    const options = alternatives(v);
    if (options.every(isDataSource)) found.push(options);
    else if (options.some((o) => isDataSource(o) || (o.k === 'opaque' && !o.notObject))) refuse(`its export ${key} is decided when it runs`);
  }
  if (found.length !== 1) return refuse(found.length ? 'it exports several DataSources (TypeORM refuses it)' : 'it exports no DataSource built with new DataSource({...})');
  return found[0]!;
}

function settingsOf(ds: Value, overrideEngine: Engine, used: Value[]): DataSourceSettings {
  const options = ds.k === 'new' ? ds.args[0] : undefined;
  if (!options || options.k !== 'obj') return refuse('its DataSource options are not an object literal');
  const field = (key: string): Value | undefined => {
    const present = hasKey(options, key);
    if (present === undefined) refuse(`its DataSource options have parts computed when it runs (${key} may be among them)`);
    if (!present) return undefined;
    const v = member(options, key);
    used.push(v);
    const a = alternatives(v);
    if (a.length !== 1 || a[0]!.k === 'opaque') refuse(`its ${key} option is computed when it runs`);
    return a[0]!.k === 'undef' ? undefined : a[0];
  };
  const migrations = field('migrations');
  const patterns: string[] = [];
  if (migrations && migrations.k !== 'arr') refuse('its migrations option is not a list');
  for (const item of migrations?.k === 'arr' ? migrations.items : []) {
    used.push(item);
    if (item.k === 'str') patterns.push(item.v);
    else refuse('its migrations option has an entry that is not a file pattern (a class, or a value computed when it runs)');
  }
  const table = field('migrationsTableName');
  if (table && (table.k !== 'str' || !table.v)) refuse('its migrationsTableName is not a literal name');
  const schema = field('schema');
  if (schema && schema.k !== 'str') refuse('its schema option is not a literal name');
  let kept: string | undefined;
  if (schema?.k === 'str' && schema.v) {
    // The override keeps the data source's options (schema included) only on the same engine.
    const type = field('type');
    if (type?.k !== 'str') refuse('it sets a schema but its type is computed when it runs');
    if (ENGINE_OF_TYPE[(type as { v: string }).v] === overrideEngine && overrideEngine === 'postgres') kept = schema.v;
  }
  return { patterns, tableName: table?.k === 'str' ? table.v : 'migrations', schema: kept };
}

/** The migrations settings of the data source TypeORM would load, as `overrideEngine` replaces its connection. */
export function readDataSource(text: string, file: string, ctx: Omit<ModuleContext, 'file'>, overrideEngine: Engine): Reading<DataSourceSettings> {
  return withReading(text, file, ctx, (exports, used) => {
    const all = exportedDataSource(exports, used).map((ds) => {
      used.push(ds);
      return settingsOf(ds, overrideEngine, used);
    });
    const first = all[0]!;
    if (all.some((s) => JSON.stringify(s) !== JSON.stringify(first))) refuse('its DataSource is chosen when it runs, and the choices differ in migrations, migrationsTableName or schema');
    return first;
  });
}

/** TypeORM's MigrationExecutor.getMigrations: `instance.name ?? instance.constructor.name`. */
export function migrationNameOf(cls: ClassInfo): string {
  if (cls.heritage) refuse(`class ${cls.name ?? '(anonymous)'} extends another class, which may set its name`);
  if (cls.decorated) refuse(`class ${cls.name ?? '(anonymous)'} has decorators, which may replace it`);
  if (cls.staticBlock) refuse(`class ${cls.name ?? '(anonymous)'} has a static block`);
  let name: string | undefined;
  for (const m of cls.members) {
    if (m.key === undefined) refuse(`class ${cls.name ?? '(anonymous)'} has a computed member name`);
    if (m.key !== 'name') continue;
    if (m.isStatic || m.kind !== 'field') refuse(`class ${cls.name ?? '(anonymous)'} defines name in a way this reader does not follow`);
    if (m.init === undefined || m.init.k === 'undef') name = undefined;
    else if (m.init.k === 'str') name = m.init.v;
    else refuse(`the name of class ${cls.name ?? '(anonymous)'} is computed`);
  }
  if (cls.ctor) {
    if (cls.ctor.params || cls.ctor.other) refuse(`the constructor of class ${cls.name ?? '(anonymous)'} does more than set properties`);
    const assigned = cls.ctor.assigns.get('name');
    if (assigned && assigned.k !== 'str' && assigned.k !== 'undef') refuse(`the name of class ${cls.name ?? '(anonymous)'} is computed`);
    if (assigned) name = assigned.k === 'str' ? assigned.v : undefined;
  }
  const own = name ?? cls.name;
  if (!own) return refuse('it exports an anonymous class');
  return own;
}

/** ConnectionMetadataBuilder + DirectoryExportedClassesLoader: every function among the exports is a migration class. */
function classesOf(v: Value, used: Value[], out: string[]): void {
  used.push(v);
  const alts = alternatives(v);
  if (alts.length !== 1) refuse('what it exports is decided when it runs');
  const x = alts[0]!;
  if (x.k === 'fn') {
    if (x.kind !== 'class' || !x.cls) refuse(`it exports a function that is not a class (${x.name ?? 'anonymous'})`);
    out.push(migrationNameOf(x.cls!));
  } else if (x.k === 'arr') x.items.forEach((i) => classesOf(i, used, out));
  else if (x.k === 'obj') {
    const keys = new Set<string>();
    for (const e of x.entries) {
      if ('unknown' in e) refuse('its exports have parts computed when it runs');
      else keys.add(e.key);
    }
    for (const key of keys) classesOf(member(x, key), used, out);
  } else if (x.k === 'opaque' ? !x.notObject : !['str', 'num', 'bool', 'null', 'undef'].includes(x.k)) {
    refuse(`an export is computed when it runs${x.k === 'opaque' ? ` (${x.why})` : ''}`);
  }
}

/** The migration names a file gives TypeORM, in export order. */
export function readMigrationFile(text: string, file: string, ctx: Omit<ModuleContext, 'file'>): Reading<string[]> {
  return withReading(text, file, ctx, (exports, used) => {
    const names: string[] = [];
    classesOf(exports, used, names);
    return names;
  });
}
