// Commander wiring: flags → a Session → a command → an exit code. Nothing here calls process.exit.
import { Command, CommanderError, Option } from 'commander';
import { type Direction, type ErrorJson, MigratorError, type Target, toMigratorError } from '@metamig/core';
import { renderError } from './render/error.js';
import { type GlobalOptions, type Session, type SessionNeeds, openSession } from './session.js';

import { VERSION } from './version.js';
export { VERSION };

function positiveInt(flag: string) {
  return (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new MigratorError({ code: 'USAGE.INVALID', summary: `${flag} expects a positive whole number, got "${v}".` });
    return Number(v);
  };
}

function targetFrom(opts: { to?: string; steps?: number }, direction: Direction, required: boolean): Target {
  if (opts.to !== undefined && opts.steps !== undefined) {
    throw new MigratorError({ code: 'USAGE.INVALID', summary: '--to and --steps cannot be used together.', fix: 'Pick one.' });
  }
  if (opts.to !== undefined) return { kind: 'to', id: opts.to };
  if (opts.steps !== undefined) return { kind: 'steps', n: opts.steps };
  if (required) {
    throw new MigratorError({
      code: 'USAGE.INVALID',
      summary: `metamig ${direction} needs --to ID or --steps N.`,
      fix: `Example: metamig ${direction} --steps 1`,
    });
  }
  return { kind: 'latest' };
}

export interface Io {
  signal: AbortSignal;
  /** Where top-level errors are written (stderr), or the JSON error document (stdout). */
  writeErr: (s: string) => void;
  writeOut: (s: string) => void;
}

