// Throwaway PostgreSQL: a real server on a free port in a temp dir (initdb + pg_ctl, run as the
// `postgres` user when we are root), databases created by template clone, stopped on exit/signals.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { onExit } from 'signal-exit';
import { MigratorError, type Logger, formatPostgresUrl, parseDatabaseUrl } from '@metamig/core';
import { embeddedBinDir, serverVersion, systemBinDir } from './binaries.js';
import { type ProviderChoice, selectProvider } from './select.js';

export interface PostgresSandbox {
  provider: 'explicit' | 'docker' | 'system' | 'embedded';
  version: string;
  /** URL of the maintenance database (`postgres`). */
  adminUrl: string;
  /** Create a database (optionally as a clone of `template`) and return its URL. */
  createDatabase(name?: string, opts?: { template?: string }): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** Run one SQL statement on a database of this server. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(database: string, sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Use this server instead of starting one (the user's own; only scratch databases are created). */
  url?: string;
  logger?: Logger;
  prefer?: 'system' | 'embedded' | 'docker';
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
let counter = 0;
const scratchName = () => `metamig_${process.pid}_${Date.now().toString(36)}_${counter++}`;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Is a Docker engine answering on its socket? (A `docker` client alone is not enough.) */
export async function dockerReachable(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const host = env.DOCKER_HOST;
  const socket = host?.startsWith('unix://') ? host.slice(7) : host ? undefined : '/var/run/docker.sock';
  if (!socket || !existsSync(socket)) return false;
  return new Promise((resolve) => {
    const c = createConnection(socket);
    const done = (ok: boolean) => {
      c.destroy();
      resolve(ok);
    };
    c.setTimeout(1000, () => done(false));
    c.on('error', () => done(false));
    c.on('connect', () => c.write('GET /_ping HTTP/1.0\r\n\r\n'));
    c.on('data', (d) => done(d.toString().includes('OK')));
  });
}

export async function startPostgres(opts: StartOptions = {}): Promise<PostgresSandbox> {
  const prefer = opts.prefer ?? (process.env.METAMIG_SANDBOX as StartOptions['prefer']);
  const choice = await selectProvider({
    ...(opts.url ? { explicitUrl: opts.url } : {}),
    dockerReachable: () => dockerReachable(),
    systemBinDir: () => systemBinDir(),
    embeddedBinDir: () => embeddedBinDir(),
    ...(prefer ? { prefer } : {}),
  });
  opts.logger?.debug(`sandbox: using ${describeChoice(choice)}`);
  if (choice.kind === 'explicit') return explicitServer(choice.url);
  if (choice.kind === 'docker') return dockerServer();
  return clusterFromBinaries(choice.binDir, choice.origin);
}

const describeChoice = (c: ProviderChoice) =>
  c.kind === 'binaries' ? `${c.origin} PostgreSQL binaries in ${c.binDir}` : c.kind === 'explicit' ? 'the given server' : 'a Docker container';

/** `stopServer` gets a function that drops every database this sandbox created. */
function serverApi(
  provider: PostgresSandbox['provider'],
  adminUrl: string,
  version: string,
  stopServer: (dropCreated: () => Promise<void>) => Promise<void>,
): PostgresSandbox {
  const admin = parseDatabaseUrl(adminUrl);
  if (admin.engine !== 'postgres') throw new Error('unreachable');
  const created = new Set<string>();
  const connect = async (database: string) => {
    const client = new pg.Client({ connectionString: formatPostgresUrl({ ...admin, database }) });
    client.on('error', () => {}); // a terminated idle client must not crash metamig
    await client.connect();
    return client;
  };
  const query = async <T extends pg.QueryResultRow>(database: string, sql: string, params?: unknown[]) => {
    const c = await connect(database);
    try {
      return (await c.query<T>(sql, params)).rows;
    } finally {
      await c.end();
    }
  };
  let stopped = false;
  return {
    provider,
    version,
    adminUrl,
    query,
    async createDatabase(name = scratchName(), o = {}) {
      await query(admin.database, `CREATE DATABASE ${quoteIdent(name)}${o.template ? ` TEMPLATE ${quoteIdent(o.template)}` : ''}`);
      created.add(name);
      return formatPostgresUrl({ ...admin, database: name });
    },
    async dropDatabase(name) {
      await query(admin.database, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      created.delete(name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopServer(async () => {
        for (const db of [...created]) await query(admin.database, `DROP DATABASE IF EXISTS ${quoteIdent(db)} WITH (FORCE)`);
        created.clear();
      });
    },
  };
}

async function explicitServer(url: string): Promise<PostgresSandbox> {
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    const v = (await probe.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? 'unknown';
    await probe.end();
    // On someone else's server we only ever drop the scratch databases we created.
    return serverApi('explicit', url, v, (dropCreated) => dropCreated());
  } catch (e) {
    throw new MigratorError({
      code: 'SANDBOX.UNAVAILABLE',
      summary: `Cannot connect to the given PostgreSQL server: ${e instanceof Error ? e.message : String(e)}`,
      fix: 'Check the URL, that the server runs, and that the user may CREATE DATABASE.',
    });
  }
}

async function dockerServer(): Promise<PostgresSandbox> {
  const id = execFileSync('docker', ['run', '-d', '--rm', '-e', 'POSTGRES_HOST_AUTH_METHOD=trust', '-p', '127.0.0.1::5432', 'postgres:16-alpine'], { encoding: 'utf8' }).trim();
  const stop = async () => void spawnSync('docker', ['rm', '-f', id]);
  onExitSync(() => spawnSync('docker', ['rm', '-f', id]));
  const port = /:(\d+)\s*$/.exec(execFileSync('docker', ['port', id, '5432/tcp'], { encoding: 'utf8' }).split('\n')[0] ?? '')?.[1];
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  for (let i = 0; i < 60; i++) {
    try {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.end();
      return serverApi('docker', url, '16', stop);
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  await stop();
  throw new MigratorError({ code: 'SANDBOX.FAILED', summary: 'The PostgreSQL container did not accept connections within 30 s.' });
}

// ---- a cluster from server binaries ------------------------------------------------------------

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function postgresUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new MigratorError({
      code: 'SANDBOX.UNAVAILABLE',
      summary: 'PostgreSQL refuses to run as root, and there is no `postgres` user to run it as.',
      fix: 'Run metamig as a normal user, or create the user: useradd --system --home /var/lib/postgresql postgres (apt-get install postgresql does this).',
    });
  }
}

/** Run a server binary, as `postgres` when we are root. */
function runPg(binDir: string, bin: string, args: string[]): string {
  const file = join(binDir, bin);
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  const r = spawnSync(cmd as string, argv as string[], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new MigratorError({
      code: 'SANDBOX.FAILED',
      summary: `${bin} failed (exit ${r.status ?? r.signal}).`,
      toolOutput: `${r.stdout ?? ''}${r.stderr ?? ''}`,
      fix: 'See the output above; the temp data directory was removed.',
    });
  }
  return r.stdout;
}

function makeOwned(dir: string): void {
  if (isRoot()) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
}

/** initdb once per server version into a cached template; each sandbox copies it (≈10× faster). */
function templateDataDir(binDir: string, version: string): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const cache = join(tmpdir(), `metamig-pg-template-${uid}-${version}-${binDir.replace(/[^a-z0-9]/gi, '_').slice(-40)}`);
  if (existsSync(join(cache, 'PG_VERSION'))) return cache;
  const work = mkdtempSync(join(tmpdir(), 'metamig-pg-init-'));
  makeOwned(work);
  runPg(binDir, 'initdb', ['-D', join(work, 'data'), '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  try {
    renameSync(join(work, 'data'), cache);
  } catch {
    /* another process won the race: use its template */
  }
  rmSync(work, { recursive: true, force: true });
  return cache;
}

async function clusterFromBinaries(binDir: string, origin: 'system' | 'embedded'): Promise<PostgresSandbox> {
  const version = serverVersion(binDir);
  const base = mkdtempSync(join(tmpdir(), 'metamig-pg-'));
  makeOwned(base);
  const data = join(base, 'data');
  try {
    if (isRoot()) {
      // cp as postgres keeps ownership right without a recursive chown.
      const r = spawnSync('runuser', ['-u', 'postgres', '--', 'cp', '-a', templateDataDir(binDir, version), data]);
      if (r.status !== 0) throw new Error(`copying the template data dir failed: ${r.stderr}`);
    } else {
      cpSync(templateDataDir(binDir, version), data, { recursive: true });
    }
    mkdirSync(join(base, 'sock'), { recursive: true });
    makeOwned(join(base, 'sock'));
  } catch (e) {
    rmSync(base, { recursive: true, force: true });
    throw e instanceof MigratorError ? e : new MigratorError({ code: 'SANDBOX.FAILED', summary: String(e) });
  }

  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      runPg(binDir, 'pg_ctl', [
        '-D', data, '-l', join(base, 'server.log'), '-w', '-t', '60', '-o',
        `-p ${port} -k ${join(base, 'sock')} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
        'start',
      ]);
      break;
    } catch (e) {
      if (attempt >= 2) {
        rmSync(base, { recursive: true, force: true });
        throw e; // port races are retried; anything else is reported with pg_ctl's output
      }
    }
  }
  const stopSync = () => {
    if (existsSync(join(data, 'postmaster.pid'))) {
      const argv = ['-D', data, '-m', 'immediate', '-w', 'stop'];
      if (isRoot()) spawnSync('runuser', ['-u', 'postgres', '--', join(binDir, 'pg_ctl'), ...argv]);
      else spawnSync(join(binDir, 'pg_ctl'), argv);
    }
    rmSync(base, { recursive: true, force: true });
  };
  const unregister = onExitSync(stopSync);
  return serverApi(origin, `postgresql://postgres@127.0.0.1:${port}/postgres`, version, async () => {
    unregister();
    try {
      runPg(binDir, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
}

// ---- cleanup on exit ---------------------------------------------------------------------------

const exitHooks = new Set<() => void>();
let hooked = false;

/**
 * Run `fn` if the process ends before it is unregistered: a normal exit, or SIGINT/SIGTERM/SIGHUP
 * that nobody else handles (signal-exit then re-raises the signal). A bare `process.on('exit')`
 * never runs when a signal kills Node, which left the cluster running behind a killed script.
 */
export function onExitSync(fn: () => void): () => void {
  if (!hooked) {
    hooked = true;
    onExit(() => {
      for (const f of exitHooks) {
        try {
          f();
        } catch {
          /* best effort on the way out */
        }
      }
    });
  }
  exitHooks.add(fn);
  return () => exitHooks.delete(fn);
}
