// Minimal terminal styling: colours only on a TTY and never when NO_COLOR is set.
import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];
const enabled = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const paint = (style: Style) => (s: string) => (enabled() ? styleText(style, s) : s);

export const c = {
  bold: paint('bold'),
  dim: paint('dim'),
  red: paint('red'),
  green: paint('green'),
  yellow: paint('yellow'),
  cyan: paint('cyan'),
};

/** A plain aligned table: the header row, then one row per item; widths from the content. */
export function table(header: string[], rows: string[][], indent = '  '): string {
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths = header.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) =>
    indent + cells.map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visible(cell)))).join('  ').trimEnd();
  return [line(header.map((h) => c.dim(h))), ...rows.map(line)].join('\n');
}

export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

export function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
