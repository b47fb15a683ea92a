import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import formatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../config.js';
import { lintSqlFile } from '../lint.js';
import { checkEntry, type CheckEntry } from '../summary.js';
import { githubAnnotation, formatGithub } from './github.js';
import { CheckOutputSchema, formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { sarifLog } from './sarif.js';
import { formatText } from './text.js';

// ajv-formats is CommonJS with a default export: under NodeNext the function sits on `.default`.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (ajv: Ajv) => Ajv;

const SQL = [
  "SET lock_timeout = '2s';",
  'CREATE INDEX users_email_idx ON users (email);',
  '-- metamig:allow drop-table reason: archived in release 41',
  'DROP TABLE legacy, audit_old;',
  'ALTER TABLE orders ADD COLUMN note text, ADD COLUMN "x,y:z" int NOT NULL;',
  'SELEC 1;',
].join('\n');

async function entries(): Promise<CheckEntry[]> {
  const d = await lintSqlFile('db/migrations/V2__users.sql', SQL, defaultPolicy('/repo'), { framework: 'flyway', project: 'db:flyway' });
  return [checkEntry('db:flyway', d, 'flyway'), checkEntry('empty:knex', [], 'knex')];
}

/**
 * The official OASIS SARIF 2.1.0 schema: scripts/setup extracts it from a pinned Maven Central jar
 * into .toolchains/sarif/ (never copied into the repo); METAMIG_SARIF_SCHEMA=<path> overrides.
 */
function findSarifSchema(): string | undefined {
  if (process.env.METAMIG_SARIF_SCHEMA && existsSync(process.env.METAMIG_SARIF_SCHEMA)) return process.env.METAMIG_SARIF_SCHEMA;
  const installed = join(dirname(fileURLToPath(import.meta.url)), '../../../../.toolchains/sarif/sarif-schema-2.1.0.json');
  return existsSync(installed) ? installed : undefined;
}

describe('reporters', () => {
  it('text: rule + code, severity, location, statement, why, safe alternative, framework advice, docs', async () => {
    const [e] = await entries();
    const text = formatText(e!.diagnostics);
    expect(text).toContain('error create-index-non-concurrent [PG101]');
    expect(text).toContain('  at      db:flyway › db/migrations/V2__users.sql:2:1');
    expect(text).toContain('  │  CREATE INDEX users_email_idx ON users (email)');
    expect(text).toContain('  flyway  Write `CREATE INDEX CONCURRENTLY` in a versioned script of its own');
    expect(text).toContain('  docs    docs/rules/create-index-non-concurrent.md');
    expect(text).toContain('error (waived) drop-table [DS102]');
    expect(text).toContain('  waived  archived in release 41 (inline comment at db/migrations/V2__users.sql:3)');
    expect(text.trim().split('\n').pop()).toBe('3 errors, 0 warnings, 2 waived');
    expect(formatText([])).toBe('No findings. 0 errors, 0 warnings');
  });

  it('json: one document { projects: [...] } that matches CheckOutputSchema', async () => {
    const doc = JSON.parse(formatJson(await entries()));
    expect(CheckOutputSchema.safeParse(doc).success).toBe(true);
    expect(doc.projects[0].summary).toEqual({ errors: 3, warnings: 0, infos: 0, waived: 2, total: 5, failed: true });
    expect(doc.projects[1]).toEqual({ project: 'empty:knex', framework: 'knex', diagnostics: [], summary: { errors: 0, warnings: 0, infos: 0, waived: 0, total: 0, failed: false } });
  });

  it('sarif: validates against the official SARIF 2.1.0 JSON schema', async () => {
    const schemaPath = findSarifSchema();
    expect(schemaPath, 'The SARIF 2.1.0 schema is missing: run `npm run setup` (it fetches it into .toolchains/sarif/).').toBeTruthy();
    const schema = JSON.parse(readFileSync(schemaPath!, 'utf8')) as Record<string, unknown>;
    // The OASIS schema has a `pattern` that is not a valid *unicode* regular expression: compile patterns without the u flag.
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const log = sarifLog(await entries(), { toolVersion: '0.1.0', repoRoot: '/repo' });
    const ok = validate(log);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
    // and the validator is not hollow: a broken log is rejected
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
    expect(validate({ ...log, runs: [{ results: [] }] })).toBe(false);
  });

  it('sarif: rule table from metadata, locations, suppressions for waived findings', async () => {
    const log = sarifLog(await entries(), { toolVersion: '0.1.0', repoRoot: '/repo' }) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: Record<string, unknown>[]; originalUriBaseIds: unknown }[] };
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0]!;
    expect(run.tool.driver.rules.length).toBeGreaterThanOrEqual(70);
    const idx = run.results.find((r) => r.ruleId === 'create-index-non-concurrent')!;
    expect(idx.level).toBe('error');
    expect(idx.locations).toEqual([
      {
        physicalLocation: { artifactLocation: { uri: 'db/migrations/V2__users.sql', uriBaseId: '%SRCROOT%' }, region: { startLine: 2, startColumn: 1, endLine: 2, endColumn: 46, snippet: { text: 'CREATE INDEX users_email_idx ON users (email)' } } },
        logicalLocations: [{ name: 'db/migrations/V2__users.sql', kind: 'module' }],
      },
    ]);
    expect(run.results.find((r) => r.ruleId === 'drop-table')!.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: 'archived in release 41' }]);
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///repo/' } });
  });

  it('junit: a suite per project, failures for unwaived errors, waived ones skipped', async () => {
    const xml = formatJunit(await entries());
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="metamig check" tests="6" failures="3" errors="0" skipped="2">/);
    expect(xml).toContain('<testsuite name="db:flyway" tests="5" failures="3" errors="0" skipped="2">');
    expect(xml).toContain('<testsuite name="empty:knex" tests="1" failures="0" errors="0" skipped="0">');
    expect(xml).toContain('<skipped message="waived: archived in release 41"/>');
    expect(xml).toContain('&quot;x,y:z&quot;');
    expect((xml.match(/<testcase /g) ?? []).length).toBe(6);
  });

  it('github: ::error annotations with escaped properties and data; waived findings left out', async () => {
    const out = formatGithub(await entries());
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^::error file=db\/migrations\/V2__users\.sql,line=2,col=1,endLine=2,title=create-index-non-concurrent \(PG101\) in db%3Aflyway::CREATE INDEX on users/);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    expect(out).toContain('%0ASafe alternative: ');
    expect(out).not.toContain('drop-table');
    expect(githubAnnotation({ rule: 'r', code: 'XX001', severity: 'info', message: '100% sure', statement: '', help: { safeAlternative: 'a,b' }, docs: 'd', migration: 'm1' })).toBe('::notice title=r (XX001)::[m1] 100%25 sure%0ASafe alternative: a,b%0ADocs: d');
  });
});
