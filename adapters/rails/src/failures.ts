// Rails' failures in metamig's words: setup problems (gems, boot, configuration, an ignored override),
// failed migrations (with the exact state left behind), the schema.rb side effect, divergence advice.
// Pure functions of the helper's document and the tool's output.
import { type Direction, type Migration, type MigrationState, MigratorError, type Project, type RunResult } from '@metamig/core';
import type { NativeContext, TaskCall } from './argv.js';
import { nativePrefix } from './argv.js';
import type { Layout } from './detect.js';
import { type HelperDoc, completedFrom, failedMigrationFrom, migrationError } from './parse.js';

const INSTALL =
  "Install the project's gems: `bundle install` in the project (or `bundle install --local`), or on Debian the packaged ones: `apt-get install ruby ruby-rails ruby-pg ruby-sqlite3 rake` (what metamig's scripts/setup installs).";

export function setupError(project: Project, doc: HelperDoc, run: Pick<RunResult, 'stderr'>, layout: Layout): MigratorError {
  const message = doc.error?.message ?? 'no message';
  const toolOutput = [run.stderr.trim(), ...(Array.isArray(doc.error?.backtrace) ? (doc.error.backtrace as string[]) : [])].filter(Boolean).join('\n') || undefined;
  const what = layout === 'app' ? 'The Rails app' : 'The Rakefile';
  switch (doc.kind) {
    case 'missing-gem':
      return new MigratorError({ code: 'TOOL.NOT_FOUND', summary: `${project.id}: a gem the project needs cannot be loaded.`, why: message, fix: INSTALL, toolOutput });
    case 'no-db-tasks':
      return new MigratorError({
        code: 'CONFIG.INVALID',
        summary: `${project.id}: the Rakefile does not load ActiveRecord's database tasks.`,
        why: message,
        fix: 'A standalone ActiveRecord project needs `load "active_record/railties/databases.rake"` and an `environment` task that connects (see docs/adapters/rails.md); or point metamig at the Rails app.',
      });
    case 'no-config':
    case 'unknown-database': {
      const names = Array.isArray(doc.error?.names) ? ` It has: ${(doc.error.names as string[]).join(', ')}.` : '';
      return new MigratorError({
        code: 'CONFIG.INVALID',
        summary: `${project.id}: ${message}.`,
        why: names.trim() || undefined,
        fix: 'Set options.environment (RAILS_ENV) and options.database (the database configuration name) in the metamig config to ones config/database.yml defines.',
      });
    }
    case 'override-ignored': {
      const configured = (doc.error?.configured ?? {}) as { fromUrl?: boolean };
      return new MigratorError({
        code: 'CONFIG.INVALID',
        summary: `${project.id}: the project's configuration does not use the database metamig was asked to use; nothing was run.`,
        why: [
          message,
          configured.fromUrl ? 'config/database.yml sets `url:` for this database, and ActiveRecord prefers that over DATABASE_URL.' : undefined,
          'ActiveRecord merges DATABASE_URL (and <NAME>_DATABASE_URL) only into the configuration of the environment RAILS_ENV names; a Rakefile that fixes another environment, or code that calls establish_connection itself, wins over it.',
        ]
          .filter(Boolean)
          .join(' '),
        fix: 'Let the configuration read the URL (e.g. `url: <%= ENV["DATABASE_URL"] %>`), set options.environment / options.database in the metamig config, or run without --database-url.',
      });
    }
    case 'usage':
      return new MigratorError({ code: 'INTERNAL', summary: 'metamig called its Rails helper wrongly.', why: message, fix: 'This is a bug in metamig; please report it.' });
    default:
      return new MigratorError({
        code: 'TOOL.FAILED',
        summary: `${project.id}: ${what} failed to load: ${message.split('\n')[0]}`,
        toolOutput,
        fix: `Run \`${nativePrefix({ layout, bundler: false, railsEnv: doc.env ?? 'development' }).join(' ')} db:migrate:status\` in ${project.absRoot} to see the same error, and fix it there.`,
      });
  }
}

export interface Failure {
  error: MigratorError;
  failedMigration?: string;
  warnings: string[];
}