export async function main(argv: string[], io: Io): Promise<number> {
  let exitCode = 0;
  let session: Session | undefined;
  let json = argv.includes('--json');

  const program = new Command('metamig')
    .description('One way to see, run, check and roll back database migrations in a polyglot repository.')
    .version(VERSION, '-V, --version')
    .option('--root <dir>', 'repository root (default: nearest folder with a metamig config, else the git top level)')
    .option('--config <file>', 'metamig config file (default: metamig.config.{json,yaml,yml,ts,js} in the root)')
    .option('--database-url <url>', 'point the selected projects at this database (translated to each tool\'s form)')
    .option('--sandbox', 'run against a throwaway PostgreSQL started for this command (a fresh database per project)')
    .option('--json', 'print one JSON document: { "projects": [ … ] }')
    .option('--concurrency <n>', 'projects run at once (default: CPU count)', positiveInt('--concurrency'))
    .option('--bail', 'stop starting new projects after the first failure')
    .option('-v, --verbose', 'show every native command run')
    .exitOverride()
    .configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr, outputError: () => {} })
    .showHelpAfterError(false);

  const withSession = (fn: (s: Session, cmdOpts: Record<string, unknown>) => Promise<number>, needs?: (cmdOpts: Record<string, unknown>) => SessionNeeds) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const names = (Array.isArray(args[0]) ? args[0] : []) as string[];
      const globals = cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      json = Boolean(globals.json);
      session = await openSession(globals, names, io.signal, needs?.(cmd.opts()) ?? {});
      exitCode = await fn(session, cmd.opts());
    };

  const projectsArg = '[project...]';
  program.command('discover').description('list the migration projects found, with framework, root and database')
    .action(withSession(async (s) => (await import('./commands/inspect.js')).discoverCommand(s)));

  program.command('status').argument(projectsArg, 'project ids, folders or framework names').description('the state of every migration, per project')
    .option('--check', 'exit 1 when anything is pending, divergent or failed (a CI gate)')
    .option('--fast', 'read each history table and migration folder directly, without booting the frameworks (falls back to the tool, and says so, where it cannot be exact)')
    .action(withSession(async (s, o) => (await import('./commands/inspect.js')).statusCommand(s, { check: Boolean(o.check), fast: Boolean(o.fast) })));

  for (const direction of ['up', 'down'] as const) {
    program.command(direction).argument(projectsArg)
      .description(direction === 'up' ? 'apply pending migrations (all, --steps N, or --to ID)' : 'roll back (--steps N or --to ID); asks for confirmation unless --yes')
      .option('--to <id>', direction === 'up' ? 'apply up to and including this migration' : 'roll back to this migration (it stays applied)')
      .option('--steps <n>', 'number of migrations', positiveInt('--steps'))
      .option('-y, --yes', 'confirm without asking')
      .action(withSession(async (s, o) => {
        s.opts.yes = Boolean(o.yes);
        return (await import('./commands/run.js')).runCommand(s, direction, targetFrom(o as { to?: string; steps?: number }, direction, direction === 'down'));
      }));
  }

  program.command('plan').argument(projectsArg).description('dry-run: the SQL each migration would run, and where it came from')
    .addOption(new Option('--direction <dir>', 'up or down').choices(['up', 'down']).default('up'))
    .option('--to <id>', 'target migration')
    .option('--steps <n>', 'number of migrations (down defaults to 1)', positiveInt('--steps'))
    .action(withSession(async (s, o) => {
      const direction = o.direction as Direction;
      const t = o as { to?: string; steps?: number };
      const target = direction === 'down' && t.to === undefined && t.steps === undefined ? ({ kind: 'steps', n: 1 } as Target) : targetFrom(t, direction, false);
      return (await import('./commands/inspect.js')).planCommand(s, direction, target);
    }));

  program.command('heads').argument(projectsArg).description('divergent history after a git merge (heads, out-of-order files)')
    .option('--check', 'exit 1 when any project is divergent')
    .action(withSession(async (s, o) => (await import('./commands/inspect.js')).headsCommand(s, { check: Boolean(o.check) })));

  program.command('merge').argument(projectsArg).description('resolve divergence: a merge revision (graph tools) or --restamp (timestamp tools)')
    .option('-m, --message <text>', 'message of the merge migration')
    .option('--restamp', 'rename not-yet-applied out-of-order files to a new timestamp (never applied ones)')
    .action(withSession(async (s, o) => (await import('./commands/merge.js')).mergeCommand(s, o as { message?: string; restamp?: boolean })));

  program.command('verify').argument(projectsArg).description('prove in a throwaway database that each rollback restores the schema; observe locks and rewrites')
    .option('--all', 'verify the whole history, not only the pending migrations')
    .option('--from <id>', 'verify from this migration on')
    .addOption(new Option('--engine <engine>', 'throwaway database engine').choices(['postgres', 'sqlite']).default('postgres'))
    .option('--seed-rows <n>', 'rows seeded into every existing table before each migration (default 500)', positiveInt('--seed-rows'))
    .action(withSession(async (s, o) => (await import('./commands/verify.js')).verifyCommand(s, o as { all?: boolean; from?: string; engine?: 'postgres' | 'sqlite'; seedRows?: number })));

  program.command('checklist').argument(projectsArg).description('the rollback checklist for the pending migrations, verified in a throwaway database (Markdown for a pull request, or JSON)')
    .addOption(new Option('--format <format>', 'markdown or json').choices(['markdown', 'json']).default('markdown'))
    .option('--no-verify', 'skip proving the rollbacks in a throwaway database (faster, less to trust)')
    .action(withSession(async (s, o) => {
      if (o.format === 'json') s.opts.json = true;
      return (await import('./commands/checklist.js')).checklistCommand(s, o as { format?: 'markdown' | 'json'; verify?: boolean });
    }));

  const turbo = program.command('turbo').description('Turborepo integration');
  turbo.command('init').description('add migrate:status, migrate:check and migrate:verify tasks (cached on the migration files) to turbo.json and the workspace packages; idempotent')
    .action(withSession(async (s) => (await import('./commands/turbo.js')).turboInitCommand(s)));

  program.command('check').argument(projectsArg, 'project ids, folders or framework names')
    .description('the safety policy on the SQL the pending migrations will run (or on plain SQL files with --sql)')
    .option('--all', 'every migration, not only the pending ones (planned in a throwaway PostgreSQL)')
    .option('--since <git-ref>', 'only migrations whose files changed since this git ref (planned in a throwaway PostgreSQL)')
    .option('--sql <files...>', 'lint plain SQL files (or folders of *.sql) instead of projects')
    .addOption(new Option('--format <fmt>', 'text (default), json, sarif, junit or github').choices(['text', 'json', 'sarif', 'junit', 'github']))
    .action(withSession(async (s, o) => (await import('./commands/check.js')).checkCommand(s, o as import('./commands/check.js').CheckOptions), (o) => ({ projects: !o.sql })));

  program.command('doctor').argument(projectsArg).description('the toolchains each project needs, whether they are installed, and versions')
    .action(withSession(async (s) => (await import('./commands/inspect.js')).doctorCommand(s)));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      const err = new MigratorError({ code: 'USAGE.INVALID', summary: e.message.replace(/^error: /, ''), fix: 'See `metamig --help`.' });
      report(err.toJSON(), json, io);
      return 2;
    }
    const err = toMigratorError(e);
    report(err.toJSON(), json, io);
    return err.exitCode;
  } finally {
    await session?.close();
  }
}

function report(error: ErrorJson, json: boolean, io: Io): void {
  if (json) io.writeOut(`${JSON.stringify({ projects: [], error }, null, 2)}\n`);
  else io.writeErr(`${renderError(error)}\n`);
}
