// artisan's text output → normalized values. Pure. Two output generations exist:
// - Laravel <= 9.20 (Laravel 8 is recorded here): a box table for migrate:status, "Migrating: X" /
//   "Migrated:  X (1.2ms)" progress lines, "<name>: <sql>" pretend lines.
// - Laravel >= 9.21 (termwind components): dot-filled two-column lines ("X ..... [1] Ran"), task lines
//   ("X ..... 3ms DONE/FAIL"), a pretend header per migration followed by "⇂ <sql>" bullets.
import { errors } from '@metamig/core';

// ---- migrate:status ----------------------------------------------------------------------------

export interface StatusRow {
  name: string;
  ran: boolean;
  batch?: number;
}
export interface TextStatus {
  format: 'table' | 'two-column' | 'empty';
  /** "Migration table not found." (exit 1): a fresh database, every migration pending. */
  tableMissing: boolean;
  rows: StatusRow[];
}

const TABLE_ROW = /^\|\s*(Yes|No|Y|N)\s*\|\s*(\S+)\s*\|\s*(\d*)\s*\|\s*$/;
const TWO_COLUMN_ROW = /^\s+(\S+)\s+(?:\.+\s+)?(?:\[(\d+)\]\s+Ran|(Pending))\s*$/;

export function parseStatusText(text: string): TextStatus {
  const lines = text.split(/\r?\n/);
  const tableMissing = lines.some((l) => /Migration table not found\.?\s*$/.test(l));
  const rows: StatusRow[] = [];
  let format: TextStatus['format'] = 'empty';
  for (const line of lines) {
    const t = TABLE_ROW.exec(line);
    if (t) {
      format = 'table';
      const ran = t[1]!.startsWith('Y');
      rows.push({ name: t[2]!, ran, ...(ran && t[3] ? { batch: Number(t[3]) } : {}) });
      continue;
    }
    const c = TWO_COLUMN_ROW.exec(line);
    if (c && !/^Migration name$/.test(c[1]!)) {
      format = 'two-column';
      rows.push(c[3] ? { name: c[1]!, ran: false } : { name: c[1]!, ran: true, batch: Number(c[2]) });
    }
  }
  const noMigrations = lines.some((l) => /No migrations found/.test(l));
  if (!rows.length && !tableMissing && !noMigrations) throw errors.unparseable('artisan migrate:status', 'no status rows', text);
  return { format, tableMissing, rows };
}

// ---- migrate / migrate:rollback progress --------------------------------------------------------

export interface RunProgress {
  /** Completed, in output order. */
  done: string[];
  /** The migration that started but did not complete (the failing one). */
  failed?: string;
}

const L8_START = /^(?:Migrating|Rolling back):\s+(\S+)\s*$/;
const L8_DONE = /^(?:Migrated|Rolled back):\s+(\S+)\s+\([\d.,]+\s*m?s\)\s*$/;
const TASK = /^\s+(\S+)\s+(?:\.+\s*)?(?:[\d.,]+\s*m?s\s+)?(DONE|FAIL)\s*$/;

export function parseRunOutput(text: string): RunProgress {
  const done: string[] = [];
  let open: string | undefined;
  let failed: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const start = L8_START.exec(line);
    if (start) {
      open = start[1]!;
      continue;
    }
    const fin = L8_DONE.exec(line);
    if (fin) {
      done.push(fin[1]!);
      if (open === fin[1]) open = undefined;
      continue;
    }
    const task = TASK.exec(line);
    if (task && task[1] !== 'Creating') {
      if (task[2] === 'DONE') done.push(task[1]!);
      else failed ??= task[1]!;
    }
  }
  const result: RunProgress = { done };
  const f = failed ?? open;
  if (f) result.failed = f;
  return result;
}

// ---- the tool's own error message ---------------------------------------------------------------

/**
 * The message of the first exception artisan rendered: Symfony's "In File.php line N:" block (the
 * console default: each line of the message is cut into pieces of `columns - 5` characters and padded;
 * cut pieces are joined back here), or Collision's "  Namespace\SomeException" block when the app
 * has nunomaduro/collision. `columns` is the terminal width artisan saw (COLUMNS).
 */
export function toolMessage(text: string, columns = 1000): string | undefined {
  const lines = text.split(/\r?\n/);
  const symfony = lines.findIndex((l) => /^In \S+ line \d+:\s*$/.test(l));
  if (symfony >= 0) {
    let i = symfony + 1;
    while (i < lines.length && lines[i]!.trim() === '') i++;
    const block: string[] = [];
    for (; i < lines.length && lines[i]!.trim() !== ''; i++) block.push(lines[i]!.replace(/^ {2}/, ''));
    // Every line is "  " + piece + "  " + padding; a piece filling all columns - 1 - 4 was cut mid-text
    // (a cut right after a space is indistinguishable from a line end: it reads as a line break).
    const cut = columns - 5;
    let out = '';
    block.forEach((l, k) => {
      const piece = l.replace(/\s+$/, '');
      out += piece + (k === block.length - 1 || piece.length === cut ? '' : '\n');
    });
    if (out.trim()) return out.trim();
  }
  const collision = lines.findIndex((l) => /^\s+(?:[A-Z]\w*\\)+\w+\s*$/.test(l));
  if (collision >= 0) {
    let i = collision + 1;
    while (i < lines.length && lines[i]!.trim() === '') i++;
    const block: string[] = [];
    for (; i < lines.length && lines[i]!.trim() !== ''; i++) block.push(lines[i]!.trim());
    if (block.length) return block.join('\n');
  }
  const error = lines.find((l) => /^\s*ERROR\s{2}\S/.test(l));
  if (error) return error.trim().replace(/^ERROR\s+/, '');
  if (lines.some((l) => l.includes('Command Canceled!'))) return 'Command Canceled!';
  return undefined;
}

