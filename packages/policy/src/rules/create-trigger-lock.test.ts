import { ruleTester } from '../rule-tester.js';
import rule from './create-trigger-lock.js';

ruleTester.run(rule, {
  valid: [
    { name: 'trigger on a new table', sql: 'CREATE TABLE log (id bigint);\nCREATE TRIGGER log_t BEFORE INSERT ON log FOR EACH ROW EXECUTE FUNCTION f();' },
    'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;',
  ],
  invalid: [{ sql: 'CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit();', errors: [{ messageId: 'lock', message: 'SHARE ROW EXCLUSIVE' }] }],
});
