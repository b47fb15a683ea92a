import { describe, expect, it, vi } from 'vitest';
import { createProgress } from './progress.js';

describe('progress', () => {
  it('stays silent for commands faster than a second', () => {
    vi.useFakeTimers();
    const out: string[] = [];
    let t = 0;
    const p = createProgress(['a', 'b'], { tty: false, write: (s) => out.push(s), now: () => t });
    p.start('a');
    t = 300;
    p.finish('a', true);
    vi.advanceTimersByTime(500);
    p.stop();
    vi.useRealTimers();
    expect(out).toEqual([]);
  });

  it('prints one plain line per finished project after a second, off a terminal', () => {
    vi.useFakeTimers();
    const out: string[] = [];
    let t = 0;
    const p = createProgress(['a', 'b'], { tty: false, write: (s) => out.push(s), now: () => t });
    p.start('a');
    p.start('b');
    t = 400;
    p.finish('a', true);
    t = 1100;
    vi.advanceTimersByTime(1100);
    t = 2500;
    p.finish('b', false);
    p.stop();
    vi.useRealTimers();
    expect(out).toEqual(['metamig: ✔ a  0.4 s\n', 'metamig: ✖ b  2.5 s\n']);
  });

  it('draws and then clears a task list on a terminal', () => {
    vi.useFakeTimers();
    const out: string[] = [];
    let t = 0;
    const p = createProgress(['a'], { tty: true, write: (s) => out.push(s), now: () => t });
    p.start('a');
    t = 1200;
    vi.advanceTimersByTime(1200);
    expect(out.join('')).toMatch(/a {2}1\.2 s/);
    p.finish('a', true);
    p.stop();
    vi.useRealTimers();
    expect(out[out.length - 1]).toContain('\x1b[1A');
  });
});
