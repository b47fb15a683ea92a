// One place prints results: JSON documents validated against the exported schemas (so --json
// output can never drift from its contract), or the human rendering.
import { type CommandName, MigratorError, OutputSchemas } from '@metamig/core';
import type { Session } from './session.js';

export function emit<T>(session: Session, command: CommandName, entries: T[], render: (entries: T[]) => string): void {
  if (session.opts.json) {
    const doc = { projects: entries };
    const parsed = OutputSchemas[command].safeParse(doc);
    if (!parsed.success) {
      throw new MigratorError({
        code: 'INTERNAL',
        summary: `metamig produced ${command} output that does not match its own schema.`,
        why: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'),
        fix: 'This is a bug in metamig; please report it with --verbose output.',
      });
    }
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    process.stdout.write(`${render(entries)}\n`);
  }
}
