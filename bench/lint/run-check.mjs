#!/usr/bin/env node
// Runs `metamig check` through the real command code (session, config, policy, reporters) without
// the commander wiring: what `node packages/cli/dist/bin.js check …` will do once program.ts
// registers the command. Usage: node bench/lint/run-check.mjs [--root DIR] [--format F] --sql FILE…
import { checkCommand } from '../../packages/cli/dist/commands/check.js';
import { openSession } from '../../packages/cli/dist/session.js';

const argv = process.argv.slice(2);
const opts = { sql: [] };
const globals = {};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--root') globals.root = argv[++i];
  else if (a === '--config') globals.config = argv[++i];
  else if (a === '--format') opts.format = argv[++i];
  else if (a === '--json') globals.json = true;
  else if (a === '--sql') while (argv[i + 1] && !argv[i + 1].startsWith('--')) opts.sql.push(argv[++i]);
  else throw new Error(`unknown argument ${a}`);
}
const session = await openSession(globals, [], new AbortController().signal);
let code;
try {
  code = await checkCommand(session, opts);
} catch (e) {
  process.stderr.write(`${e.summary ?? e.message}\n`);
  code = e.exitCode ?? 2;
} finally {
  await session.close();
}
process.stdout.write('', () => process.exit(code));
