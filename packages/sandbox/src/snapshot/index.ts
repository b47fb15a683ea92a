export * from './types.js';
export * from './postgres.js';
export * from './sqlite.js';
export * from './diff.js';
