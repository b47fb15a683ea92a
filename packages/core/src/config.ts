// metamig.config.{json,yaml,yml,ts,mts,js,mjs}: everything optional, validated by zod, errors as
// `file:line: path: message` so the user knows exactly what to fix.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { z } from 'zod';
import { MigratorError } from './errors.js';
import { FrameworkIdSchema } from './schemas.js';

export const CONFIG_FILES = [
  'metamig.config.json',
  'metamig.config.yaml',
  'metamig.config.yml',
  'metamig.config.ts',
  'metamig.config.mts',
  'metamig.config.js',
  'metamig.config.mjs',
] as const;

export const ProjectConfigSchema = z.strictObject({
  /** Project root, relative to the config file's folder. */
  path: z.string().min(1),
  id: z.string().min(1).optional(),
  framework: FrameworkIdSchema.optional(),
  /** Database URL; `${VAR}` is replaced from the environment. */
  database: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
  /** Every change to this project asks for confirmation (even with --yes, unless --yes-protected). */
  protected: z.boolean().optional(),
  /** Leave this project out of discovery. */
  ignore: z.boolean().optional(),
  /** Adapter-specific settings, e.g. { "environment": "production" } for Knex. */
  options: z.record(z.string(), z.unknown()).optional(),
});
export type ProjectConfig = z.infer<typeof ProjectConfigSchema>;

export const ConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  discovery: z
    .strictObject({
      /** Folder names or relative paths to skip, in addition to node_modules, .git, virtualenvs … */
      ignore: z.array(z.string()).optional(),
      maxDepth: z.number().int().positive().max(64).optional(),
    })
    .optional(),
  projects: z.array(ProjectConfigSchema).optional(),
  /** Projects run at once; default = CPU count. */
  concurrency: z.number().int().positive().optional(),
  /** Per-command timeout for the native tools. */
  timeoutSeconds: z.number().positive().optional(),
  /** The safety policy (validated by the policy engine). */
  policy: z.unknown().optional(),
});
export type MetamigConfig = z.infer<typeof ConfigSchema>;

export interface LoadedConfig {
  config: MetamigConfig;
  /** Absolute path, or undefined when there is no config file (all defaults). */
  file?: string;
  dir: string;
}

export function findConfigFile(dir: string): string | undefined {
  const found = CONFIG_FILES.map((f) => join(dir, f)).filter((f) => existsSync(f));
  if (found.length > 1) {
    throw new MigratorError({
      code: 'CONFIG.INVALID',
      summary: `More than one metamig config file in ${dir}: ${found.map((f) => basename(f)).join(', ')}`,
      fix: 'Keep one of them.',
    });
  }
  return found[0];
}

export async function loadConfig(dir: string, explicitFile?: string): Promise<LoadedConfig> {
  const file = explicitFile ?? findConfigFile(dir);
  if (!file) return { config: {}, dir };
  if (!existsSync(file)) {
    throw new MigratorError({ code: 'CONFIG.UNREADABLE', summary: `Config file not found: ${file}`, fix: 'Check the --config path.' });
  }
  const name = basename(file);
  let raw: unknown;
  let doc: Document | undefined;
  let lines: LineCounter | undefined;
  if (/\.(json|ya?ml)$/.test(file)) {
    const text = readFileSync(file, 'utf8');
    lines = new LineCounter();
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      const pos = lines.linePos(e.pos[0]);
      throw new MigratorError({
        code: 'CONFIG.INVALID',
        summary: `${name}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`,
        fix: `Fix the syntax of ${file}.`,
      });
    }
    raw = doc.toJS();
  } else {
    try {
      const { createJiti } = await import('jiti');
      const jiti = createJiti(pathToFileURL(file).href, { interopDefault: true, moduleCache: false });
      raw = await jiti.import(file, { default: true });
    } catch (e) {
      throw new MigratorError({
        code: 'CONFIG.UNREADABLE',
        summary: `Could not load ${name}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
        fix: `Fix ${file}; it must export the config object as default.`,
        cause: e,
      });
    }
  }
  return { config: validateConfig(raw ?? {}, name, doc, lines), file, dir };
}

/** Validate a config object; each problem is one `file[:line]: path: message` line. */
export function validateConfig(raw: unknown, name = 'metamig config', doc?: Document, lines?: LineCounter): MetamigConfig {
  const parsed = ConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    let where = name;
    if (doc && lines) {
      const node = doc.getIn(issue.path as (string | number)[], true);
      const range = isNode(node) ? node.range : undefined;
      if (range) where += `:${lines.linePos(range[0]).line}`;
    }
    const keys = issue.code === 'unrecognized_keys' ? ` (${(issue as { keys: string[] }).keys.join(', ')})` : '';
    return `${where}: ${path || '(root)'}: ${issue.message}${keys}`;
  });
  throw new MigratorError({
    code: 'CONFIG.INVALID',
    summary: `Invalid metamig config:\n  ${problems.join('\n  ')}`,
    fix: 'Fix the fields named above. Every field is optional; see docs/configuration.md.',
  });
}

/** `${VAR}` → process.env.VAR; a missing variable is a config error, not an empty string. */
export function expandEnv(value: string, field: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const v = env[name];
    if (v === undefined) {
      throw new MigratorError({
        code: 'CONFIG.INVALID',
        summary: `${field}: environment variable ${name} is not set.`,
        fix: `Set ${name}, or change ${field} in the metamig config.`,
      });
    }
    return v;
  });
}
