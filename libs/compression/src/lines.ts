/** Line helpers shared by detectors and compressors. Lines keep no terminator; `joinLines` restores '\n'. */

/** Split on '\n' (a trailing '\r' stays part of the line so CRLF text round-trips). */
export function splitLines(text: string): string[] {
  return text.split('\n');
}

/** The first `max` lines of a text, without splitting the whole of a huge input. */
export function headLines(text: string, max: number, maxChars = 64 * 1024): string[] {
  const out: string[] = [];
  let start = 0;
  const limit = Math.min(text.length, maxChars);
  while (out.length < max && start < limit) {
    let end = text.indexOf('\n', start);
    if (end === -1 || end > limit) end = limit;
    out.push(text.slice(start, end));
    start = end + 1;
  }
  return out;
}

/** Share of items that satisfy a predicate (0 for an empty list). */
export function shareOf<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  if (items.length === 0) return 0;
  let n = 0;
  for (const item of items) if (predicate(item)) n++;
  return n / items.length;
}

/** Non-blank lines. */
export function nonBlank(lines: readonly string[]): string[] {
  return lines.filter((l) => l.trim().length > 0);
}
