import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'privilege-changes',
    code: 'HY114',
    defaultSeverity: 'info',
    category: 'hygiene',
    engines: ['postgres'],
    since: '0.1.0',
    messages: {
      grant: '{{what}} in a migration: privileges and roles usually differ between environments, need a security review, and a REVOKE can cut off the running application.',
    },
    docs: {
      summary: 'GRANT/REVOKE and role changes inside migrations (opt-in).',
      problem: 'Roles and privileges are environment-specific (staging and production rarely share role names) and security-sensitive. A REVOKE from the application role takes effect immediately for the running code.',
      safeAlternative: 'Manage roles and grants in infrastructure code or a reviewed ops runbook; if they must live in migrations, review them like security changes.',
      frameworks: {},
      examples: { unsafe: 'GRANT SELECT ON orders TO reporting;', safe: 'COMMENT ON TABLE orders IS \'customer orders\';' },
    },
  },
  create(ctx) {
    const r = (what: string) => () => ctx.report({ messageId: 'grant', data: { what } });
    return {
      GrantStmt: (node) => ctx.report({ messageId: 'grant', data: { what: node.is_grant ? 'GRANT' : 'REVOKE' } }),
      GrantRoleStmt: (node) => ctx.report({ messageId: 'grant', data: { what: node.is_grant ? 'GRANT role' : 'REVOKE role' } }),
      CreateRoleStmt: r('CREATE ROLE'),
      AlterRoleStmt: r('ALTER ROLE'),
      DropRoleStmt: r('DROP ROLE'),
      AlterDefaultPrivilegesStmt: r('ALTER DEFAULT PRIVILEGES'),
    };
  },
});
