// Real servers: these start PostgreSQL clusters from the system and the npm-shipped binaries.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { embeddedBinDir, systemBinDir } from './binaries.js';
import { dockerReachable, startPostgres } from './postgres.js';
import { startSqlite } from './sqlite.js';

const SETUP = 'PostgreSQL server binaries are missing: run `npm run setup` (installs the Debian postgresql package).';

describe.each(['system', 'embedded'] as const)('a throwaway cluster from %s binaries', (prefer) => {
  it('starts, creates and clones databases, and stops leaving nothing behind', async () => {
    expect(prefer === 'system' ? systemBinDir() : embeddedBinDir(), SETUP).toBeTruthy();
    const pg = await startPostgres({ prefer });
    expect(pg.provider).toBe(prefer);
    const port = new URL(pg.adminUrl).port;
    try {
      const url = await pg.createDatabase('tmpl');
      expect(url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/tmpl$/);
      await pg.query('tmpl', 'CREATE TABLE t (id int primary key, name text)');
      await pg.query('tmpl', "INSERT INTO t VALUES (1, 'a')");
      await pg.createDatabase('clone', { template: 'tmpl' });
      expect(await pg.query('clone', 'SELECT name FROM t')).toEqual([{ name: 'a' }]);
      await pg.dropDatabase('clone');
      const dbs = (await pg.query<{ datname: string }>('postgres', 'SELECT datname FROM pg_database')).map((r) => r.datname);
      expect(dbs).toContain('tmpl');
      expect(dbs).not.toContain('clone');
    } finally {
      await pg.stop();
    }
    // the port is free again: nothing listens
    const again = await fetch(`http://127.0.0.1:${port}`).then(() => 'open', () => 'closed');
    expect(again).toBe('closed');
  });
});

describe('an explicit server', () => {
  it('only creates and drops scratch databases, and leaves the server running', async () => {
    const owner = await startPostgres({ prefer: 'system' });
    try {
      const pg = await startPostgres({ url: owner.adminUrl });
      expect(pg.provider).toBe('explicit');
      const url = await pg.createDatabase();
      const name = new URL(url).pathname.slice(1);
      expect(name).toMatch(/^metamig_/);
      await pg.stop();
      const dbs = (await owner.query<{ datname: string }>('postgres', 'SELECT datname FROM pg_database')).map((r) => r.datname);
      expect(dbs).not.toContain(name);
    } finally {
      await owner.stop();
    }
  });

  it('says clearly when the server cannot be reached', async () => {
    await expect(startPostgres({ url: 'postgresql://u:pw@127.0.0.1:1/x' })).rejects.toMatchObject({ code: 'SANDBOX.UNAVAILABLE' });
  });
});

describe('docker probe', () => {
  it('reports no engine when the socket is absent (this machine kind has none)', async () => {
    expect(await dockerReachable({ DOCKER_HOST: 'unix:///nonexistent.sock' })).toBe(false);
  });
});

describe('sqlite sandbox', () => {
  it('hands out file URLs in a temp folder and removes it on stop', async () => {
    const s = startSqlite();
    expect(s.databaseUrl('a b')).toBe(`sqlite://${s.dir}/a_b.sqlite3`);
    await s.stop();
    expect(existsSync(s.dir)).toBe(false);
  });
});

describe('a process killed by a signal', () => {
  it('stops its cluster on the way out (SIGTERM, nobody else handling it)', async () => {
    // The built package, as a script that uses the sandbox would: start a cluster, then wait.
    const script = `import { startPostgres } from '@metamig/sandbox';
      const pg = await startPostgres({ prefer: 'system' });
      console.log(new URL(pg.adminUrl).port);
      setInterval(() => {}, 1 << 30);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: dirname(fileURLToPath(import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((res, rej) => {
      child.stdout.once('data', (d: Buffer) => res(d.toString().trim()));
      child.once('exit', (code) => rej(new Error(`the script exited (${code}) before starting its cluster`)));
    });
    expect(await portOpen(port)).toBe(true);
    const ended = new Promise<NodeJS.Signals | null>((res) => child.once('exit', (_code, signal) => res(signal)));
    child.kill('SIGTERM');
    expect(await ended).toBe('SIGTERM'); // the signal is re-raised: the script still dies of it
    expect(await portOpen(port)).toBe(false);
  });
});

function portOpen(port: string): Promise<boolean> {
  return new Promise((res) => {
    const s = createConnection({ host: '127.0.0.1', port: Number(port) });
    s.once('connect', () => (s.destroy(), res(true)));
    s.once('error', () => res(false));
  });
}
