import { describe, expect, it } from 'vitest';
import { MigratorError } from './errors.js';
import { readHelperDocument } from './helper-document.js';

const opts = { helper: 'the demo helper', op: 'status', requiredArrays: { status: ['files'], plan: ['steps'] } };
const read = (stdout: string) => readHelperDocument({ stdout, stderr: 'stderr text' }, opts);

describe('readHelperDocument', () => {
  it('takes the last non-empty line, after whatever the migrations printed', () => {
    const doc = read('migrating…\n{"not":"this"}\n{"protocol":1,"op":"status","ok":true,"log":[],"files":["a"]}\n\n');
    expect(doc.files).toEqual(['a']);
  });

  it('does not ask a failed answer for the fields of a successful one', () => {
    expect(read('{"protocol":1,"op":"status","ok":false,"log":[],"error":{"message":"x"}}').ok).toBe(false);
  });

  it.each([
    ['Segmentation fault', 'no JSON document'],
    ['{"protocol":2,"op":"status","ok":true,"log":[]}', 'protocol 2'],
    ['{"protocol":1,"op":"up","ok":true,"log":[]}', 'an answer for "up"'],
    ['{"protocol":1,"op":"status","ok":"yes","log":[]}', 'a malformed document'],
    ['{"protocol":1,"op":"status","ok":true,"log":[]}', 'a status without files'],
  ])('refuses %s: %s, with all the output', (stdout, problem) => {
    let caught: unknown;
    try {
      read(stdout);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MigratorError);
    const e = caught as MigratorError;
    expect(e.code).toBe('TOOL.OUTPUT_UNPARSEABLE');
    expect(e.message).toContain(`Could not understand the output of the demo helper (status: ${problem})`);
    expect(e.toolOutput).toBe(`${stdout}\nstderr text`);
  });
});
