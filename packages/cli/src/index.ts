export { main, type Io } from './program.js';
export { VERSION } from './version.js';
export { findRepoRoot, scopeToCwd, openSession, type GlobalOptions, type Session } from './session.js';
