// Import direction: cli -> {policy, checklists, sandbox, adapters/*} -> core. Checked on every lint.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-depends-on-nothing',
      comment: 'packages/core is the vocabulary: it imports no other workspace package.',
      severity: 'error',
      from: { path: '^packages/core/src' },
      to: { path: '^(packages/(?!core/)|adapters/)|@metamig/(?!core)' },
    },
    {
      name: 'adapters-only-core',
      comment: 'Adapters depend on core only (never on policy, cli, sandbox or each other); tests may use the testkit.',
      severity: 'error',
      from: { path: '^adapters/([^/]+)/src', pathNot: '\\.test\\.ts$' },
      to: { path: '^(packages/(?!core/)|adapters/(?!$1/))|@metamig/(?!core)' },
    },
    {
      name: 'policy-never-imports-adapters',
      severity: 'error',
      from: { path: '^packages/(policy|checklists)/src' },
      to: { path: '^(adapters/|packages/cli/)|@metamig/(adapter-|cli)' },
    },
    {
      name: 'only-cli-imports-cli',
      severity: 'error',
      from: { pathNot: '^(packages/cli|test|bench)/' },
      to: { path: '^packages/cli/|@metamig/cli' },
    },
    {
      name: 'product-never-imports-testkit',
      severity: 'error',
      from: { pathNot: '(\\.test\\.ts$|^test/|^bench/|^packages/testkit/)' },
      to: { path: '^packages/testkit/|@metamig/testkit' },
    },
  ],
  options: {
    // Follow nothing outside our sources, but keep the edges (so an import of a dist/ build or of a
    // package is still judged by the rules above).
    doNotFollow: { path: ['node_modules', '/dist/'] },
    tsConfig: { fileName: 'tsconfig.base.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
  },
};
