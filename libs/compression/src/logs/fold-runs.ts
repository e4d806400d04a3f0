import { findStamp, type Stamp } from './log-line';

/**
 * Lossless folding of a log: a run of identical lines, or of lines identical but for their timestamp, becomes
 * the first line plus one note that says exactly how to rebuild the rest:
 *
 *   [Sun Dec 04 04:51:14 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties
 *   [leeway: the line above repeats 2 more times]
 *   [10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS
 *   [leeway: the line above repeats 3 more times, only its timestamp changing to: 10.30 16:49:07 ×2; 10.30 16:49:09]
 *
 * "Its timestamp" is the first one in the line (the text `findStamp` finds); each listed value replaces it in
 * one more line, `value ×k` in k consecutive lines. A run is folded only when its note is shorter than the
 * lines it replaces, so the output never grows. Nothing else changes: the input can be rebuilt exactly.
 */

export const REPEAT_NOTE_PREFIX = '[leeway: the line above repeats ';

/** Timestamp values must not contain what the note uses as separators. */
const SAFE_STAMP_RE = /^[^;×\]\n]+$/;

export function foldRuns(lines: readonly string[]): string[] {
  // A log that already holds notes like ours could not be decoded unambiguously: leave it alone.
  if (lines.some((l) => l.startsWith(REPEAT_NOTE_PREFIX))) return lines.slice();
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const run = line.trim().length > 0 ? (foldIdentical(lines, i) ?? foldStampRun(lines, i)) : null;
    if (run !== null) {
      out.push(line, run.note);
      i = run.end;
    } else {
      out.push(line);
      i++;
    }
  }
  return out;
}

function times(n: number): string {
  return `${n} more time${n === 1 ? '' : 's'}`;
}

/** A run of lines equal to line i (when the next line differs in its timestamp too, the stamp run is longer). */
function foldIdentical(lines: readonly string[], i: number): { note: string; end: number } | null {
  const line = lines[i]!;
  let j = i + 1;
  while (j < lines.length && lines[j] === line) j++;
  if (j - i < 2) return null;
  // If the run goes on with other timestamps, let the stamp run take all of it.
  if (j < lines.length && sameShape(line, lines[j]!)) {
    const stamped = foldStampRun(lines, i);
    if (stamped !== null && stamped.end > j) return stamped;
  }
  const note = `${REPEAT_NOTE_PREFIX}${times(j - i - 1)}]`;
  return note.length < (j - i - 1) * (line.length + 1) ? { note, end: j } : null;
}

/** Cheap test before any regex: about as long and ending alike. */
function sameShape(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 8) return false;
  const tail = Math.min(12, a.length, b.length);
  return a.endsWith(b.slice(b.length - tail));
}

/** A run starting at line i of lines equal to it outside their first timestamp, when folding it pays. */
function foldStampRun(lines: readonly string[], i: number): { note: string; end: number } | null {
  const line = lines[i]!;
  if (i + 1 >= lines.length || !sameShape(line, lines[i + 1]!)) return null;
  const first = findStamp(line);
  if (first === null) return null;
  const before = line.slice(0, first.start);
  const after = line.slice(first.end);
  const values: string[] = [];
  let replaced = 0;
  let j = i + 1;
  for (; j < lines.length; j++) {
    const other = lines[j]!;
    if (other.length < before.length + after.length || !other.startsWith(before) || !other.endsWith(after)) break;
    const s: Stamp | null = findStamp(other);
    if (s === null || s.start !== first.start || s.end !== other.length - after.length) break;
    const value = other.slice(s.start, s.end);
    if (!SAFE_STAMP_RE.test(value)) break;
    values.push(value);
    replaced += other.length + 1;
  }
  if (values.length === 0) return null;
  const parts: string[] = [];
  for (let k = 0; k < values.length; ) {
    let r = k + 1;
    while (r < values.length && values[r] === values[k]) r++;
    parts.push(r - k > 1 ? `${values[k]} ×${r - k}` : values[k]!);
    k = r;
  }
  const note = `${REPEAT_NOTE_PREFIX}${times(values.length)}, only its timestamp changing to: ${parts.join('; ')}]`;
  return note.length < replaced ? { note, end: j } : null;
}

const NOTE_RE = /^\[leeway: the line above repeats (\d+) more times?(?:, only its timestamp changing to: (.*))?\]$/;

/** The inverse of {@link foldRuns}: what a reader of the notes rebuilds (used to prove the folding lossless). */
export function unfoldRuns(folded: readonly string[]): string[] {
  const out: string[] = [];
  let above: string | undefined;
  for (const line of folded) {
    const m = NOTE_RE.exec(line);
    if (m === null || above === undefined) {
      out.push(line);
      above = line;
      continue;
    }
    const n = Number(m[1]);
    const stamp = m[2] === undefined ? null : findStamp(above);
    if (m[2] === undefined || stamp === null) {
      for (let k = 0; k < n; k++) out.push(above);
      continue;
    }
    for (const part of m[2].split('; ')) {
      const x = /^(.*) ×(\d+)$/.exec(part);
      const value = x ? x[1]! : part;
      const count = x ? Number(x[2]) : 1;
      for (let k = 0; k < count; k++) out.push(above.slice(0, stamp.start) + value + above.slice(stamp.end));
    }
  }
  return out;
}
