/**
 * One log line, read without knowing its format: where its timestamp is, how severe it is, and whether it
 * continues the record above it (stack-trace frames, `Caused by:`, Python tracebacks).
 *
 * Formats covered by the patterns below (all from real logs): ISO and ISO-like stamps (Hadoop, Zookeeper,
 * Windows CBS, OpenStack, BGL's `2005-06-03-15.42.50.675872`), syslog (`Jun 14 15:16:01`), ctime (Apache
 * `[Sun Dec 04 04:47:44 2005]`), logcat (`03-17 16:13:38.811`), Spark (`17/06/09 20:10:40`), Proxifier
 * (`[10.30 16:49:06]`), HealthApp (`20171223-22:15:29:606`), HDFS (`081109 203615`), epoch seconds.
 */

const MON = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const CLOCK = String.raw`\d{1,2}:\d{2}(?::\d{2})?(?:[.,:]\d{1,9})?`;

/** Stamps with a clock time; the earliest match in the head of the line wins. */
const FULL_STAMPS = [
  String.raw`${DAY},? ${MON} +\d{1,2},? ${CLOCK}(?: \d{4})?`,
  String.raw`\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]|-(?=\d{1,2}[.:]))\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?`,
  String.raw`${MON} +\d{1,2}(?: \d{4})? ${CLOCK}`,
  String.raw`\b\d{2}[-/.]\d{2}(?:[-/.]\d{2,4})? ${CLOCK}`,
  String.raw`\b\d{8}-\d{1,2}:\d{1,2}:\d{1,2}(?::\d{1,3})?`,
];
/** Fallbacks without a clock part: HDFS `081109 203615`, epoch seconds, a bare date or clock. */
const PARTIAL_STAMPS = [
  String.raw`\b\d{6} \d{6}\b`,
  String.raw`\b1\d{9}(?:\.\d{1,6})?\b`,
  String.raw`\b\d{4}[-/.]\d{2}[-/.]\d{2}\b`,
  String.raw`\b\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?`,
];
const FULL_STAMP_RE = new RegExp(FULL_STAMPS.map((a) => `(${a})`).join('|'));
const PARTIAL_STAMP_RE = new RegExp(PARTIAL_STAMPS.map((a) => `(${a})`).join('|'));
/** Each pattern alone, sticky: a log repeats one stamp format at one offset, so it is tried there first. */
const STICKY_STAMPS = [...FULL_STAMPS, ...PARTIAL_STAMPS].map((a) => new RegExp(a, 'y'));
/** How far into a line a timestamp is looked for. */
const STAMP_HEAD_CHARS = 100;

export interface Stamp {
  /** Offsets of the timestamp text itself. */
  readonly start: number;
  readonly end: number;
  /**
   * Where the line's message starts when the stamp leads the line (after a closing bracket, a `,` or `|`
   * separator and spaces); 0 when the stamp is elsewhere in the line.
   */
  readonly prefixEnd: number;
}

/** The first timestamp in the head of a line, or null. */
export function findStamp(line: string): Stamp | null {
  return searchStamp(line)?.stamp ?? null;
}

function searchStamp(line: string): { stamp: Stamp; pattern: number } | null {
  const head = line.length > STAMP_HEAD_CHARS ? line.slice(0, STAMP_HEAD_CHARS) : line;
  let m = FULL_STAMP_RE.exec(head);
  let offset = 0;
  if (m === null) {
    m = PARTIAL_STAMP_RE.exec(head);
    offset = FULL_STAMPS.length;
  }
  if (m === null) return null;
  let group = 1;
  while (group < m.length && m[group] === undefined) group++;
  return { stamp: makeStamp(line, m.index, m.index + m[0].length), pattern: offset + group - 1 };
}

function makeStamp(line: string, start: number, end: number): Stamp {
  const leads = start === 0 || (start === 1 && (line[0] === '[' || line[0] === '('));
  return { start, end, prefixEnd: leads ? skipSeparators(line, end) : 0 };
}

