// Progress for commands over several projects, shown only when the command runs longer than a
// second: a live task list on a terminal, one plain line per finished project otherwise. Always on
// stderr, so stdout stays the result (and --json stays one document).
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const DELAY_MS = 1000;

type TaskState = { id: string; status: 'waiting' | 'running' | 'ok' | 'failed'; started?: number; ms?: number };

export interface Progress {
  start(id: string): void;
  finish(id: string, ok: boolean): void;
  stop(): void;
}

export function createProgress(ids: string[], opts: { tty: boolean; write?: (s: string) => void; now?: () => number }): Progress {
  const write = opts.write ?? ((s: string) => void process.stderr.write(s));
  const now = opts.now ?? (() => performance.now());
  const tasks = new Map<string, TaskState>(ids.map((id) => [id, { id, status: 'waiting' }]));
  const began = now();
  let shown = false;
  let drawnLines = 0;
  let frame = 0;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const line = (t: TaskState) => {
    const elapsed = t.ms ?? (t.started !== undefined ? now() - t.started : 0);
    const mark = t.status === 'ok' ? '✔' : t.status === 'failed' ? '✖' : t.status === 'running' ? FRAMES[frame % FRAMES.length] : '·';
    return `${mark} ${t.id}${t.status === 'waiting' ? '' : `  ${seconds(elapsed)}`}`;
  };
  const draw = () => {
    if (!opts.tty) return;
    const lines = [...tasks.values()].map(line);
    write(`${drawnLines ? `\x1b[${drawnLines}A` : ''}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    drawnLines = lines.length;
  };
  const timer = setInterval(() => {
    frame++;
    if (!shown && now() - began >= DELAY_MS) {
      shown = true;
      if (!opts.tty) for (const t of tasks.values()) if (t.ms !== undefined) write(`metamig: ${line(t)}\n`);
    }
    if (shown) draw();
  }, 80);
  timer.unref();
  return {
    start(id) {
      const t = tasks.get(id);
      if (t) Object.assign(t, { status: 'running', started: now() });
    },
    finish(id, ok) {
      const t = tasks.get(id);
      if (!t) return;
      t.status = ok ? 'ok' : 'failed';
      t.ms = now() - (t.started ?? began);
      if (shown && !opts.tty) write(`metamig: ${line(t)}\n`);
    },
    stop() {
      clearInterval(timer);
      if (shown && opts.tty && drawnLines) write(`\x1b[${drawnLines}A${'\x1b[2K\n'.repeat(drawnLines)}\x1b[${drawnLines}A`); // clear the list
    },
  };
}
