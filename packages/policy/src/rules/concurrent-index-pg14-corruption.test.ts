import { ruleTester } from '../rule-tester.js';
import rule from './concurrent-index-pg14-corruption.js';

ruleTester.run(rule, {
  valid: [
    'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
    { sql: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);', context: { pgVersion: '14.4' } },
    { sql: 'CREATE INDEX users_email_idx ON users (email);', context: { pgVersion: '14.1' } },
  ],
  invalid: [
    { sql: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);', context: { pgVersion: '14.2' }, errors: [{ messageId: 'corrupt', message: 'PostgreSQL 14.2' }] },
    { sql: 'REINDEX INDEX CONCURRENTLY users_email_idx;', context: { pgVersion: 14 }, errors: [{ messageId: 'corrupt' }] },
  ],
});
