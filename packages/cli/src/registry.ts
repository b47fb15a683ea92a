// The adapters metamig knows. Detectors are small modules (loaded by every command that discovers);
// adapters are loaded only for the frameworks actually present.
import type { Detector, FrameworkId, MigrationAdapter } from '@metamig/core';

interface Entry {
  detector: () => Promise<Detector>;
  adapter: () => Promise<MigrationAdapter>;
}

const REGISTRY: Partial<Record<FrameworkId, Entry>> = {
  alembic: {
    detector: async () => (await import('@metamig/adapter-alembic/detect')).detector,
    adapter: async () => (await import('@metamig/adapter-alembic')).adapter,
  },
  knex: {
    detector: async () => (await import('@metamig/adapter-knex/detect')).detector,
    adapter: async () => (await import('@metamig/adapter-knex')).adapter,
  },
  laravel: {
    detector: async () => (await import('@metamig/adapter-laravel/detect')).detector,
    adapter: async () => (await import('@metamig/adapter-laravel')).adapter,
  },
  typeorm: {
    detector: async () => (await import('@metamig/adapter-typeorm/detect')).detector,
    adapter: async () => (await import('@metamig/adapter-typeorm')).adapter,
  },
  rails: {
    detector: async () => (await import('@metamig/adapter-rails/detect')).detector,
    adapter: async () => (await import('@metamig/adapter-rails')).adapter,
  },
  prisma: {
    detector: async () => (await import('@metamig/adapter-prisma/detect')).detector,
    adapter: async () => (await import('@metamig/adapter-prisma')).adapter,
  },
  django: {
    detector: async () => (await import('@metamig/adapter-django/detect')).detector,
    adapter: async () => (await import('@metamig/adapter-django')).adapter,
  },
  flyway: {
    detector: async () => (await import('@metamig/adapter-flyway/detect')).detector,
    adapter: async () => (await import('@metamig/adapter-flyway')).adapter,
  },
};

export const registeredFrameworks = (): FrameworkId[] => Object.keys(REGISTRY) as FrameworkId[];

export async function loadDetectors(): Promise<Detector[]> {
  return Promise.all(registeredFrameworks().map((f) => REGISTRY[f]!.detector()));
}

const loaded = new Map<FrameworkId, Promise<MigrationAdapter>>();
export function loadAdapter(framework: FrameworkId): Promise<MigrationAdapter> {
  const entry = REGISTRY[framework];
  if (!entry) throw new Error(`No adapter registered for ${framework}`);
  let p = loaded.get(framework);
  if (!p) loaded.set(framework, (p = entry.adapter()));
  return p;
}
