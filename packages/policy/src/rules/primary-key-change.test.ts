import { ruleTester } from '../rule-tester.js';
import rule from './primary-key-change.js';

ruleTester.run(rule, {
  valid: [
    'ALTER TABLE accounts DROP CONSTRAINT accounts_pkey, ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_uuid_idx;',
    'ALTER TABLE accounts DROP CONSTRAINT accounts_email_key;',
    'CREATE TABLE t (id int PRIMARY KEY);\nALTER TABLE t DROP CONSTRAINT t_pkey;',
  ],
  invalid: [
    { sql: 'ALTER TABLE accounts DROP CONSTRAINT accounts_pkey;', errors: [{ messageId: 'drop', message: 'removes the primary key of accounts' }] },
    { name: 'custom PK name seen earlier in the run', sql: 'ALTER TABLE accounts DROP CONSTRAINT acc_pk;', context: { before: ['CREATE TABLE accounts (id int, CONSTRAINT acc_pk PRIMARY KEY (id));'] }, errors: [{ messageId: 'drop' }] },
  ],
});
