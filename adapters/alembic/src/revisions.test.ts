// The RevisionMap emulation against Alembic's own answers: every recorded `status` document
// (printed by helpers/metamig_alembic.py from Alembic's ScriptDirectory) must be reproduced from the
// fixture's files plus the heads alembic_version held when it was recorded.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir, recorded } from '@metamig/testkit';
import { readAlembicProject } from './fast.js';
import { parseHelperStatus, statusFromHelper } from './parse.js';
import { NotExact, type Script, alembicStatus, readRevision, scriptDoc } from './revisions.js';

const RECORDINGS: [fixture: string, name: string][] = [
  ['basic', 'status-fresh'],
  ['basic', 'status-applied'],
  ['basic', 'status-partial-pg'],
  ['failed-migration', 'status-after-failure-pg'],
  ['failed-migration', 'status-after-failure-sqlite'],
  ['irreversible', 'status-fresh'],
  ['multiple-heads', 'status-fresh'],
  ['multiple-heads', 'status-two-heads'],
];

describe('alembicStatus reproduces the recorded Alembic status documents', () => {
  it.each(RECORDINGS)('%s/%s', (fixture, name) => {
    const doc = parseHelperStatus(recorded(`alembic/${fixture}`, `${name}.stdout`));
    const root = join(fixturesDir, 'alembic', fixture);
    const { scripts } = readAlembicProject(root, 'alembic');
    const mine = alembicStatus(scripts, doc.db_heads, doc.version_table);
    const ids = ({ id, parents, depends_on, message, path, is_head, is_merge }: (typeof doc.revisions)[number]) => ({ id, parents, depends_on, message, path, is_head, is_merge });
    expect(mine.revisions.map(ids)).toEqual(doc.revisions.map(ids));
    expect([mine.code_heads, mine.db_heads, mine.unknown_in_db, mine.pending_order]).toEqual([doc.code_heads, doc.db_heads, doc.unknown_in_db, doc.pending_order]);
    const strip = (s: ReturnType<typeof statusFromHelper>) => s.migrations.map(({ reversible: _r, transactional: _t, irreversibleReason: _i, ...m }) => m);
    expect(strip(statusFromHelper(mine))).toEqual(strip(statusFromHelper(doc)));
  });

  it('a merged project (the merge revision written by `alembic merge` at recording time)', () => {
    const doc = parseHelperStatus(recorded('alembic/multiple-heads', 'status-merged.stdout'));
    const root = join(fixturesDir, 'alembic', 'multiple-heads');
    const merge = doc.revisions.find((r) => r.parents.length === 2)!;
    // The merge file is not part of the fixture: rebuild it from what Alembic reported about it.
    const fromDisk = readAlembicProject(root, 'alembic').scripts;
    const mergeScript: Script = { revision: merge.id, downRevisions: merge.parents, dependsOn: [], branchLabels: [], doc: merge.message, path: merge.path! };
    expect(existsSync(join(root, merge.path!))).toBe(false);
    const mine = alembicStatus([...fromDisk, mergeScript], doc.db_heads, doc.version_table);
    expect(mine.revisions.map((r) => r.id)).toEqual(doc.revisions.map((r) => r.id));
    expect(mine.pending_order).toEqual(doc.pending_order);
  });
});

const file = (body: string) => `"""add users\n\nRevision ID: 1\n"""\nfrom alembic import op\n${body}\n\ndef upgrade():\n    op.execute("SELECT 1")\n`;

