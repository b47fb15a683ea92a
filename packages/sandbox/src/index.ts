export * from './select.js';
export * from './binaries.js';
export * from './postgres.js';
export * from './sqlite.js';
