import { as, show, tableRef } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'vacuum-full-or-cluster',
    code: 'PG105',
    defaultSeverity: 'warning',
    category: 'locking',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      vacuum: 'VACUUM FULL {{table}} rewrites the whole table under ACCESS EXCLUSIVE: no read or write on it until the copy is finished, and it needs free disk for a second copy of the table.',
      cluster: 'CLUSTER {{table}} rewrites the whole table in index order under ACCESS EXCLUSIVE: no read or write on it until the copy is finished, and it needs free disk for a second copy.',
    },
    docs: {
      summary: 'VACUUM FULL and CLUSTER rewrite the table while blocking every read and write.',
      problem:
        '`VACUUM FULL` and `CLUSTER` copy the table into new files while holding ACCESS EXCLUSIVE: the table is unreadable and unwritable for the whole copy, and the disk must hold two copies. They also cannot run inside a transaction block (VACUUM).',
      safeAlternative:
        'Do not reclaim space in a migration. Use an online tool (pg_repack, pg_squeeze) from an operations runbook; plain `VACUUM` (without FULL) does not block reads or writes. PostgreSQL 19 adds `REPACK (CONCURRENTLY)`.',
      frameworks: {},
      examples: { unsafe: 'VACUUM FULL orders;', safe: 'VACUUM (ANALYZE) orders;' },
    },
  },
  create(ctx) {
    return {
      VacuumStmt(node) {
        if (!(node.options ?? []).some((o) => as(o, 'DefElem')?.defname === 'full')) return;
        const rels = (node.rels ?? []).map((r) => tableRef(as(r, 'VacuumRelation')?.relation)).filter((r) => r && !ctx.state.isNew(r));
        if (node.rels?.length && rels.length === 0) return;
        ctx.report({ messageId: 'vacuum', data: { table: rels.length ? rels.map(show).join(', ') : '(every table of the database)' } });
      },
      ClusterStmt(node) {
        const ref = tableRef(node.relation);
        if (ctx.state.isNew(ref)) return;
        ctx.report({ messageId: 'cluster', data: { table: ref ? show(ref) : '(every previously clustered table)' } });
      },
    };
  },
});
