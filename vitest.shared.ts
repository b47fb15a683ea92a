// Shared by every workspace's vitest.config.ts. Integration tests start real tools and real
// databases, so timeouts are generous; they are never used to assert performance. Two test files
// run at a time: they spend most of their time waiting on tools and databases in child processes,
// and each file copies its fixtures and starts its own database, so files never share state.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', '*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { NO_COLOR: '1' },
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
