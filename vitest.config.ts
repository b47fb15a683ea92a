// `npx vitest run` at the root runs every workspace's tests in one process tree.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { projects: ['packages/*', 'adapters/*', 'test'] },
});
