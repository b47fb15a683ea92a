// Errors are printed once, here, at the edge: summary, why, fix, and the tool's own words.
import type { ErrorJson } from '@metamig/core';
import { c } from './style.js';

export function renderError(e: ErrorJson, indent = ''): string {
  const lines = [`${indent}${c.red('error')} ${c.bold(e.summary)} ${c.dim(`[${e.code}]`)}`];
  const block = (label: string, text: string | undefined) => {
    if (!text) return;
    const body = text.split('\n');
    lines.push(`${indent}  ${c.dim(label)} ${body[0]}`);
    for (const l of body.slice(1)) lines.push(`${indent}  ${' '.repeat(label.length)} ${l}`);
  };
  block('why:', e.why);
  if (e.toolOutput) {
    lines.push(`${indent}  ${c.dim('tool output:')}`);
    for (const l of e.toolOutput.split('\n')) lines.push(`${indent}    ${l}`);
  }
  block('fix:', e.fix);
  return lines.join('\n');
}
