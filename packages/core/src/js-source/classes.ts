// Classes, read without running them: the name, whether it extends or is decorated, its members
// (fields with their initial values, methods, accessors) and a constructor that only sets properties
// (what tsc emits for class fields). TypeORM names a migration by the instance's `name`, else the class.
// Shared by the Knex and TypeORM adapters (import from @metamig/core/js-source).
import type { Expressions } from './expressions.js';
import { OPEN, StaticSyntaxError } from './tokenize.js';
import type { ClassInfo, ClassMember, Value } from './values.js';

/** `class [name] [extends …] {…}`: its members, as far as the reader can tell. */
export function readClass(e: Expressions): Value {
  const start = e.pos;
  e.expect('class');
  const name = e.peek()?.type === 'name' && !['extends', 'implements'].includes(e.peek()!.value) && !e.is('{') ? e.next().value : undefined;
  if (e.is('<')) e.skipType(new Set(['{', 'extends', 'implements']));
  const info: ClassInfo = { name, heritage: false, decorated: e.decorators, staticBlock: false, members: [] };
  e.decorators = false;
  if (e.is('extends')) {
    e.pos++;
    info.heritage = true;
    const at = e.pos;
    e.postfix(e.primary(), at);
  }
  if (e.is('implements')) {
    e.pos++;
    e.skipType(new Set(['{']));
  }
  e.expect('{');
  while (!e.is('}')) classMember(e, info);
  e.pos++;
  e.unread(start);
  return { k: 'fn', kind: 'class', name, cls: info };
}

function classMember(e: Expressions, info: ClassInfo): void {
  if (e.is(';')) {
    e.pos++;
    return;
  }
  while (e.is('@')) {
    info.decorated = true;
    e.pos++;
    const at = e.pos;
    e.postfix(e.primary(), at);
  }
  let isStatic = false;
  let kind: ClassMember['kind'] = 'field';
  const MODIFIERS = ['static', 'public', 'private', 'protected', 'readonly', 'override', 'declare', 'abstract', 'accessor', 'async', 'get', 'set'];
  for (;;) {
    const t = e.peek();
    const n = e.peek(1);
    if (t?.type !== 'name' || !MODIFIERS.includes(t.value) || !n || n.nlBefore || ['(', '=', ';', ':', '?', '!', '}', '<'].includes(n.value)) break;
    if (t.value === 'static' && n.value === '{') {
      e.pos++;
      e.skipGroup();
      info.staticBlock = true;
      return;
    }
    if (t.value === 'static') isStatic = true;
    if (t.value === 'get' || t.value === 'set') kind = t.value;
    e.pos++;
  }
  if (e.is('*')) e.pos++;
  const rawKey = e.propertyKey();
  const key = typeof rawKey === 'string' ? rawKey : undefined;
  if (e.is('?') || e.is('!')) e.pos++;
  if (e.is('(') || e.is('<')) {
    if (e.is('<')) e.skipType(new Set(['(']));
    if (key === 'constructor' && !isStatic) {
      info.ctor = constructorBody(e);
      return;
    }
    e.skipGroup();
    if (e.is(':')) {
      e.pos++;
      e.skipType(new Set(['{', ';']));
    }
    if (e.is('{')) e.skipGroup();
    info.members.push({ key, isStatic, kind: kind === 'field' ? 'method' : kind });
    return;
  }
  if (e.is(':')) {
    e.pos++;
    e.skipType(new Set(['=', ';', '}']));
  }
  const member: ClassMember = { key, isStatic, kind: 'field' };
  if (e.is('=')) {
    e.pos++;
    const start = e.pos;
    member.init = e.assignment();
    e.unread(start);
  }
  info.members.push(member);
  if (e.is(';')) e.pos++;
  else if (!e.is('}') && !e.peek()?.nlBefore) throw new StaticSyntaxError(`unexpected token in a class body at offset ${e.peek()?.start ?? -1}`);
}

/** A constructor that only does `e.<key> = <value>;` (what tsc emits for class fields) is understood. */
function constructorBody(e: Expressions): NonNullable<ClassInfo['ctor']> {
  const params = !e.is(')', 1);
  e.skipGroup();
  const ctor = { params, assigns: new Map<string, Value>(), other: false };
  e.expect('{');
  while (!e.is('}')) {
    const start = e.pos;
    if (e.is('this') && e.is('.', 1) && e.peek(2)?.type === 'name' && e.is('=', 3)) {
      const key = e.peek(2)!.value;
      e.pos += 4;
      ctor.assigns.set(key, e.assignment());
      e.unread(start);
    } else if (e.is('super') && e.is('(', 1)) {
      e.pos++;
      e.skipGroup();
      ctor.other = true;
    } else {
      ctor.other = true;
      if (OPEN[e.peek()!.value] && e.peek()!.type === 'punct') e.skipGroup();
      else e.pos++;
      continue;
    }
    if (e.is(';')) e.pos++;
  }
  e.pos++;
  return ctor;
}
