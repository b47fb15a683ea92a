// Finding the interpreters and tools a project needs: the project's own first (its virtualenv, its
// bin/), then what `scripts/setup` installed under `.toolchains/`, then PATH.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors } from './errors.js';

export interface ToolSpec {
  name: string;
  /** Absolute paths, or bare names looked up on PATH, in order of preference. */
  candidates: string[];
  install: string;
}

const SETUP_HINT = 'Run `npm run setup` (scripts/setup) in the meta-migrator checkout';

/** The meta-migrator installation directory (holds `.toolchains/`). */
export function metamigHome(): string {
  if (process.env.METAMIG_HOME) return resolve(process.env.METAMIG_HOME);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(join(dir, '.toolchains'))) return dir;
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'meta-migrator') return dir;
      } catch {
        /* not ours */
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function whichSync(name: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

export class Toolchains {
  readonly home: string;
  readonly dir: string;

  constructor(home = metamigHome()) {
    this.home = home;
    this.dir = process.env.METAMIG_TOOLCHAINS ? resolve(process.env.METAMIG_TOOLCHAINS) : join(home, '.toolchains');
  }

  find(spec: ToolSpec): string | undefined {
    for (const c of spec.candidates) {
      const hit = whichSync(c);
      if (hit) return hit;
    }
    return undefined;
  }

  require(spec: ToolSpec): string {
    const hit = this.find(spec);
    if (hit) return hit;
    throw errors.toolNotFound(spec.name, spec.candidates, spec.install);
  }

  /** Python: the project's virtualenv first, then the one scripts/setup made. */
  python(projectRoot?: string): ToolSpec {
    const local = projectRoot
      ? ['.venv', 'venv', 'env'].map((v) => join(projectRoot, v, 'bin', 'python'))
      : [];
    return {
      name: 'python',
      candidates: [...local, join(this.dir, 'venv', 'bin', 'python')],
      install: `${SETUP_HINT}; it creates .toolchains/venv with the pinned Python packages. Or give the project its own .venv.`,
    };
  }

  ruby(projectRoot?: string): ToolSpec {
    return {
      name: 'ruby',
      candidates: [...(projectRoot ? [join(projectRoot, 'bin', 'ruby')] : []), 'ruby', '/usr/bin/ruby'],
      install: `${SETUP_HINT}, or: apt-get install ruby ruby-rails ruby-pg ruby-sqlite3`,
    };
  }

  php(): ToolSpec {
    return {
      name: 'php',
      candidates: ['php', '/usr/bin/php'],
      install: `${SETUP_HINT}, or: apt-get install php-cli php-laravel-framework php-pgsql php-sqlite3 php-doctrine-dbal`,
    };
  }

  java(): ToolSpec {
    return { name: 'java', candidates: ['java'], install: 'Install a Java 17+ runtime (apt-get install openjdk-17-jre-headless).' };
  }

  flyway(): ToolSpec {
    return {
      name: 'flyway',
      candidates: [join(this.dir, 'flyway', 'flyway'), 'flyway'],
      install: `${SETUP_HINT}; it downloads the Flyway command line from Maven Central into .toolchains/flyway.`,
    };
  }

  node(): ToolSpec {
    return { name: 'node', candidates: [process.execPath], install: 'Install Node.js 20.19 or newer.' };
  }
}
