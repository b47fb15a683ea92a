// @metamig/policy: one safety rule set for every framework, judged on the SQL each framework really
// sends, parsed by the real PostgreSQL parser.
export type {
  Category,
  Diagnostic,
  LockMode,
  MigrationInfo,
  NodePath,
  NodeType,
  Observation,
  ObservedLock,
  PgVersion,
  PresetName,
  Rule,
  RuleContext,
  RuleMeta,
  Severity,
  SeveritySetting,
  StatementInfo,
  TestContext,
  Visitors,
} from './types.js';
export { CATEGORIES, LOCK_MODES, PRESETS, SEVERITIES } from './types.js';
export { defineRule, registerCode } from './define.js';
export { RULES } from './rules/index.js';
export {
  type ConfigWaiver,
  DEFAULT_POSTGRES_VERSION,
  defaultPolicy,
  findRule,
  parsePgVersion,
  PolicyConfigSchema,
  presetSettings,
  type PolicyConfig,
  type ResolvedPolicy,
  type ResolveOptions,
  resolvePolicy,
  RULES_BY_ID,
  suggestRule,
} from './config.js';
export type { RuleSetting } from './engine.js';
export { displayPath, effectiveRules, type LintOptions, lintPlan, lintSql, lintSqlFile, lintSqlFiles, type SqlLintContext } from './lint.js';
export { loadParser, parseSql } from './parse.js';
export { type CheckEntry, checkEntry, type Summary, summarize } from './summary.js';
export { formatDiagnostic, formatSummary, formatText, type TextOptions, type TextStyle } from './format/text.js';
export { CheckEntrySchema, CheckOutputSchema, DiagnosticSchema, formatJson } from './format/json.js';
export { formatSarif, SARIF_SCHEMA_URI, sarifLog, type SarifOptions } from './format/sarif.js';
export { formatJunit } from './format/junit.js';
export { formatGithub, githubAnnotation } from './format/github.js';
export { renderIndex, renderRulePage } from './docs.js';
