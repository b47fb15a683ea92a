// Two e2e files at a time (set in vitest.shared.ts) measured 434 s against 618 s one at a time
// (CI=1 npx vitest run --maxWorkers=2, 2026-12-05).
export { default } from '../vitest.shared.js';
