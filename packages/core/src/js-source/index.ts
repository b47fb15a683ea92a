// A reader of JavaScript/TypeScript configuration modules (knexfiles, TypeORM data sources) that
// never runs them: for the fast status path, which must not boot Node tooling. Whatever it cannot
// read exactly throws StaticSyntaxError or yields an opaque value. Pure.
export { type ModuleContext, readModule } from './module.js';
export { StaticSyntaxError } from './tokenize.js';
export { type ClassInfo, type Value, alternatives, hasKey, member } from './values.js';
