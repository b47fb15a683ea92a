// Lint: the recommended JS/TS rules, plus the few house rules that keep adapters thin.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'fixtures/**', '.toolchains/**', '**/*.d.ts', 'bench/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', performance: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', fetch: 'readonly', structuredClone: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', NodeJS: 'readonly', URLSearchParams: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
      // Only the CLI entry point exits the process.
      'no-restricted-properties': ['error', { object: 'process', property: 'exit', message: 'Only packages/cli/src/bin.ts calls process.exit.' }],
      // Processes are started in one place (core's runner) so timeouts, signals and redaction apply.
      'no-restricted-imports': ['error', { paths: [{ name: 'execa', message: 'Use ctx.runner (packages/core/src/runner.ts).' }] }],
    },
  },
  {
    files: ['packages/cli/src/bin.ts', 'packages/core/src/runner.ts', '**/*.test.ts', 'test/**', 'bench/**', 'packages/testkit/**', 'packages/sandbox/**'],
    rules: { 'no-restricted-properties': 'off', 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/helpers/**/*.{js,cjs,mjs}', '*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-restricted-properties': 'off' },
  },
);