/** The migration that failed: from the tool's own lines, else from what is applied afterwards. */
function failedOf(doc: HelperDoc, output: string, direction: Direction, steps: Migration[]): string | undefined {
  const fromText = failedMigrationFrom(output);
  if (fromText) return fromText;
  if (!doc.appliedAfter) return undefined;
  const after = new Set(doc.appliedAfter);
  return steps.find((s) => (direction === 'up' ? !after.has(s.id) : after.has(s.id)))?.id;
}

export function failureOf(project: Project, doc: HelperDoc, output: string, direction: Direction, steps: Migration[]): Failure {
  const failed = failedOf(doc, output, direction, steps);
  const err = doc.error ? migrationError(doc.error) : { headline: 'the task failed without a message', message: '', transactional: undefined };
  const completed = completedFrom(output).filter((v) => v !== failed);
  const warnings: string[] = [];
  if (!failed) {
    return { error: new MigratorError({ code: 'TOOL.FAILED', summary: `${project.id}: ${err.headline}`, toolOutput: output }), warnings };
  }
  const verb = direction === 'up' ? 'applied' : 'rolled back';
  const before = completed.length ? `The ${completed.length} migration(s) ${verb} before it in this run stay ${verb} (${completed.join(', ')}); the ones after it did not run.` : `Nothing else was ${verb} in this run.`;
  let why: string;
  if (err.transactional === false) {
    why = `${failed} runs without a transaction (disable_ddl_transaction!): statements it executed before the error stay in the database, although ActiveRecord did not record it as ${verb}. ${before}`;
    warnings.push(`${failed} may be partly ${verb}: inspect the schema before retrying.`);
  } else {
    why = `ActiveRecord runs each migration in its own transaction: ${failed} was rolled back as a whole. ${before}`;
  }
  return {
    error: new MigratorError({
      code: 'MIGRATION.FAILED',
      summary: `${project.id}: ${direction === 'up' ? '' : 'rolling back '}${failed} failed: ${err.headline}`,
      why,
      toolOutput: output,
    }),
    failedMigration: failed,
    warnings,
  };
}

/** `db:migrate` / `db:rollback` dump the schema afterwards: a change in the user's tree, disclosed. */
export function schemaWarnings(doc: HelperDoc, native: NativeContext, ran: TaskCall[]): string[] {
  const command = `${native.layout === 'app' ? 'bin/rails' : native.bundler ? 'bundle exec rake' : 'rake'} ${ran[0]?.task ?? 'db:migrate'}`;
  return (doc.schemaDumped ?? []).map((d) =>
    d.created
      ? `${command} created ${d.file} (ActiveRecord dumps the schema after every migrate/rollback): commit it together with the migrations.`
      : `${command} rewrote ${d.file} (ActiveRecord dumps the schema after every migrate/rollback): commit it together with the migrations, or turn it off with config.active_record.dump_schema_after_migration = false.`,
  );
}

export function restampAdvice(state: MigrationState): string[] {
  const advice: string[] = [];
  const ooo = state.migrations.filter((m) => m.state === 'out-of-order').map((m) => m.id);
  if (ooo.length) {
    advice.push(
      `Either apply them as they are: \`metamig up ${state.project}\` (\`db:migrate\` runs every pending version, older ones included, without a warning). Rails records no apply order, so metamig lists applied migrations by version and \`down\` reverts the highest version first — exactly what \`db:rollback\` does.`,
      `Or restamp them: \`metamig merge ${state.project} --restamp\` renames ${ooo.join(', ')} to new versions after every existing migration (the class names stay), so the file order matches the order they run in. Only do this if no other database (staging, a colleague's) has applied them under their current versions: there they would run a second time.`,
    );
  }
  if (state.migrations.some((m) => m.state === 'missing-file')) {
    advice.push('A version recorded in schema_migrations has no file (NO FILE): check out the branch that has it, and roll it back from there if it should go; ActiveRecord cannot roll it back without its file.');
  }
  if (advice.length) {
    advice.push(
      'After merging branches that both added migrations, db/schema.rb often conflicts on its `version:` line: keep the HIGHER version, or better, regenerate the file with `db:migrate` on a database that has every migration applied. Loading a schema.rb (`db:schema:load`) marks every migration file up to its version as applied, so a wrongly merged schema.rb silently skips migrations.',
    );
  }
  return advice;
}
