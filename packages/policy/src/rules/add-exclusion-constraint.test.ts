import { ruleTester } from '../rule-tester.js';
import rule from './add-exclusion-constraint.js';

ruleTester.run(rule, {
  valid: [
    'CREATE TABLE bookings (room int, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&));',
    { name: 'new table', sql: 'CREATE TABLE b (r int4range);\nALTER TABLE b ADD EXCLUDE USING gist (r WITH &&);' },
  ],
  invalid: [{ sql: 'ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);', errors: [{ messageId: 'exclusion', message: 'cannot be added NOT VALID' }] }],
});
