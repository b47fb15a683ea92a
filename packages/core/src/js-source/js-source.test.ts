// The static reader (tokenizer, expressions, module exports and the "nothing else changes it" check).
// Used by the Knex and TypeORM adapters through @metamig/core/js-source.
import { describe, expect, it } from 'vitest';
import { type ModuleContext, readModule } from './module.js';
import { StaticSyntaxError, allNames, tokenize } from './tokenize.js';
import { type Value, alternatives, member } from './values.js';

const CJS: ModuleContext = { file: '/app/config/knexfile.js', cwd: '/app', module: 'cjs', typescript: false };
const ESM: ModuleContext = { ...CJS, module: 'esm' };
const TS: ModuleContext = { ...CJS, file: '/app/config/data-source.ts', module: 'ts', typescript: true };

/** Plain JSON of what the reader knows ('?' for anything it cannot know). */
function plain(v: Value): unknown {
  switch (v.k) {
    case 'str':
    case 'num':
    case 'bool':
      return v.v;
    case 'null':
      return null;
    case 'undef':
      return undefined;
    case 'arr':
      return v.items.map(plain);
    case 'obj':
      return Object.fromEntries(v.entries.map((e) => ('key' in e ? [e.key, plain(e.value)] : ['…', '?'])));
    case 'cond':
      return { oneOf: v.options.map(plain) };
    case 'new':
      return { new: v.ctor, args: v.args.map(plain) };
    case 'fn':
      return `fn ${v.kind} ${v.name ?? ''}`.trim();
    case 'builtin':
      return `builtin ${v.id}`;
    default:
      return '?';
  }
}
const read = (src: string, ctx = CJS) => readModule(src, ctx);
const exportsOf = (src: string, ctx = CJS) => plain(read(src, ctx).exports);

describe('tokenize', () => {
  it('keeps strings, comments, templates and regular expressions apart from code', () => {
    const src = `const a = 'it\\'s // not a comment'; /* module.exports = 1 */ const b = \`x\${ {c: '}'}.c }y\`; const r = /[/'"]+/g; // tail`;
    const tokens = tokenize(src);
    expect(tokens.filter((t) => t.type === 'string').map((t) => t.value)).toEqual(["it's // not a comment"]);
    expect(tokens.find((t) => t.type === 'template')?.parts).toEqual(['x', 'y']);
    expect(tokens.find((t) => t.type === 'regex')?.value).toBe(`/[/'"]+/g`);
    expect(allNames(tokens).map((t) => t.value)).toEqual(['const', 'a', 'const', 'b', 'c', 'c', 'const', 'r']);
    expect(tokens.some((t) => t.value === 'module')).toBe(false);
  });

  it('decodes escapes and marks line breaks; refuses what it cannot read', () => {
    const [s] = tokenize(`"\\x41\\u0042\\u{43}\\n"`);
    expect(s!.value).toBe('ABC\n');
    expect(tokenize('a\nb').map((t) => t.nlBefore)).toEqual([false, true]);
    expect(tokenize('a / b / c').filter((t) => t.type === 'regex')).toEqual([]);
    expect(() => tokenize(`const a = 'open`)).toThrow(StaticSyntaxError);
    expect(() => tokenize('const a = `${b')).toThrow(StaticSyntaxError);
  });
});

