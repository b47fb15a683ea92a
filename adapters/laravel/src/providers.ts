// Which folders `php artisan migrate` takes migrations from: database/migrations, plus every path a
// service provider registers with loadMigrationsFrom() (packages do; `migrate:status` lists their
// files too). The fast status path cannot run the providers, so it reads them: every provider the
// application loads (config/app.php, bootstrap/providers.php, package discovery) is found through
// Composer's PSR-4 maps and read, with its parents and traits, and any that touches the migrator
// makes the fast path refuse. Files only, never executed.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { classNamesIn, importsOf, lookup, parsePhpReturn, resolveName } from './php-config.js';

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

const REGISTERS_MIGRATIONS = /loadMigrationsFrom|migrator/i;

interface ComposerPackage {
  name?: string;
  'install-path'?: string;
  autoload?: { 'psr-4'?: Record<string, string | string[]> };
  extra?: { laravel?: { providers?: unknown } };
}

/** PSR-4 prefix → absolute folders: the application's composer.json and every installed package. */
function psr4Roots(absRoot: string, installed: ComposerPackage[]): [string, string[]][] {
  const roots: [string, string[]][] = [];
  const add = (map: Record<string, string | string[]> | undefined, base: string) => {
    for (const [prefix, dirs] of Object.entries(map ?? {})) roots.push([prefix, (Array.isArray(dirs) ? dirs : [dirs]).map((d) => resolve(base, d))]);
  };
  try {
    const app = JSON.parse(read(join(absRoot, 'composer.json')) ?? '{}') as { autoload?: ComposerPackage['autoload']; 'autoload-dev'?: ComposerPackage['autoload'] };
    add(app.autoload?.['psr-4'], absRoot);
    add(app['autoload-dev']?.['psr-4'], absRoot);
  } catch {
    /* an unreadable composer.json: its classes are simply not found, and the caller refuses */
  }
  const composerDir = join(absRoot, 'vendor/composer');
  for (const p of installed) add(p.autoload?.['psr-4'], p['install-path'] ? resolve(composerDir, p['install-path']) : join(absRoot, 'vendor', p.name ?? ''));
  return roots.sort((a, b) => b[0].length - a[0].length); // the longest prefix first, as Composer does
}

function installedPackages(absRoot: string): ComposerPackage[] | undefined {
  const text = read(join(absRoot, 'vendor/composer/installed.json'));
  if (text === undefined) return [];
  try {
    const doc = JSON.parse(text) as ComposerPackage[] | { packages?: ComposerPackage[] };
    return Array.isArray(doc) ? doc : (doc.packages ?? []);
  } catch {
    return undefined;
  }
}

/** Providers Laravel's package discovery loads (vendor/composer/installed.json and its cache). */
function discoveredProviders(absRoot: string, installed: ComposerPackage[]): string[] {
  let dontDiscover: unknown[] = [];
  try {
    const app = JSON.parse(read(join(absRoot, 'composer.json')) ?? '{}') as { extra?: { laravel?: { 'dont-discover'?: unknown[] } } };
    dontDiscover = app.extra?.laravel?.['dont-discover'] ?? [];
  } catch {
    /* no composer.json: nothing is excluded */
  }
  const names: string[] = [];
  if (!dontDiscover.includes('*')) {
    for (const p of installed) {
      if (p.name && dontDiscover.includes(p.name)) continue;
      const listed = p.extra?.laravel?.providers;
      if (Array.isArray(listed)) names.push(...listed.filter((x): x is string => typeof x === 'string'));
    }
  }
  // The manifest Laravel actually reads when it exists (a stale one can list more).
  const cache = parsePhpReturn(read(join(absRoot, 'bootstrap/cache/packages.php')) ?? '');
  if (cache?.kind === 'array') {
    for (const pkg of cache.entries) {
      const providers = lookup(pkg.value, ['providers']);
      if (providers?.kind === 'array') for (const e of providers.entries) if (e.value.kind === 'string') names.push(e.value.value);
    }
  }
  return names;
}

