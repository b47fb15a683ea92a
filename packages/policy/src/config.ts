// The `policy` section of metamig.config.*: a zod schema for what users write, then resolution into
// a ResolvedPolicy (extends chain, preset, per-rule severity and validated options, overrides,
// waivers). Every problem is a `MigratorError` CONFIG.INVALID with one `where: path: message` line
// per problem, naming the field, with a "did you mean" for mistyped rule ids.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MigratorError } from '@metamig/core';
import { z } from 'zod';
import type { RuleSetting } from './engine.js';
import { RULES } from './rules/index.js';
import { DEFAULT_POSTGRES_VERSION, parsePgVersion } from './version.js';
import { type PgVersion, type PresetName, type Rule, SEVERITIES, type SeveritySetting } from './types.js';

const SeveritySchema = z.enum(['off', ...SEVERITIES]);
const RuleEntrySchema = z.union([SeveritySchema, z.tuple([SeveritySchema]), z.tuple([SeveritySchema, z.record(z.string(), z.unknown())])], {
  error: 'expected "off", "info", "warning", "error", or [severity, { …options }]',
});
const RulesSchema = z.record(z.string(), RuleEntrySchema);
const DateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a real date');

export const WaiverSchema = z.strictObject({
  /** Migration id, name or file (repo-relative path or glob). */
  migration: z.string().min(1),
  /** Rule id or code. */
  rule: z.string().min(1),
  reason: z.string({ error: 'a waiver needs a reason: say why this is safe, for the reviewer and the rollback checklist' }).trim().min(1, 'a waiver needs a reason: say why this is safe, for the reviewer and the rollback checklist'),
  /** The waiver stops applying after this day (YYYY-MM-DD). */
  expires: DateSchema.optional(),
  /** Project id (or glob); default: any project. */
  project: z.string().min(1).optional(),
});

export const OverrideSchema = z
  .strictObject({
    files: z.array(z.string().min(1)).optional(),
    projects: z.array(z.string().min(1)).optional(),
    rules: RulesSchema,
  })
  .refine((o) => (o.files?.length ?? 0) + (o.projects?.length ?? 0) > 0, 'an override needs `files` or `projects` to say where it applies');

export const PolicyConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Policies to build on: a file (json/yaml/js/ts, relative to this config) or an npm package name. */
  extends: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  preset: z.enum(['recommended', 'strict']).optional(),
  rules: RulesSchema.optional(),
  overrides: z.array(OverrideSchema).optional(),
  /** Target PostgreSQL version: 15, "14.2" … (default 15). */
  postgresVersion: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/, 'expected a version like "15" or "14.2"')]).optional(),
  /** Plain SQL files run inside a transaction (like squawk's assume_in_transaction). Default false. */
  assumeInTransaction: z.boolean().optional(),
  waivers: z.array(WaiverSchema).optional(),
});
export type PolicyConfig = z.infer<typeof PolicyConfigSchema>;

export interface ConfigWaiver {
  migration: string;
  rule: string;
  reason: string;
  expires?: string;
  project?: string;
  /** Where it was written: `metamig.config.yaml policy.waivers[2]`. */
  source: string;
}

export interface ResolvedOverride {
  files?: string[];
  projects?: string[];
  rules: Map<string, RuleSetting>;
  source: string;
}

export interface ResolvedPolicy {
  preset: PresetName;
  /** Every known rule, with its severity (off when not enabled) and validated options. */
  rules: Map<string, RuleSetting>;
  overrides: ResolvedOverride[];
  postgresVersion: PgVersion;
  assumeInTransaction: boolean;
  waivers: ConfigWaiver[];
  /** The files of the extends chain, base first (absolute). */
  sources: string[];
  repoRoot: string;
}

export interface ResolveOptions {
  /** Folder of the config file that holds `policy` (relative `extends` paths start here). */
  configDir: string;
  /** Repository root: npm packages named in `extends` are resolved from here. */
  repoRoot: string;
  /** Config file name for messages (e.g. `metamig.config.yaml`). */
  configFile?: string;
}

export { DEFAULT_POSTGRES_VERSION, parsePgVersion, pgAtLeast } from './version.js';

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.id, r]));
const RULES_BY_CODE: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.code, r]));

/** A rule by id or code (codes are case-insensitive). */
export function findRule(idOrCode: string): Rule | undefined {
  return RULES_BY_ID.get(idOrCode) ?? RULES_BY_CODE.get(idOrCode.toUpperCase());
}


// ---- did you mean -------------------------------------------------------------------------------

function distance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

