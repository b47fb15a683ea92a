// What Django would load, read from the files without running them: the settings module manage.py
// picks, INSTALLED_APPS and the app configs they name, and each migration's dependencies/replaces/
// run_before. Everything that is not plain literal data makes the fast path refuse (NotExact). Pure.
import { type PyStatement, type PyTok, type PyValue, pyAssignment, pyHasStarImport, pyLiteral, pyMayBind, pyStatements } from '@metamig/core/python-source';

/** The fast path cannot be exact for this project; `message` says why (shown to the user). */
export class NotExact extends Error {}

const isName = (tok: PyTok | undefined, v?: string) => tok?.t === 'name' && (v === undefined || tok.v === v);
const isOp = (tok: PyTok | undefined, v: string) => tok?.t === 'op' && tok.v === v;

/** Every statement with a bare use of `name` (not an attribute `.name`, not a keyword argument). */
function mentions(statements: readonly PyStatement[], name: string): PyStatement[] {
  return statements.filter((st) => {
    let depth = 0;
    return st.toks.some((t, k) => {
      if (t.t === 'op' && '([{'.includes(t.v)) depth++;
      else if (t.t === 'op' && ')]}'.includes(t.v)) depth--;
      return isName(t, name) && !isOp(st.toks[k - 1], '.') && !(depth > 0 && isOp(st.toks[k + 1], '='));
    });
  });
}

/** The literal a module-level name is set to once, or undefined when the file never mentions it. */
function moduleConstant(statements: readonly PyStatement[], name: string, file: string): PyValue | undefined {
  const uses = mentions(statements, name);
  if (!uses.length) return undefined;
  const assignment = uses.length === 1 && uses[0]!.indent === 0 ? pyAssignment(uses[0]!) : undefined;
  if (!assignment || assignment.target !== name) throw new NotExact(`${file} computes ${name} in code (line ${uses[0]!.line}), not as one literal assignment`);
  try {
    return pyLiteral(assignment.value);
  } catch {
    throw new NotExact(`${file} sets ${name} to an expression (line ${uses[0]!.line}), not a literal`);
  }
}

// ---- manage.py and settings --------------------------------------------------------------------

/**
 * The settings module Django will use. The helper forces `forced` (options.settings) before
 * manage.py runs; manage.py's `os.environ.setdefault` keeps an inherited value, a plain assignment wins.
 */