/** Providers the application lists itself (config/app.php 'providers', Laravel 11's bootstrap/providers.php). */
function listedProviders(absRoot: string): { names: string[]; problem?: string } {
  const names: string[] = [];
  for (const rel of ['config/app.php', 'bootstrap/providers.php']) {
    const text = read(join(absRoot, rel));
    if (text === undefined) continue;
    const value = parsePhpReturn(text);
    const list = rel === 'config/app.php' ? lookup(value, ['providers']) : value;
    if (!list) continue;
    const uses = importsOf(text);
    if (list.kind === 'array') {
      for (const e of list.entries) {
        if (e.value.kind === 'string') names.push(e.value.value.replace(/^\\/, ''));
        else if (e.value.kind === 'code') names.push(...classNamesIn(e.value.text, uses));
        else return { names, problem: `${rel} lists a provider metamig cannot read` };
      }
    } else if (list.kind === 'code') {
      // Laravel 10: ServiceProvider::defaultProviders()->merge([...])->toArray() — the framework's own, plus these.
      names.push(...classNamesIn(list.text, uses).filter((n) => n !== 'Illuminate\\Support\\ServiceProvider'));
    } else {
      return { names, problem: `the providers of ${rel} are not a list metamig can read` };
    }
  }
  return { names };
}

const isFramework = (cls: string) => cls.startsWith('Illuminate\\');

/**
 * Why the application may take migrations from somewhere other than database/migrations, or
 * undefined when every provider it loads was read and none registers a migrations path.
 */
export function extraMigrationPathsProblem(absRoot: string): string | undefined {
  const installed = installedPackages(absRoot);
  if (!installed) return 'vendor/composer/installed.json could not be read, so the packages Laravel discovers (and the migrations they load) are unknown';
  for (const rel of ['bootstrap/app.php', 'routes/console.php', 'app/Console/Kernel.php']) {
    const text = read(join(absRoot, rel));
    if (text && REGISTERS_MIGRATIONS.test(text)) return `${rel} touches the migrator (loadMigrationsFrom / migrator): its migration paths are only known at run time`;
    if (rel === 'bootstrap/app.php' && text && /useDatabasePath|withProviders/.test(text)) return 'bootstrap/app.php sets the database path or its providers in code';
  }
  const listed = listedProviders(absRoot);
  if (listed.problem) return listed.problem;
  const roots = psr4Roots(absRoot, installed);
  const locate = (cls: string): string | undefined => {
    for (const [prefix, dirs] of roots) {
      if (!cls.startsWith(prefix)) continue;
      for (const d of dirs) {
        const f = join(d, `${cls.slice(prefix.length).replace(/\\/g, '/')}.php`);
        if (existsSync(f)) return f;
      }
    }
    return undefined;
  };
  const seen = new Set<string>();
  const queue = [...listed.names, ...discoveredProviders(absRoot, installed)];
  while (queue.length) {
    const cls = queue.shift()!;
    if (seen.has(cls) || isFramework(cls)) continue;
    seen.add(cls);
    const file = locate(cls);
    if (!file) return `the provider ${cls} could not be found through Composer's PSR-4 maps, so metamig cannot check whether it loads migrations`;
    const text = read(file) ?? '';
    const where = relative(absRoot, file);
    if (REGISTERS_MIGRATIONS.test(text)) return `${cls} (${where}) registers migrations (loadMigrationsFrom / the migrator): they are only known at run time`;
    const decl = /\b(?:abstract\s+|final\s+)*(?:class|trait)\s+\w+(?:\s+extends\s+(\\?[\w\\]+))?[^{]*\{/.exec(text);
    if (!decl) return `${cls} (${where}) does not declare a class metamig can read`;
    const header = text.slice(0, decl.index);
    const body = text.slice(decl.index + decl[0].length);
    const namespace = /^\s*namespace\s+([\w\\]+)\s*;/m.exec(header)?.[1];
    const uses = importsOf(header);
    const more: string[] = [];
    if (decl[1]) more.push(resolveName(decl[1], uses, namespace));
    for (const m of body.matchAll(/^\s*use\s+([\\\w\s,]+?)\s*[;{]/gm)) more.push(...m[1]!.split(',').map((t) => resolveName(t.trim(), uses, namespace)));
    // Providers it registers itself ($this->app->register(Other::class)).
    more.push(...classNamesIn(body, uses).filter((n) => /ServiceProvider$/.test(n)).map((n) => (n.includes('\\') ? n : resolveName(n, uses, namespace))));
    queue.push(...more);
  }
  return undefined;
}