describe('readRevision', () => {
  it('reads the identifiers of a real revision, typed or not', () => {
    const src = readFileSync(join(fixturesDir, 'alembic/multiple-heads/migrations/versions/0003a_create_orders.py'), 'utf8');
    expect(readRevision(src, '0003a_create_orders.py', 'f')).toEqual({ revision: '0003a', downRevisions: ['0002'], dependsOn: [], branchLabels: [], doc: 'create orders' });
    expect(readRevision(file('revision = "b"\ndown_revision = ("a", "c")\ndepends_on = ["x"]\nbranch_labels = "lbl"'), 'b.py', 'f')).toEqual({
      revision: 'b', downRevisions: ['a', 'c'], dependsOn: ['x'], branchLabels: ['lbl'], doc: 'add users',
    });
    expect(readRevision(file('down_revision = None'), 'abc123.py', 'f').revision).toBe('abc123'); // legacy: from the file name
  });

  it('refuses identifiers computed in code, and files Alembic itself refuses', () => {
    const cases: [string, string, RegExp][] = [
      [file('revision = make_id()\ndown_revision = None'), 'x.py', /computes revision in code/],
      [file('revision = "a" + "b"\ndown_revision = None'), 'x.py', /computes revision in code/],
      [file('revision = "a"\nif True:\n    revision = "b"\ndown_revision = None'), 'x.py', /computes revision in code/],
      [file('from ids import *\nrevision = "a"\ndown_revision = None'), 'x.py', /import \*/],
      [file('revision = "a"\ndown_revision = None\nglobals()["revision"] = "b"'), 'x.py', /globals/],
      [file('revision = "a"'), 'x.py', /no down_revision/],
      [file('down_revision = None'), 'not_hex.py', /defines no revision/],
      [file('revision = "a-b"\ndown_revision = None'), 'x.py', /not a valid identifier/],
      [file('revision = "a"\ndown_revision = "a"'), 'x.py', /names the revision itself/],
      [file('revision = "a"\ndown_revision = 3'), 'x.py', /not None, a string/],
    ];
    for (const [src, name, why] of cases) expect(() => readRevision(src, name, 'x.py'), src).toThrow(why);
  });

  it("takes the docstring's first paragraph, as Script.doc does", () => {
    expect(scriptDoc('\n  add users\n\nRevision ID: 1\n', 'f')).toBe('add users');
    expect(scriptDoc('two\nlines\n\nmore', 'f')).toBe('two\nlines');
    expect(scriptDoc(undefined, 'f')).toBe('');
    expect(() => scriptDoc('first\n    indented\n\nmore', 'f')).toThrow(NotExact); // Python 3.13 dedents, 3.11 does not
  });
});

const s = (revision: string, down: string[], extra: Partial<Script> = {}): Script => ({ revision, downRevisions: down, dependsOn: [], branchLabels: [], doc: revision, path: `v/${revision}.py`, ...extra });

describe('alembicStatus on graphs Alembic refuses or cannot order stably', () => {
  it('refuses missing parents, duplicate ids, cycles, overlapping heads and unstable dependency orders', () => {
    expect(() => alembicStatus([s('b', ['a'])], [], 'alembic_version')).toThrow(/which no file defines/);
    expect(() => alembicStatus([s('a', []), s('a', [])], [], 'alembic_version')).toThrow(/more than one file/);
    expect(() => alembicStatus([s('a', ['b']), s('b', ['a'])], [], 'alembic_version')).toThrow(/cycle/);
    expect(() => alembicStatus([s('a', []), s('b', ['a'], { dependsOn: ['zz'] })], [], 'alembic_version')).toThrow(/no revision or branch label/);
    expect(() => alembicStatus([s('a', []), s('b', ['a']), s('c', [], { dependsOn: ['b'] })], ['a', 'b'], 'alembic_version')).toThrow(/overlap/);
    const twoDeps = [s('a', []), s('b', []), s('c', []), s('d', ['a'], { dependsOn: ['b', 'c'] })];
    expect(() => alembicStatus(twoDeps, [], 'alembic_version')).toThrow(/not stable/);
  });

  it('upgrades to the real heads: a head that another revision depends on is not a target (as Alembic 1.20.1 prints it)', () => {
    const graph = [s('a', [], { branchLabels: ['base_a'] }), s('b', []), s('c', ['b'], { dependsOn: ['base_a'] })];
    const st = alembicStatus(graph, [], 'alembic_version');
    expect([st.revisions.map((r) => r.id), st.code_heads, st.pending_order]).toEqual([['a', 'b', 'c'], ['a', 'c'], ['a', 'b', 'c']]);
  });

  it('resolves depends_on through branch labels, and keeps unknown database heads apart', () => {
    const graph = [s('a', [], { branchLabels: ['base_a'] }), s('b', []), s('c', ['b'], { dependsOn: ['base_a'] })];
    const st = alembicStatus(graph, ['zz'], 'alembic_version');
    expect(st.revisions.find((r) => r.id === 'c')).toMatchObject({ parents: ['b'], depends_on: ['a'] });
    expect([st.code_heads, st.unknown_in_db, st.pending_order]).toEqual([['a', 'c'], ['zz'], null]);
  });
});
