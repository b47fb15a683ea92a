import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MigratorError } from './errors.js';
import { createMemoryLogger } from './logger.js';
import { registerSecret } from './redact.js';
import { createRunner, formatCommand } from './runner.js';

const runner = createRunner(createMemoryLogger());
const node = process.execPath;

describe('runner', () => {
  it('captures stdout, stderr and a non-zero exit code without throwing', async () => {
    const r = await runner.run(node, ['-e', 'console.log("out"); console.error("err"); process.exit(3)'], { cwd: process.cwd() });
    expect(r).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(r.durationMs).toBeGreaterThan(0);
  });

  it('redacts passwords from the command and the output', async () => {
    registerSecret('pw-in-env-123');
    const r = await runner.run(node, ['-e', 'console.log(process.argv[1], process.env.X)', 'postgresql://u:hunter22@h/d'], { cwd: process.cwd(), env: { X: 'pw-in-env-123' } });
    expect(r.stdout).toBe('postgresql://u:***@h/d ***\n');
    expect(r.command.join(' ')).not.toContain('hunter22');
  });

  it('removes inherited variables set to undefined', async () => {
    process.env.METAMIG_TEST_STRAY = 'stray';
    const r = await runner.run(node, ['-e', 'console.log(String(process.env.METAMIG_TEST_STRAY))'], { cwd: '/', env: { METAMIG_TEST_STRAY: undefined } });
    delete process.env.METAMIG_TEST_STRAY;
    expect(r.stdout).toBe('undefined\n');
  });

  it('turns a missing executable into TOOL.NOT_FOUND with the install hint', async () => {
    await expect(runner.run('/nonexistent/alembic', [], { cwd: '/', tool: 'alembic', installHint: 'run setup' })).rejects.toMatchObject({ code: 'TOOL.NOT_FOUND', fix: 'run setup' });
  });

  it('stops a command that runs past its timeout, including its children', async () => {
    const started = Date.now();
    const err = await runner.run('sh', ['-c', 'sleep 30 & sleep 30'], { cwd: '/', timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigratorError);
    expect((err as MigratorError).code).toBe('TOOL.TIMEOUT');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('forwards cancellation to the child and waits for it to exit', async () => {
    const ac = new AbortController();
    const marker = join(mkdtempSync(join(tmpdir(), 'metamig-run-')), 'got-sigint');
    // The child traps SIGINT and writes a marker after a delay before exiting: the marker exists
    // when run() settles only if the signal reached the child AND run() waited for its exit.
    const script = `process.on("SIGINT", () => setTimeout(() => { require("fs").writeFileSync(${JSON.stringify(marker)}, "x"); process.exit(0); }, 200)); setInterval(() => {}, 1000);`;
    const p = runner.run(node, ['-e', script], { cwd: '/', signal: ac.signal });
    await new Promise((r) => setTimeout(r, 400));
    ac.abort('SIGINT');
    await expect(p).rejects.toMatchObject({ code: 'RUN.CANCELLED' });
    expect(existsSync(marker)).toBe(true);
  });

  it('quotes arguments for display', () => {
    expect(formatCommand(['alembic', 'upgrade', 'head'])).toBe('alembic upgrade head');
    expect(formatCommand(['sh', '-c', "echo 'a b'"])).toBe(`sh -c 'echo '\\''a b'\\'''`);
  });
});