/** Laravel 8's SQLite connector: `Database (<path>) does not exist.` */
export function missingSqliteFrom(message: string): string | undefined {
  return /Database \((.+)\) does not exist\./.exec(message)?.[1] ?? /database file at path \[(.+?)\] does not exist/i.exec(message)?.[1];
}

// ---- --pretend -----------------------------------------------------------------------------------

export interface PretendStep {
  id: string;
  statements: string[];
  /** Laravel's "failed to dump queries …" (Doctrine column changes cannot be pretended). */
  failedToDump?: string;
}
export interface PretendOutput {
  steps: PretendStep[];
  /** --pretend ran migrate:install first (the migrations table did not exist). */
  createdTable: boolean;
  /** "Nothing to migrate" / "Nothing to rollback". */
  nothing: boolean;
  /** Lines that are neither a step, a statement nor a known message. */
  unrecognized: string[];
}

/** Laravel's Str::studly: the class name a named migration has (`add_email` → `AddEmail`). */
export function studly(s: string): string {
  return s
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** The descriptive part of a migration name, without Laravel's 4-part date prefix. */
export const descriptionOf = (id: string): string => id.split('_').slice(4).join('_') || id;

/**
 * Per-migration SQL from `migrate --pretend` / `migrate:rollback --pretend`. Anonymous migrations are
 * printed by file name, named ones by class name: `ids` (the selected migrations) resolves both.
 */
export function parsePretend(text: string, ids: string[]): PretendOutput {
  const byLabel = new Map<string, string>();
  for (const id of ids) {
    byLabel.set(id, id);
    if (!byLabel.has(studly(descriptionOf(id)))) byLabel.set(studly(descriptionOf(id)), id);
  }
  const steps: PretendStep[] = [];
  const out: PretendOutput = { steps, createdTable: false, nothing: false, unrecognized: [] };
  let step: PretendStep | undefined;
  let statement: { step: PretendStep; index: number; joiner: string } | undefined;
  const open = (id: string): PretendStep => {
    const found = steps.find((s) => s.id === id);
    if (found) return found;
    const s: PretendStep = { id, statements: [] };
    steps.push(s);
    return s;
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '');
    if (!line.trim()) continue;
    if (/Migration table created successfully|Creating migration table/.test(line)) {
      out.createdTable = true;
      continue;
    }
    if (/Nothing to (?:migrate|rollback)/.test(line)) {
      out.nothing = true;
      continue;
    }
    if (/^\s*INFO\s{2}/.test(line) || /^Rolled back:|^Migrated:/.test(line)) continue;
    if (/failed to dump queries/.test(line)) {
      const id = ids.find((i) => line.includes(i)) ?? [...byLabel.entries()].find(([label]) => line.includes(`[${label}]`) || line.startsWith(`${label}:`))?.[1] ?? step?.id;
      if (id) open(id).failedToDump = line.replace(/^.*?failed to dump queries/, 'failed to dump queries').trim();
      statement = undefined;
      continue;
    }
    const rolling = /^Rolling back:\s+(\S+)$/.exec(line);
    if (rolling) {
      step = open(byLabel.get(rolling[1]!) ?? rolling[1]!);
      statement = undefined;
      continue;
    }
    const l8 = /^(\S+?): (.*)$/.exec(line);
    if (l8 && byLabel.has(l8[1]!)) {
      step = open(byLabel.get(l8[1]!)!);
      step.statements.push(l8[2]!);
      statement = { step, index: step.statements.length - 1, joiner: '\n' };
      continue;
    }
    const header = /^\s*(\S+)(?:\s+\.+)?$/.exec(line);
    if (header && byLabel.has(header[1]!)) {
      step = open(byLabel.get(header[1]!)!);
      statement = undefined;
      continue;
    }
    const bullet = /^\s*⇂\s(.*)$/.exec(line);
    if (bullet && step) {
      step.statements.push(bullet[1]!.trim());
      statement = { step, index: step.statements.length - 1, joiner: ' ' };
      continue;
    }
    if (statement) {
      // Laravel 8 prints multi-line SQL as is; termwind wraps long bullets onto indented lines.
      const s = statement.step.statements;
      s[statement.index] += statement.joiner + (statement.joiner === ' ' ? line.trim() : line);
      continue;
    }
    out.unrecognized.push(line);
  }
  return out;
}
