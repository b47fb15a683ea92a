import { ruleTester } from '../rule-tester.js';
import rule from './observed-long-lock.js';

const lock = (mode: string, heldMs: number) => ({ observations: [{ statement: 0, locks: [{ relation: 'users', mode: mode as 'SHARE', heldMs }] }] });

ruleTester.run(rule, {
  valid: [
    'ALTER TABLE users ADD COLUMN bio text;',
    { sql: 'ALTER TABLE users ADD COLUMN bio text;', context: lock('ACCESS EXCLUSIVE', 40) },
    { name: 'non-blocking lock', sql: 'CREATE INDEX CONCURRENTLY i ON users (a);', context: lock('SHARE UPDATE EXCLUSIVE', 60_000) },
    { name: 'threshold raised', sql: 'ALTER TABLE users ADD COLUMN bio text;', options: { thresholdMs: 5000 }, context: lock('ACCESS EXCLUSIVE', 2100) },
  ],
  invalid: [
    { sql: 'ALTER TABLE users ADD COLUMN bio text;', context: lock('ACCESS EXCLUSIVE', 2100), errors: [{ messageId: 'held', message: 'ACCESS EXCLUSIVE on users for 2.1 s, blocking reads and writes' }] },
    { sql: 'CREATE INDEX i ON users (a);', context: lock('SHARE', 90_000), errors: [{ messageId: 'held', message: 'blocking writes' }] },
  ],
});