export function settingsModule(managePy: string, env: { forced?: string | undefined; inherited?: string | undefined }): string {
  for (const risky of ['sys.path', 'dotenv', 'read_env', 'settings.configure']) {
    if (managePy.includes(risky)) throw new NotExact(`manage.py uses ${risky}: what it imports is decided at run time`);
  }
  const assigned = /os\.environ\[\s*["']DJANGO_SETTINGS_MODULE["']\s*\]\s*=\s*["']([\w.]+)["']/.exec(managePy)?.[1];
  if (assigned) return assigned;
  const fallback = /os\.environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']\s*\)/.exec(managePy)?.[1];
  const chosen = env.forced ?? env.inherited ?? fallback;
  if (!chosen) throw new NotExact('manage.py does not set DJANGO_SETTINGS_MODULE to a literal module name');
  return chosen;
}

export interface StaticSettings {
  installedApps: string[];
  useTz: boolean;
  authUserModel: string;
}

const strings = (v: PyValue | undefined): string[] | undefined => {
  const items = v !== null && typeof v === 'object' && ('list' in v || 'tuple' in v) ? ('list' in v ? v.list : v.tuple) : undefined;
  return items?.every((x) => typeof x === 'string') ? (items as string[]) : undefined;
};

export function readSettings(text: string, file: string): StaticSettings {
  const statements = pyStatements(text);
  if (pyHasStarImport(statements)) throw new NotExact(`${file} uses \`from … import *\`: its settings may come from another module`);
  for (const dynamic of ['globals', 'setattr', 'exec', 'vars']) {
    if (mentions(statements, dynamic).length) throw new NotExact(`${file} calls ${dynamic}(): settings may be set in code`);
  }
  if (mentions(statements, 'MIGRATION_MODULES').length) throw new NotExact(`${file} sets MIGRATION_MODULES: migrations may live outside the apps`);
  const apps = strings(moduleConstant(statements, 'INSTALLED_APPS', file));
  if (!apps) throw new NotExact(`${file} has no INSTALLED_APPS list of strings`);
  const useTz = moduleConstant(statements, 'USE_TZ', file);
  if (typeof useTz !== 'boolean') throw new NotExact(`${file} does not set USE_TZ to True or False (the timestamps' form depends on it; its default depends on the Django version)`);
  const user = moduleConstant(statements, 'AUTH_USER_MODEL', file) ?? 'auth.User';
  if (typeof user !== 'string') throw new NotExact(`${file} sets AUTH_USER_MODEL to something other than a string`);
  return { installedApps: apps, useTz, authUserModel: user };
}

// ---- app configs -------------------------------------------------------------------------------------

export interface AppConfigClass {
  name?: string;
  label?: string;
  default?: boolean;
  /** Is it (transitively, within the file) a subclass of django.apps.AppConfig? */
  isAppConfig: boolean;
}

/** Top-level classes of an apps.py and the literal attributes Django reads (name, label, default). */
export function readAppConfigs(text: string, file: string): Map<string, AppConfigClass> {
  const statements = pyStatements(text);
  if (pyHasStarImport(statements)) throw new NotExact(`${file} uses \`from … import *\``);
  const imported = new Set<string>();
  for (const st of statements) {
    if (!isName(st.toks[0], 'from') && !isName(st.toks[0], 'import')) continue;
    const from = st.toks.findIndex((t) => isName(t, 'import'));
    for (const t of st.toks.slice(from + 1)) if (t.t === 'name' && t.v !== 'as') imported.add(t.v);
  }
  for (const n of imported) {
    // inspect.getmembers() also sees imported classes: an imported AppConfig subclass is a candidate.
    if (n !== 'AppConfig' && n.endsWith('Config')) throw new NotExact(`${file} imports ${n}, which may be an AppConfig Django would pick`);
  }
  const classes = new Map<string, AppConfigClass>();
  statements.forEach((st, i) => {
    if (st.indent !== 0 || !isName(st.toks[0], 'class') || !isName(st.toks[1])) return;
    const className = (st.toks[1] as { v: string }).v;
    const open = isOp(st.toks[2], '(') ? 3 : -1;
    const bases: string[] = [];
    if (open > 0) {
      let cur = '';
      for (let k = open; k < st.toks.length && !isOp(st.toks[k], ')'); k++) {
        const t = st.toks[k]!;
        if (isOp(t, ',')) {
          bases.push(cur);
          cur = '';
        } else cur += t.v ?? '';
      }
      if (cur) bases.push(cur);
    }
    const inherited = bases.map((b) => classes.get(b));
    const isAppConfig =
      bases.some((b) => b === 'AppConfig' || b === 'apps.AppConfig' || b === 'django.apps.AppConfig') || inherited.some((c) => c?.isAppConfig);
    if (bases.some((b, k) => !inherited[k] && !['AppConfig', 'apps.AppConfig', 'django.apps.AppConfig', 'object'].includes(b))) {
      if (isAppConfig || bases.some((b) => b.endsWith('Config'))) throw new NotExact(`${file}: class ${className} derives from ${bases.join(', ')}, which metamig cannot read`);
    }
    const body: PyStatement[] = [];
    for (let j = i + 1; j < statements.length && statements[j]!.indent > 0; j++) body.push(statements[j]!);
    const own: AppConfigClass = { isAppConfig };
    // Attributes are inherited from base classes defined in the same file (first base wins, as MRO here).
    for (const base of [...inherited].reverse()) if (base) Object.assign(own, { ...base, isAppConfig });
    const bodyIndent = body[0]?.indent;
    for (const attr of ['name', 'label', 'default'] as const) {
      const binds = body.filter((b) => pyMayBind(b, attr));
      if (!binds.length) continue;
      const a = binds.length === 1 && binds[0]!.indent === bodyIndent ? pyAssignment(binds[0]!) : undefined;
      let value: PyValue | undefined;
      try {
        value = a ? pyLiteral(a.value) : undefined;
      } catch {
        value = undefined;
      }
      const ok = attr === 'default' ? typeof value === 'boolean' : typeof value === 'string';
      if (!ok) throw new NotExact(`${file}: ${className}.${attr} is not a literal`);
      (own as unknown as Record<string, unknown>)[attr] = value;
    }
    classes.set(className, own);
  });
  return classes;
}

/**
 * Which AppConfig Django's AppConfig.create() picks from an app's apps.py: the only candidate
 * (excluding `default = False`), else the only one with `default = True`, else the plain AppConfig.
 */
export function defaultAppConfig(classes: Map<string, AppConfigClass>, file: string): AppConfigClass | undefined {
  const candidates = [...classes.values()].filter((c) => c.isAppConfig && c.default !== false);
  if (candidates.length === 1) return candidates[0];
  const defaults = candidates.filter((c) => c.default === true);
  if (defaults.length > 1) throw new NotExact(`${file} declares several default AppConfigs (Django refuses to start)`);
  return defaults[0];
}

// ---- migration files -----------------------------------------------------------------------------------

export type DependencyRef = { app: string; name: string } | { swappable: string };

export interface MigrationSource {
  dependencies: DependencyRef[];
  replaces: { app: string; name: string }[];
  runBefore: { app: string; name: string }[];
  /** undefined: `atomic` is computed in code (the state does not depend on it). */
  atomic: boolean | undefined;
}

const MIGRATION_BASES = new Set(['migrations.Migration', 'django.db.migrations.Migration']);

function keyList(v: PyValue, what: string, file: string): { app: string; name: string }[] {
  const items = v !== null && typeof v === 'object' && ('list' in v || 'tuple' in v) ? ('list' in v ? v.list : v.tuple) : undefined;
  if (!items) throw new NotExact(`${file}: ${what} is not a list`);
  return items.map((x) => {
    const pair = x !== null && typeof x === 'object' && 'tuple' in x ? x.tuple : undefined;
    if (pair?.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') throw new NotExact(`${file}: an entry of ${what} is not an ("app", "name") tuple`);
    return { app: pair[0], name: pair[1] };
  });
}

function dependencyList(v: PyValue, file: string): DependencyRef[] {
  const items = v !== null && typeof v === 'object' && ('list' in v || 'tuple' in v) ? ('list' in v ? v.list : v.tuple) : undefined;
  if (!items) throw new NotExact(`${file}: dependencies is not a list`);
  return items.flatMap((x): DependencyRef[] => {
    if (x !== null && typeof x === 'object' && 'call' in x && /^(migrations\.)?swappable_dependency$/.test(x.call) && x.args.length === 1) {
      const arg = x.args[0]!;
      if (typeof arg === 'string') return [{ swappable: arg }];
      if (arg !== null && typeof arg === 'object' && 'name' in arg && arg.name === 'settings.AUTH_USER_MODEL') return [{ swappable: 'settings.AUTH_USER_MODEL' }];
      throw new NotExact(`${file}: swappable_dependency() of something other than settings.AUTH_USER_MODEL`);
    }
    return keyList({ list: [x] }, 'dependencies', file);
  });
}

/** The Migration class of a migration file, read statically. */
export function readMigration(text: string, file: string): MigrationSource {
  const statements = pyStatements(text);
  if (pyHasStarImport(statements)) throw new NotExact(`${file} uses \`from … import *\``);
  const uses = mentions(statements, 'Migration');
  const header = uses[0];
  if (uses.length !== 1 || !header || header.indent !== 0 || !isName(header.toks[0], 'class')) {
    throw new NotExact(`${file}: the Migration class is defined or changed in code metamig cannot read (line ${header?.line ?? 1})`);
  }
  const idx = statements.indexOf(header);
  if (idx > 0 && isOp(statements[idx - 1]!.toks[0], '@')) throw new NotExact(`${file}: the Migration class is decorated`);
  const base = header.toks.slice(3, header.toks.findIndex((t) => isOp(t, ')'))).map((t) => t.v).join('');
  if (!isOp(header.toks[2], '(') || !MIGRATION_BASES.has(base)) throw new NotExact(`${file}: Migration derives from ${base || 'nothing'}, not migrations.Migration`);
  const body: PyStatement[] = [];
  for (let j = idx + 1; j < statements.length && statements[j]!.indent > 0; j++) body.push(statements[j]!);
  if (body.some((st) => isName(st.toks[0], 'def') || isName(st.toks[0], 'async'))) throw new NotExact(`${file}: the Migration class defines methods`);
  const bodyIndent = body[0]?.indent;
  const attribute = (attr: string): PyValue | undefined => {
    const binds = body.filter((st) => pyMayBind(st, attr));
    if (!binds.length) return undefined;
    const a = binds.length === 1 && binds[0]!.indent === bodyIndent ? pyAssignment(binds[0]!) : undefined;
    try {
      if (a) return pyLiteral(a.value);
    } catch {
      /* fall through */
    }
    throw new NotExact(`${file}: Migration.${attr} is not a literal (line ${binds[0]!.line})`);
  };
  const deps = attribute('dependencies');
  const replaces = attribute('replaces');
  const runBefore = attribute('run_before');
  let atomic: boolean | undefined = true;
  try {
    const a = attribute('atomic');
    atomic = a === undefined ? true : typeof a === 'boolean' ? a : undefined;
  } catch {
    atomic = undefined;
  }
  return {
    dependencies: deps === undefined ? [] : dependencyList(deps, file),
    replaces: replaces === undefined ? [] : keyList(replaces, 'replaces', file),
    runBefore: runBefore === undefined ? [] : keyList(runBefore, 'run_before', file),
    atomic,
  };
}
