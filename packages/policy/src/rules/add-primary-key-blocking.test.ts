import { ruleTester } from '../rule-tester.js';
import rule from './add-primary-key-blocking.js';

ruleTester.run(rule, {
  valid: [
    'ALTER TABLE items ADD CONSTRAINT items_pkey PRIMARY KEY USING INDEX items_id_idx;',
    'CREATE TABLE items (id bigint PRIMARY KEY);',
    { name: 'new table', sql: 'CREATE TABLE t (id int);\nALTER TABLE t ADD PRIMARY KEY (id);' },
  ],
  invalid: [
    { sql: 'ALTER TABLE items ADD PRIMARY KEY (id);', errors: [{ messageId: 'constraint', message: 'PRIMARY KEY (id) to items' }] },
    { sql: 'ALTER TABLE items ADD CONSTRAINT items_pkey PRIMARY KEY (tenant_id, id);', errors: [{ messageId: 'constraint' }] },
    { sql: 'ALTER TABLE items ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;', errors: [{ messageId: 'column' }] },
  ],
});
