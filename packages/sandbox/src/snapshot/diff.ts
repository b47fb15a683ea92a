// A structural diff of two schema snapshots, in words a person reads:
// "column users.full_name still exists", "index ix_orders_user_id missing".
import type { SchemaDifference } from '@metamig/core';
import type { SchemaSnapshot } from './types.js';

export type { SchemaDifference };

const show = (v: unknown) => (v === null || v === undefined ? 'none' : typeof v === 'string' ? v : JSON.stringify(v));

function compareRecords<T extends object>(
  object: SchemaDifference['object'],
  expected: Record<string, T>,
  actual: Record<string, T>,
  out: SchemaDifference[],
  label: (name: string, value: T) => string = (n) => n,
): void {
  for (const name of Object.keys(expected)) {
    if (!(name in actual)) out.push({ kind: 'missing', object, name, expected: expected[name], message: `${object} ${label(name, expected[name]!)} missing` });
  }
  for (const name of Object.keys(actual)) {
    if (!(name in expected)) out.push({ kind: 'extra', object, name, actual: actual[name], message: `${object} ${label(name, actual[name]!)} still exists` });
  }
  for (const name of Object.keys(expected)) {
    if (!(name in actual)) continue;
    const e = expected[name] as Record<string, unknown>;
    const a = actual[name] as Record<string, unknown>;
    for (const attr of new Set([...Object.keys(e), ...Object.keys(a)])) {
      if (JSON.stringify(e[attr]) === JSON.stringify(a[attr])) continue;
      out.push({
        kind: 'changed', object, name, attribute: attr, expected: e[attr], actual: a[attr],
        message: `${object} ${label(name, expected[name]!)}: ${attr} is ${show(a[attr])}, expected ${show(e[attr])}`,
      });
    }
  }
}

/** Differences that make `actual` not equal to `expected`; empty when the schemas are the same. */
export function diffSchemas(expected: SchemaSnapshot, actual: SchemaSnapshot): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  for (const t of Object.keys(expected.tables)) if (!(t in actual.tables)) out.push({ kind: 'missing', object: 'table', name: t, message: `table ${t} missing` });
  for (const t of Object.keys(actual.tables)) if (!(t in expected.tables)) out.push({ kind: 'extra', object: 'table', name: t, message: `table ${t} still exists` });
  for (const t of Object.keys(expected.tables)) {
    if (!(t in actual.tables)) continue;
    const cols: SchemaDifference[] = [];
    compareRecords('column', expected.tables[t]!.columns, actual.tables[t]!.columns, cols, (c) => `${t}.${c}`);
    out.push(...cols.map((d) => ({ ...d, name: `${t}.${d.name}` })));
  }
  compareRecords('index', expected.indexes, actual.indexes, out);
  compareRecords('constraint', expected.constraints, actual.constraints, out);
  compareRecords('sequence', expected.sequences, actual.sequences, out);
  compareRecords('view', expected.views, actual.views, out);
  compareRecords('trigger', expected.triggers, actual.triggers, out);
  compareRecords('function', expected.functions, actual.functions, out);
  compareRecords('extension', expected.extensions, actual.extensions, out);
  const enumsE = Object.fromEntries(Object.entries(expected.enums).map(([k, v]) => [k, { labels: v }]));
  const enumsA = Object.fromEntries(Object.entries(actual.enums).map(([k, v]) => [k, { labels: v }]));
  compareRecords('enum', enumsE, enumsA, out);
  return out;
}
