import { as, strings } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'domain-constraint',
    code: 'PG210',
    defaultSeverity: 'warning',
    category: 'rewrite',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      create:
        'Domain {{domain}} carries a CHECK constraint: every later change to it re-checks every column of every table that uses it, and adding a column of this type rewrites the table.',
      alter:
        'ALTER DOMAIN {{domain}} ADD CONSTRAINT checks every row of every table with a column of this domain, holding a SHARE lock on each (writes wait) until it is done.',
    },
    docs: {
      summary: 'CHECK constraints on domains make later changes scan (or rewrite) every table that uses the domain.',
      problem:
        '`ALTER DOMAIN … ADD CONSTRAINT` validates every column of that domain in every table, locking each table against writes while it scans. A domain with constraints also forces a table rewrite whenever a column of that type is added. The cost grows silently as the domain spreads.',
      safeAlternative:
        'Put CHECK constraints on the columns (added `NOT VALID`, then validated). If you keep a domain constraint, add it with `ALTER DOMAIN … ADD CONSTRAINT … NOT VALID` and `VALIDATE CONSTRAINT` separately.',
      frameworks: {},
      examples: {
        unsafe: 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive CHECK (VALUE > 0);',
        safe: 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive CHECK (VALUE > 0) NOT VALID;',
      },
    },
  },
  create(ctx) {
    return {
      CreateDomainStmt(node) {
        if ((node.constraints ?? []).some((c) => as(c, 'Constraint')?.contype === 'CONSTR_CHECK')) ctx.report({ messageId: 'create', data: { domain: strings(node.domainname).join('.') } });
      },
      AlterDomainStmt(node) {
        const con = as(node.def, 'Constraint');
        if (node.subtype === 'C' && con?.contype === 'CONSTR_CHECK' && !con.skip_validation) ctx.report({ messageId: 'alter', data: { domain: strings(node.typeName).join('.') } });
      },
    };
  },
});