export function suggestRule(name: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const n = name.toLowerCase();
  for (const r of RULES) {
    for (const cand of [r.meta.id, r.meta.code.toLowerCase()]) {
      const dd = distance(n, cand);
      if (dd < bestD) {
        bestD = dd;
        best = r.meta.id;
      }
    }
    if (r.meta.id.includes(n) && n.length >= 4 && bestD > 1) {
      best = r.meta.id;
      bestD = 1;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(n.length / 3)) ? best : undefined;
}

function unknownRule(name: string): string {
  const s = suggestRule(name);
  return `unknown rule "${name}"${s ? ` (did you mean "${s}"?)` : ''}; docs/rules/index.md lists every rule`;
}

// ---- loading -------------------------------------------------------------------------------------

const coreRequire = () => createRequire(createRequire(import.meta.url).resolve('@metamig/core'));

/** Read a policy file: JSON, YAML (via core's yaml), JS/MJS/CJS (import) or TS (via core's jiti). */
async function loadFile(file: string): Promise<unknown> {
  const ext = extname(file).toLowerCase();
  try {
    if (ext === '.json') return JSON.parse(readFileSync(file, 'utf8'));
    if (ext === '.yaml' || ext === '.yml') {
      const yaml = (await import(pathToFileURL(coreRequire().resolve('yaml')).href)) as { parse(s: string): unknown };
      return yaml.parse(readFileSync(file, 'utf8'));
    }
    if (ext === '.ts' || ext === '.mts' || ext === '.cts') {
      const { createJiti } = (await import(pathToFileURL(coreRequire().resolve('jiti')).href)) as {
        createJiti(id: string, o: object): { import(f: string, o: object): Promise<unknown> };
      };
      return await createJiti(pathToFileURL(file).href, { interopDefault: true, moduleCache: false }).import(file, { default: true });
    }
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return mod.default ?? mod;
  } catch (e) {
    throw new MigratorError({
      code: 'CONFIG.INVALID',
      summary: `Could not read the policy file ${file}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      fix: 'Fix the file; JS/TS policy files export the policy object as default.',
      cause: e,
    });
  }
}

const FILE_EXT = /\.(json|ya?ml|[cm]?js|[cm]?ts)$/i;

/** `./base.yaml`, `/abs/p.json` → a file; `@acme/metamig-policy` → resolved from the repo root. */
function resolveExtends(spec: string, fromDir: string, repoRoot: string, where: string): string {
  if (spec.startsWith('.') || isAbsolute(spec) || (FILE_EXT.test(spec) && !spec.startsWith('@'))) {
    const file = resolve(fromDir, spec);
    if (!existsSync(file)) throw configError([`${where}: no such file: ${spec} (resolved to ${file})`]);
    return file;
  }
  try {
    return createRequire(resolve(repoRoot, 'package.json')).resolve(spec);
  } catch {
    throw configError([`${where}: cannot find the npm package "${spec}" from ${repoRoot}; install it (e.g. as a devDependency) or use a relative path like ./policy.yaml`]);
  }
}

function configError(problems: string[]): MigratorError {
  return new MigratorError({
    code: 'CONFIG.INVALID',
    summary: `Invalid metamig policy:\n  ${problems.join('\n  ')}`,
    fix: 'Fix the fields named above; see docs/policy.md (rule ids: docs/rules/index.md).',
  });
}

const fmtPath = (prefix: string, path: readonly PropertyKey[]) =>
  [prefix, ...path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('').replace(/^\./, '').replace(/\.\[/g, '[');

interface Layer {
  config: PolicyConfig;
  /** `metamig.config.yaml` / `base-policy.yaml`, for messages. */
  name: string;
  /** Field path prefix: `policy` in the main config, empty in a policy-only file. */
  prefix: string;
}

/** The chain, base first. A file may hold the policy itself, or a full config with a `policy` key. */
async function collect(raw: unknown, name: string, prefix: string, dir: string, repoRoot: string, seen: string[]): Promise<Layer[]> {
  const parsed = PolicyConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw configError(parsed.error.issues.map((i) => `${name}: ${fmtPath(prefix, i.path) || '(root)'}: ${i.message}${i.code === 'unrecognized_keys' ? ` (${(i as { keys: string[] }).keys.join(', ')})` : ''}`));
  }
  const config = parsed.data;
  const layers: Layer[] = [];
  const specs = config.extends === undefined ? [] : Array.isArray(config.extends) ? config.extends : [config.extends];
  for (const [i, spec] of specs.entries()) {
    const where = `${name}: ${fmtPath(prefix, Array.isArray(config.extends) ? ['extends', i] : ['extends'])}`;
    const file = resolveExtends(spec, dir, repoRoot, where);
    if (seen.includes(file)) {
      throw configError([`${where}: extends cycle: ${[...seen, file].map((f) => relative(repoRoot, f) || basename(f)).join(' → ')}`]);
    }
    let content = await loadFile(file);
    let childPrefix = '';
    if (content && typeof content === 'object' && 'policy' in content && !('rules' in content) && !('preset' in content)) {
      content = (content as { policy: unknown }).policy;
      childPrefix = 'policy';
    }
    layers.push(...(await collect(content, relative(repoRoot, file) || basename(file), childPrefix, dirname(file), repoRoot, [...seen, file])));
  }
  layers.push({ config, name, prefix });
  return layers;
}

function parseEntries(entries: Record<string, z.infer<typeof RuleEntrySchema>>, where: string, problems: string[]): Map<string, RuleSetting> {
  const out = new Map<string, RuleSetting>();
  for (const [name, entry] of Object.entries(entries)) {
    const rule = findRule(name);
    if (!rule) {
      problems.push(`${where}.${name}: ${unknownRule(name)}`);
      continue;
    }
    const severity: SeveritySetting = typeof entry === 'string' ? entry : entry[0];
    const rawOptions = typeof entry === 'string' ? undefined : entry[1];
    out.set(rule.meta.id, { severity, options: parseOptions(rule, rawOptions, `${where}.${name}[1]`, problems) });
  }
  return out;
}

export function parseOptions(rule: Rule, raw: unknown, where: string, problems: string[]): unknown {
  const schema = rule.meta.options;
  if (!schema) {
    if (raw !== undefined && Object.keys(raw as object).length > 0) problems.push(`${where}: rule ${rule.meta.id} takes no options`);
    return {};
  }
  const r = schema.safeParse(raw ?? {});
  if (r.success) return r.data;
  for (const i of r.error.issues) problems.push(`${fmtPath(where, i.path)}: ${i.message}${i.code === 'unrecognized_keys' ? ` (${(i as { keys: string[] }).keys.join(', ')})` : ''}`);
  return undefined;
}

/** Preset membership, derived from rule metadata. */
export function presetSettings(preset: PresetName): Map<string, RuleSetting> {
  const out = new Map<string, RuleSetting>();
  for (const r of RULES) {
    const m = r.meta;
    const on = m.preset === 'recommended' || (preset === 'strict' && m.preset === 'strict');
    const severity = !on ? 'off' : preset === 'strict' ? (m.strictSeverity ?? m.defaultSeverity) : m.defaultSeverity;
    out.set(m.id, { severity, options: parseOptions(r, undefined, m.id, []) });
  }
  return out;
}

/** Validate the raw `policy` value of the config and resolve its extends chain. */
export async function resolvePolicy(raw: unknown, opts: ResolveOptions): Promise<ResolvedPolicy> {
  const name = opts.configFile ? basename(opts.configFile) : 'metamig config';
  const layers = await collect(raw, name, 'policy', opts.configDir, opts.repoRoot, opts.configFile ? [resolve(opts.configDir, opts.configFile)] : []);
  const problems: string[] = [];
  let preset: PresetName = 'recommended';
  let postgresVersion: PgVersion = DEFAULT_POSTGRES_VERSION;
  let assumeInTransaction = false;
  for (const l of layers) {
    if (l.config.preset) preset = l.config.preset;
    if (l.config.postgresVersion !== undefined) postgresVersion = parsePgVersion(l.config.postgresVersion);
    if (l.config.assumeInTransaction !== undefined) assumeInTransaction = l.config.assumeInTransaction;
  }
  const rules = presetSettings(preset);
  const overrides: ResolvedOverride[] = [];
  const waivers: ConfigWaiver[] = [];
  for (const l of layers) {
    const at = (...p: (string | number)[]) => `${l.name}: ${fmtPath(l.prefix, p)}`;
    for (const [id, s] of parseEntries(l.config.rules ?? {}, at('rules'), problems)) rules.set(id, s);
    for (const [i, o] of (l.config.overrides ?? []).entries()) {
      overrides.push({
        ...(o.files ? { files: o.files } : {}),
        ...(o.projects ? { projects: o.projects } : {}),
        rules: parseEntries(o.rules, at('overrides', i, 'rules'), problems),
        source: at('overrides', i),
      });
    }
    for (const [i, w] of (l.config.waivers ?? []).entries()) {
      const rule = findRule(w.rule);
      if (!rule) {
        problems.push(`${at('waivers', i, 'rule')}: ${unknownRule(w.rule)}`);
        continue;
      }
      waivers.push({ ...w, rule: rule.meta.id, source: at('waivers', i) });
    }
  }
  if (problems.length) throw configError(problems);
  return { preset, rules, overrides, postgresVersion, assumeInTransaction, waivers, sources: layers.slice(0, -1).map((l) => resolve(opts.repoRoot, l.name)), repoRoot: opts.repoRoot };
}

/** The policy with no config at all: the recommended preset. */
export function defaultPolicy(repoRoot: string): ResolvedPolicy {
  return { preset: 'recommended', rules: presetSettings('recommended'), overrides: [], postgresVersion: DEFAULT_POSTGRES_VERSION, assumeInTransaction: false, waivers: [], sources: [], repoRoot };
}
