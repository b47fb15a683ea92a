// The only place that calls process.exit. Ctrl-C once: the signal is forwarded to running tools and
// metamig waits for them (and stops its sandbox); Ctrl-C twice: exit at once.
import { VERSION } from './version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Cold-start fast path: no adapter, no zod, no commander.
  process.stdout.write(`${VERSION}\n`);
  process.exit(0);
}

const controller = new AbortController();
let interrupted = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    process.stderr.write(`\nmetamig: ${sig} received — stopping the running tools and waiting for them (press Ctrl-C again to force).\n`);
    controller.abort(sig);
  });
}

const { main } = await import('./program.js');
const code = await main(argv, {
  signal: controller.signal,
  writeOut: (s) => process.stdout.write(s),
  writeErr: (s) => process.stderr.write(s),
});
const finalCode = interrupted ? 130 : code;
process.stdout.write('', () => process.exit(finalCode));
