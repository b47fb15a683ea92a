import { ruleTester } from '../rule-tester.js';
import rule from './detach-partition-non-concurrent.js';

ruleTester.run(rule, {
  valid: [
    'ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;',
    'ALTER TABLE events DETACH PARTITION events_2020 FINALIZE;',
    'ALTER TABLE events ATTACH PARTITION events_2021 FOR VALUES FROM (\'2021-01-01\') TO (\'2022-01-01\');',
  ],
  invalid: [
    { sql: 'ALTER TABLE events DETACH PARTITION events_2020;', errors: [{ messageId: 'accessExclusive', message: 'DETACH PARTITION events_2020 takes ACCESS EXCLUSIVE on events' }] },
    { sql: 'ALTER TABLE events DETACH PARTITION events_2020;', context: { pgVersion: 13 }, errors: [{ messageId: 'accessExclusive', message: 'PostgreSQL < 14' }] },
  ],
});
