export * from './select.js';
export * from './binaries.js';
export * from './postgres.js';
export * from './sqlite.js';
export * from './snapshot/index.js';
export * from './observe.js';
export * from './seed.js';
export * from './verify.js';
