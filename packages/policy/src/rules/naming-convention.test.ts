import { ruleTester } from '../rule-tester.js';
import rule from './naming-convention.js';

ruleTester.run(rule, {
  valid: ['CREATE TABLE user_accounts (id bigint, created_at timestamptz);', { sql: 'CREATE TABLE "tblUsers" (a int);', options: { table: '^tbl[A-Z]\\w*$' } }],
  invalid: [
    { sql: 'CREATE TABLE "UserAccounts" (id bigint);', errors: [{ messageId: 'name', message: 'table name "UserAccounts"' }] },
    { sql: 'ALTER TABLE t ADD COLUMN "createdAt" timestamptz;', errors: [{ messageId: 'name', message: 'column name "createdAt"' }] },
    { sql: 'CREATE INDEX "IDX_users_email" ON users (email);', errors: [{ messageId: 'name', message: 'index' }] },
    { sql: 'CREATE TABLE orders (id bigint, CONSTRAINT "PK_orders" PRIMARY KEY (id));', options: { constraint: '^[a-z_]+$' }, errors: [{ messageId: 'name', message: 'constraint name "PK_orders"' }] },
  ],
});
