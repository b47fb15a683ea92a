export * from './build.js';
export * from './markdown.js';
