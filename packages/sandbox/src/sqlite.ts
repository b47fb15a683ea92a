// SQLite sandboxes are files in a temp folder: nothing to start, removed on exit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onExitSync } from './postgres.js';

export interface SqliteSandbox {
  dir: string;
  /** A `sqlite:///abs/path` URL for a new (not yet created) database file. */
  databaseUrl(name: string): string;
  stop(): Promise<void>;
}

export function startSqlite(): SqliteSandbox {
  const dir = mkdtempSync(join(tmpdir(), 'metamig-sqlite-'));
  const unregister = onExitSync(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    databaseUrl: (name) => `sqlite://${join(dir, `${name.replace(/[^\w.-]/g, '_')}.sqlite3`)}`,
    async stop() {
      unregister();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
