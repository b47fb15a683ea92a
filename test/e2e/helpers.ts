// Run the built `metamig` binary exactly as a user would, and copy fixtures into temp repos.
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '@metamig/testkit';
import type { CommandName, CommandOutput } from '@metamig/core';
import { OutputSchemas } from '@metamig/core';

export const BIN = join(repoRoot, 'packages/cli/bin/metamig.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function metamig(args: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number } ): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    // A user's shell has no NODE_ENV=test (vitest sets it); knexfiles keyed by environment care.
    env: { NO_COLOR: '1', NODE_ENV: undefined, VITEST: undefined, ...opts.env },
    reject: false,
    timeout: opts.timeoutMs ?? 120_000,
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Parse --json output and validate it against the schema the code exports for that command. */
export function parseJson<C extends CommandName>(command: C, r: CliResult): CommandOutput<C> {
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new Error(`metamig ${command} --json printed no JSON (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  }
  return OutputSchemas[command].parse(doc) as CommandOutput<C>;
}

/** A temp "repository" holding copies of the given fixtures (dest path → fixtures-relative source). */
export function makeRepo(fixtures: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'metamig-e2e-'));
  mkdirSync(join(root, '.git')); // marks the repository root for metamig's root detection
  for (const [dest, src] of Object.entries(fixtures)) {
    mkdirSync(dirname(join(root, dest)), { recursive: true });
    cpSync(join(repoRoot, 'fixtures', src), join(root, dest), { recursive: true, filter: (f) => !/(\.sqlite3?|\.db|__pycache__|\/recorded)$/.test(f) });
  }
  // Node projects resolve their tools (knex …) from a node_modules, as in a real repository.
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  return root;
}

export function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