/**
 * A stamp finder for the lines of one log: it tries the format and offset of the previous stamp first
 * (one sticky match) and searches the whole head only when that fails. Deterministic for a given sequence.
 */
export function stampReader(): (line: string) => Stamp | null {
  let pattern = -1;
  let at = 0;
  return (line) => {
    if (pattern >= 0) {
      const re = STICKY_STAMPS[pattern]!;
      re.lastIndex = at;
      const m = re.exec(line);
      if (m !== null) return makeStamp(line, at, at + m[0].length);
    }
    const found = searchStamp(line);
    if (found !== null) {
      pattern = found.pattern;
      at = found.stamp.start;
    }
    return found?.stamp ?? null;
  };
}

function skipSeparators(line: string, from: number): number {
  let i = from;
  if (line[i] === ']' || line[i] === ')') i++;
  if (line[i] === ',' || line[i] === '|') i++;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return i;
}

// ------------------------------------------------------------------------------------------ severity

/** Routine levels (`info` and below) and the three that make a line important. */
export type Severity = 'fatal' | 'error' | 'warn' | 'info' | 'debug';

const LEVELS: Record<string, Severity> = {
  fatal: 'fatal', critical: 'fatal', crit: 'fatal', severe: 'fatal', emerg: 'fatal', emergency: 'fatal',
  alert: 'fatal', panic: 'fatal', error: 'error', err: 'error', warn: 'warn', warning: 'warn',
  notice: 'info', info: 'info', debug: 'debug', trace: 'debug', verbose: 'debug', fine: 'debug', finer: 'debug',
  finest: 'debug',
};
const LEVEL_WORDS =
  'FATAL|CRITICAL|CRIT|SEVERE|EMERG|EMERGENCY|ALERT|PANIC|ERROR|ERR|WARN|WARNING|NOTICE|INFO|DEBUG|TRACE|VERBOSE|FINE|FINER|FINEST';
/**
 * A level word in the head of a line: UPPER or Capitalised as a whole word (`WARN`, `Error`), lower case only
 * inside brackets (`[error]`, `<warn>`) or as `level=warn`. Lower-case words in running text are not levels.
 */
