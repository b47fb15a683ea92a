// Shared by every workspace's vitest.config.ts. Integration tests start real tools and real
// databases, so timeouts are generous; they are never used to assert performance.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', '*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { NO_COLOR: '1' },
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