describe('readModule: values', () => {
  it('follows consts, spreads, conditions, path.join, __dirname and environment variables', () => {
    const src = `
      const path = require('node:path');
      const base = { directory: path.join(__dirname, 'migrations'), tableName: 'history' };
      module.exports = process.env.DATABASE_URL
        ? { client: 'pg', connection: process.env.DATABASE_URL, migrations: { ...base } }
        : { client: 'better-sqlite3', migrations: { ...base, tableName: 'local' } };`;
    expect(exportsOf(src)).toEqual({
      oneOf: [
        { client: 'pg', connection: '?', migrations: { directory: '/app/config/migrations', tableName: 'history' } },
        { client: 'better-sqlite3', migrations: { directory: '/app/config/migrations', tableName: 'local' } },
      ],
    });
  });

  it('knows import.meta in ES modules, fileURLToPath, path.resolve against the cwd, templates and +', () => {
    const src = `
      import { fileURLToPath } from 'node:url';
      import * as path from 'path';
      const here = path.dirname(fileURLToPath(import.meta.url));
      export default { a: \`\${here}/db\`, b: path.resolve('src', 'x') + '/*.js', c: import.meta.dirname };`;
    expect(exportsOf(src, ESM)).toEqual({ default: { a: '/app/config/db', b: '/app/src/x/*.js', c: '/app/config' } });
  });

  it('reads TypeScript: annotations, as/satisfies, non-null, import type, interfaces and enums', () => {
    const src = `
      import type { Knex } from 'knex';
      import path from 'node:path';
      interface Extra { a: string }
      type Env = 'development' | 'production';
      enum Mode { A, B }
      const config: { [env in Env]?: Knex.Config } = {
        development: { client: 'pg', migrations: { directory: path.join(__dirname, 'm') } as Knex.MigratorConfig },
      } satisfies Record<string, Knex.Config>;
      const list = [1, 2] as const;
      export default config!;`;
    expect(exportsOf(src, TS)).toEqual({ default: { development: { client: 'pg', migrations: { directory: '/app/config/m' } } } });
  });

  it('builds DataSource values from typeorm, and classes with their members', () => {
    const src = `
      const { DataSource } = require('typeorm');
      class M1700000000000 { name = 'M1700000000000'; transaction = false; async up(q) {} async down(q) { throw new Error('no'); } }
      module.exports = { ds: new DataSource({ type: 'postgres', migrations: ['a/*.js'] }), M1700000000000 };`;
    const r = read(src);
    expect(plain(r.exports)).toEqual({ ds: { new: 'typeorm.DataSource', args: [{ type: 'postgres', migrations: ['a/*.js'] }] }, M1700000000000: 'fn class M1700000000000' });
    const cls = member(r.exports, 'M1700000000000');
    expect(cls.k === 'fn' && cls.cls?.members.map((m) => [m.key, m.kind, m.init && plain(m.init)])).toEqual([
      ['name', 'field', 'M1700000000000'],
      ['transaction', 'field', false],
      ['up', 'method', undefined],
      ['down', 'method', undefined],
    ]);
  });

  it('reads exports the way Node loads them: CommonJS, tsc output, ES modules (sorted namespace)', () => {
    expect(exportsOf(`exports.b = 1;\nexports.a = 2;`)).toEqual({ b: 1, a: 2 });
    expect(exportsOf(`"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.X = exports.Y = void 0;\nclass X {}\nexports.X = X;\nexports.Y = 3;`)).toEqual({ X: 'fn class X', Y: 3 });
    expect(exportsOf(`export const b = 1;\nexport default 'd';\nconst a = 2;\nexport { a };`, ESM)).toEqual({ a: 2, b: 1, default: 'd' });
    expect(exportsOf(`export const b = 1;\nexport default class {}`, TS)).toEqual({ default: 'fn class default', b: 1 });
  });

  it('skips statements it does not evaluate, with or without semicolons', () => {
    const src = `
      require('dotenv').config()
      if (process.env.X) { console.log('x') } else console.log('y')
      for (const k of [1]) {}
      try { x() } catch { y() } finally {}
      function helper(a) { return a * 2 }
      const value = 'kept'
      module.exports = { value }`;
    expect(exportsOf(src)).toEqual({ value: 'kept' });
  });

  it('says what it cannot know', () => {
    expect(exportsOf(`module.exports = makeConfig();`)).toBe('?');
    expect(exportsOf(`module.exports = { a: process.env.A ?? 'x', b: [...list], c: obj[key] };`)).toEqual({ a: '?', b: '?', c: '?' });
    expect(exportsOf(`module.exports = { a: config, b: __dirname };`, ESM)).toBe('?'); // module.exports in an ES module
    expect(exportsOf(`export default { a: __dirname };`, ESM)).toEqual({ default: { a: '?' } });
    expect(exportsOf(`export default 1;`)).toBe('?'); // export in a CommonJS .js file
    expect(exportsOf(`export * from './other';`, ESM)).toBe('?');
    const early = exportsOf(`module.exports = { a: later };\nconst later = 1;`);
    expect(early).toEqual({ a: '?' });
    expect(alternatives({ k: 'cond', options: [{ k: 'str', v: 'a' }, { k: 'cond', options: [{ k: 'num', v: 1 }] }] }).map(plain)).toEqual(['a', 1]);
  });

  it('refuses syntax it does not follow', () => {
    expect(() => read(`const a = <T>b;`, TS)).toThrow(StaticSyntaxError);
    expect(() => read(`module.exports = { a: }`)).toThrow(StaticSyntaxError);
  });
});

