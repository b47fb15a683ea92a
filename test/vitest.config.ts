// The end-to-end files spend most of their time waiting on tools and databases in child processes,
// so two files at once fit on two cores: measured 434 s against 618 s one at a time, the slowest
// single test at 70 s of its 120 s budget (CI=1 npx vitest run --maxWorkers=2, 2026-12-05).
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../vitest.shared.js';

export default mergeConfig(shared, defineConfig({ test: { maxWorkers: 2 } }));
