// Real servers: these start PostgreSQL clusters from the system and the npm-shipped binaries.
import { existsSync } from 'node:fs';
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