describe('readModule: verify (nothing else may change what was used)', () => {
  /** Everything a caller reading the whole export would touch (members carry their containers' bindings). */
  const everything = (v: Value, out: Value[] = []): Value[] => {
    out.push(v);
    if (v.k === 'cond') alternatives(v).forEach((a) => everything(a, out));
    if (v.k === 'obj') v.entries.forEach((e) => 'key' in e && everything(member(v, e.key), out));
    if (v.k === 'arr') v.items.forEach((i) => everything(i, out));
    return out;
  };
  const usedExports = (src: string, ctx = CJS) => {
    const r = read(src, ctx);
    return r.verify(everything(r.exports));
  };

  it('accepts plain data', () => {
    expect(usedExports(`const path = require('path');\nconst shared = { a: path.join(__dirname, 'm') };\nmodule.exports = { ...shared };`)).toBeUndefined();
    expect(usedExports(`const dir = 'm';\nfunction f() { return dir }\nmodule.exports = { dir };`)).toBeUndefined(); // a const string cannot change
  });

  it('refuses a binding changed, passed to code, or mentioned in a function', () => {
    expect(usedExports(`const config = { a: 1 };\nconfig.a = 2;\nmodule.exports = config;`)).toMatch(/config \(line 1\) is also used on line 2/);
    expect(usedExports(`const config = { a: 1 };\nObject.assign(config, { a: 2 });\nmodule.exports = config;`)).toMatch(/config .* line 2/);
    expect(usedExports(`const config = { a: [] };\nmodule.exports = { ...config, b: config.a.push(1) };`)).toMatch(/config/);
    expect(usedExports(`let config = { a: 1 };\nif (x) config = { a: 2 };\nmodule.exports = config;`)).toMatch(/config/);
    expect(usedExports(`const config = { a: 1 };\nfunction tweak() { config.a = 2 }\nmodule.exports = config;`)).toMatch(/config/);
    expect(usedExports(`const config = { a: 1 };\nconst x = (config.a = 3);\nmodule.exports = config;`)).toMatch(/config/);
  });

  it('refuses exports changed after the fact, and eval', () => {
    expect(usedExports(`module.exports = { a: 1 };\nmodule.exports.a = 2;`)).toBeUndefined(); // reported through the exports value instead:
    expect(exportsOf(`module.exports = { a: 1 };\nmodule.exports.a = 2;`)).toBe('?');
    expect(usedExports(`module.exports = { a: 1 };\nsetup(module);`)).toMatch(/uses module/);
    expect(usedExports(`const c = { a: 1 };\neval('c.a = 2');\nmodule.exports = c;`)).toMatch(/eval/);
    expect(usedExports(`export const c = { a: 1 };\nc.a = 2;`, ESM)).toMatch(/c \(line 1\) is also used on line 2/);
  });
});