const LEVEL_RE = new RegExp(
  String.raw`(?:^|[\s\[(<|:,-])(${LEVEL_WORDS}|${capitalised(LEVEL_WORDS)})(?=$|[\s\]):>|,])|[\[<](${LEVEL_WORDS.toLowerCase()})[\]>]|\blevel=(${LEVEL_WORDS.toLowerCase()})\b`,
);
/** logcat threadtime (`03-17 16:13:38.811  1702  2395 E Tag: …`), logcat brief (`E/Tag( 12): …`), glog (`E0317 …`). */
const LETTER_LEVEL_RE = /^(?:\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\s+\d+\s+\d+\s+([VDIWEFA])\s|([VDIWEFA])\/[^(:\s]+\(\s*\d+\):|([IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d{6}\s)/;
const LETTER_LEVELS: Record<string, Severity> = { V: 'debug', D: 'debug', I: 'info', W: 'warn', E: 'error', F: 'fatal', A: 'fatal' };
/** How far into a line a level is looked for (BGL puts it after ~100 characters of header). */
const LEVEL_HEAD_CHARS = 160;

function capitalised(words: string): string {
  return words
    .split('|')
    .map((w) => w[0] + w.slice(1).toLowerCase())
    .join('|');
}

/**
 * Words that mark a failure in the message of a line without a high level. Deliberately whole words:
 * `ErrorReporter`, `errorCode`, `CBS_E_INVALID` do not match.
 */
const FAILURE_RE =
  /\b(?:errors?|exceptions?|fail(?:s|ed|ure|ures)?|fatal|panic(?:ked)?|traceback|segfault|segmentation fault|core dumped|timed out|refused|denied|aborted|warning|invalid user|break-in)\b/i;
/** Failure words that report the absence of failures (`errors=0`, `no errors`, `0 failures`). */
const BENIGN_RE =
  /\b(?:no|0|zero|without|ignoring)\s+(?:errors?|failures?|exceptions?|warnings?)\b|\b(?:errors?|failures?|failed|exceptions?|warnings?)\s*[=:]\s*(?:0|none|null|false|\[\])(?![\w.])/gi;

export interface LineSeverity {
  /** The level written in the line, if any. */
  readonly level: Severity | null;
  /** Offset of the level word (the header before it is timestamps, hosts, ids), or -1. */
  readonly levelAt: number;
  /** Whether the line reports a failure or a warning: a high level, or failure words in a non-debug line. */
  readonly important: boolean;
}

/** Level and importance of one line (its first {@link LEVEL_HEAD_CHARS} characters decide the level). */
export function readSeverity(line: string): LineSeverity {
  const found = findLevel(line);
  const level = found?.level ?? null;
  const levelAt = found?.at ?? -1;
  if (level === 'fatal' || level === 'error' || level === 'warn') return { level, levelAt, important: true };
  if (level === 'debug') return { level, levelAt, important: false };
  return { level, levelAt, important: hasFailureWords(line) };
}

/** The level written in the head of a line and its offset, or null. */
export function findLevel(line: string): { level: Severity; at: number } | null {
  const letter = LETTER_LEVEL_RE.exec(line);
  if (letter !== null) {
    const l = letter[1] ?? letter[2] ?? letter[3];
    const level = l === undefined ? undefined : LETTER_LEVELS[l];
    if (level !== undefined && l !== undefined) {
      return { level, at: letter[1] !== undefined ? letter[0].length - 2 : 0 };
    }
  }
  const head = line.length > LEVEL_HEAD_CHARS ? line.slice(0, LEVEL_HEAD_CHARS) : line;
  const m = LEVEL_RE.exec(head);
  if (m === null) return null;
  const word = m[1] ?? m[2] ?? m[3] ?? '';
  const level = LEVELS[word.toLowerCase()];
  if (level === undefined) return null;
  // `[error]` starts at its bracket; `WARN` / `level=warn` at the word.
  return { level, at: m[2] !== undefined ? m.index : m.index + m[0].indexOf(word) };
}

export function hasFailureWords(line: string): boolean {
  if (!FAILURE_RE.test(line)) return false;
  if (!BENIGN_RE.test(line)) return true;
  BENIGN_RE.lastIndex = 0;
  return FAILURE_RE.test(line.replace(BENIGN_RE, ' '));
}

// ------------------------------------------------------------------------------------ continuations

/** Stack-trace lines: Java/JS frames, `Caused by:`, `... 12 more`, Python traceback frames, Go goroutines. */
const TRACE_RE =
  /^(?:\s+at\s|\tat\s|Caused by:|Suppressed:|\s*\.\.\. \d+ (?:more|common frames omitted)|Traceback \(most recent call last\):|\s+File ".*", line \d+|goroutine \d+ \[|\s+raise\s|During handling of the above exception)/;
/** The last line of a Python traceback / a Java exception head: `ValueError: …`, `java.io.IOException: …`. */
const EXCEPTION_HEAD_RE = /^(?:[a-zA-Z_$][\w$]*\.)*[A-Z]\w*(?:Error|Exception|Throwable|Failure|Fault)\b(?::|$)/;

/** Whether a line is part of a stack trace. */
export function isTraceLine(line: string): boolean {
  return TRACE_RE.test(line) || EXCEPTION_HEAD_RE.test(line);
}

/**
 * Whether a line continues the record above it. In a stamped log (`stamped`: most lines carry a timestamp)
 * any unstamped line does; otherwise only indented lines and stack-trace lines do.
 */
export function isContinuation(line: string, stamp: Stamp | null, stamped: boolean): boolean {
  if (stamp !== null) return false;
  if (stamped) return true;
  const c = line.charCodeAt(0);
  return c === 32 || c === 9 || isTraceLine(line);
}
