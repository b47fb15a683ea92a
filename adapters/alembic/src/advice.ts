// Alembic-specific advice for `metamig heads`, on top of core's generic text. Pure.
import type { MigrationState } from '@metamig/core';

export function headsAdvice(state: MigrationState): string[] {
  const advice: string[] = [];
  if (state.heads.length > 1) {
    advice.push(
      `Alembic has ${state.heads.length} heads (${state.heads.join(', ')}): \`alembic upgrade heads\` (what \`metamig up\` runs) applies every branch, but \`alembic upgrade head\` fails until they are merged.`,
      `\`metamig merge ${state.project}\` runs \`alembic merge -m "merge heads" heads\`, which writes an empty revision whose down_revision lists all heads; commit it together with the branches.`,
    );
  }
  const missing = state.migrations.filter((m) => m.state === 'missing-file').map((m) => m.id);
  if (missing.length) {
    advice.push(
      `alembic_version holds ${missing.join(', ')}, which no revision file in this checkout defines: check out the code that has ${missing.length > 1 ? 'them' : 'it'} and roll back from there, or, if the schema already matches a revision you have, \`alembic stamp <revision>\` rewrites alembic_version without running anything.`,
    );
  }
  if (state.current.length > 1 && state.heads.length === 1) {
    advice.push(`The database is at ${state.current.length} branch heads (${state.current.join(', ')}); \`metamig up\` applies the merge revision that joins them.`);
  }
  return advice;
}
