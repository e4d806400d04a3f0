import { isContinuation, stampReader, isTraceLine, readSeverity, type Severity, type Stamp } from './log-line';

/** One log record: a head line plus the lines that continue it (stack-trace frames, wrapped text). */
export interface LogRecord {
  /** Line index of the head line. */
  readonly start: number;
  /** Line index after the last line of the record. */
  readonly end: number;
  readonly stamp: Stamp | null;
  /** Offset in the head line where its message starts (after the timestamp prefix and the header before a level). */
  readonly messageAt: number;
  readonly level: Severity | null;
  /** A failure or warning: high level, failure words, or a stack trace among its lines. */
  readonly important: boolean;
}

/** Share of non-blank lines with a timestamp from which a log counts as stamped. */
const STAMPED_SHARE = 0.8;

/** Split lines into records. Linear: one stamp search and one severity read per line. */
export function parseRecords(lines: readonly string[]): { records: LogRecord[]; stamps: (Stamp | null)[] } {
  const read = stampReader();
  const stamps = lines.map((l) => (l.length === 0 ? null : read(l)));
  let nonBlank = 0;
  let stampedLines = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim().length === 0) continue;
    nonBlank++;
    if (stamps[i] !== null) stampedLines++;
  }
  const stamped = nonBlank > 0 && stampedLines / nonBlank >= STAMPED_SHARE;

  const records: LogRecord[] = [];
  let i = 0;
  while (i < lines.length) {
    const head = lines[i]!;
    const stamp = stamps[i] ?? null;
    let j = i + 1;
    let trace = false;
    while (j < lines.length && isContinuation(lines[j]!, stamps[j] ?? null, stamped)) {
      if (!trace && isTraceLine(lines[j]!)) trace = true;
      j++;
    }
    const severity = readSeverity(head);
    const prefixEnd = stamp?.prefixEnd ?? 0;
    records.push({
      start: i,
      end: j,
      stamp,
      messageAt: Math.max(prefixEnd, severity.levelAt),
      level: severity.level,
      important: severity.important || trace || isTraceLine(head),
    });
    i = j;
  }
  return { records, stamps };
}
