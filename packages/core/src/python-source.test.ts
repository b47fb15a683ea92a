import { describe, expect, it } from 'vitest';
import { PySourceError, pyAssignment, pyCompare, pyDocstring, pyHasStarImport, pyLiteral, pyMayBind, pyStatements } from './python-source.js';

const statement = (src: string) => pyStatements(src)[0]!;
const literal = (src: string) => pyLiteral(pyAssignment(statement(src))!.value);

describe('pyStatements', () => {
  it('splits logical lines: brackets and backslashes continue, semicolons and inline bodies split', () => {
    const src = 'x = [\n  1,  # one\n  2,\n]\ny = 1 + \\\n  2; z = 3\nclass A(B): pass\nif x:\n    w = "a" \'b\'\n';
    const sts = pyStatements(src);
    expect(sts.map((s) => [s.indent, s.line, s.toks.map((t) => t.v).join(' ')])).toEqual([
      [0, 1, 'x = [ 1 , 2 , ]'],
      [0, 5, 'y = 1 + 2'],
      [0, 6, 'z = 3'],
      [0, 7, 'class A ( B ) :'],
      [1, 7, 'pass'],
      [0, 8, 'if x :'],
      [4, 9, 'w = a b'],
    ]);
  });

  it('reads str literals the way Python does: prefixes, escapes, triple quotes; f-strings and bytes have no value', () => {
    const toks = statement(`x = "a\\tb\\x41\\u00e9\\101" r"\\n" '''l1\nl2''' f"{x}" b"raw" "\\N{BULLET}" "\\q"`).toks.slice(2);
    expect(toks.map((t) => t.v)).toEqual(['a\tbAé' + 'A', '\\n', 'l1\nl2', null, null, null, '\\q']);
  });

  it('keeps line numbers across multi-line strings and ignores comment-only and blank lines', () => {
    const sts = pyStatements('"""doc\n\nmore"""\n\n# comment\n   \nrevision = "1"\n');
    expect(sts.map((s) => s.line)).toEqual([1, 7]);
  });

  it('rejects what Python would reject, and non-UTF-8 sources', () => {
    expect(() => pyStatements('x = "abc\n')).toThrow(PySourceError);
    expect(() => pyStatements('x = (1,\n')).toThrow(PySourceError);
    expect(() => pyStatements('x = 1)\n')).toThrow(PySourceError);
    expect(() => pyStatements('# -*- coding: latin-1 -*-\nx = 1\n')).toThrow(/not UTF-8/);
    expect(pyStatements('# -*- coding: utf-8 -*-\nx = 1\n')).toHaveLength(1);
  });
});

describe('pyLiteral', () => {
  it('reads str, int, None/True/False, tuples, lists, dotted names and calls', () => {
    expect(literal('x = "a" "b"')).toBe('ab');
    expect(literal('x = None')).toBeNull();
    expect(literal('x = (True, False, 3)')).toEqual({ tuple: [true, false, 3] });
    expect(literal('x = ("a")')).toBe('a');
    expect(literal('x = ("a",)')).toEqual({ tuple: ['a'] });
    expect(literal('x = ()')).toEqual({ tuple: [] });
    expect(literal('x = "a", "b"')).toEqual({ tuple: ['a', 'b'] });
    expect(literal('x = [("shop", "0001"), migrations.swappable_dependency(settings.AUTH_USER_MODEL),]')).toEqual({
      list: [{ tuple: ['shop', '0001'] }, { call: 'migrations.swappable_dependency', args: [{ name: 'settings.AUTH_USER_MODEL' }] }],
    });
  });

  it('refuses anything computed', () => {
    for (const src of ['x = "a" + "b"', 'x = f"{y}"', 'x = f(a=1)', 'x = [*y]', 'x = {"a": 1}', 'x = 1.5', 'x = -1', 'x = a[0]']) {
      expect(() => literal(src), src).toThrow(PySourceError);
    }
  });
});

describe('pyAssignment / pyMayBind / pyDocstring', () => {
  it('reads plain and annotated assignments, not chained or augmented ones', () => {
    expect(pyAssignment(statement('revision: str = "a"'))?.target).toBe('revision');
    expect(pyAssignment(statement('x = f(a=1)'))?.value.map((t) => t.v).join('')).toBe('f(a=1)');
    expect(pyAssignment(statement('a = b = "x"'))).toBeUndefined();
    expect(pyAssignment(statement('a += "x"'))).toBeUndefined();
    expect(pyAssignment(statement('a: str'))).toBeUndefined();
  });

  it('finds every way a statement can bind a name, and not attributes or keyword arguments', () => {
    const binds = ['revision = 1', 'revision += "x"', 'revision: str = "a"', 'revision: str', 'a, revision = 1, 2', '(revision) = 1', 'x[revision] = 1',
      'import revision', 'from m import revision', 'from m import a as revision', 'for revision in x: pass', 'with f() as revision: pass',
      'del revision', 'global revision', 'def revision(): pass', 'class revision: pass', 'print(revision := 1)'];
    for (const src of binds) expect(pyMayBind(statement(src), 'revision'), src).toBe(true);
    const reads = ['print(revision)', 'op.revision = 1', 'f(revision=1)', 'x = revision', 'down_revision = "a"'];
    for (const src of reads) expect(pyMayBind(statement(src), 'revision'), src).toBe(false);
  });

  it('reads the module docstring only when the first statement is plain str literals', () => {
    expect(pyDocstring(pyStatements('# c\n"""add users\n\nRevision ID: 1\n"""\nx = 1\n'))).toBe('add users\n\nRevision ID: 1\n');
    expect(pyDocstring(pyStatements('"a" "b"\n'))).toBe('ab');
    expect(pyDocstring(pyStatements('f"a"\n'))).toBeUndefined();
    expect(pyDocstring(pyStatements('x = 1\n"late"\n'))).toBeUndefined();
    expect(pyDocstring(pyStatements('"a".upper()\n'))).toBeUndefined();
  });

  it('detects star imports, and compares like Python (code points)', () => {
    expect(pyHasStarImport(pyStatements('from x import *\n'))).toBe(true);
    expect(pyHasStarImport(pyStatements('from x import y\nz = a * b\n'))).toBe(false);
    expect(['b', 'B', 'a_b', 'a', '\u{1F600}', '\uFF21'].sort(pyCompare)).toEqual(['B', 'a', 'a_b', 'b', '\uFF21', '\u{1F600}']);
  });
});
