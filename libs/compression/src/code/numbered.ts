/**
 * Numbered file views, as agents see them: `cat -n` (`     1\tcode`, the str_replace_editor view), the
 * abbreviated str_replace_editor view (`     1 code`), Claude Code's Read tool (`     1→code`) and
 * SWE-agent `open` windows (`1:code`).
 *
 * The lossless encoding drops the padding of the numbers (they are right-aligned to width 6) and writes a
 * blank numbered line that sits between numbered lines as an empty line (its number is the one after the
 * line above). A one-line legend in front of the first numbered line says so. `decodeNumbered` inverts it
 * exactly, and `encodeNumbered` only returns an encoding that decodes back to its input.
 */

/** How numbers are attached: `%6d\t` (cat -n), `%6d ` (abbreviated view), `%6d→` (Claude Code), `N:` (SWE-agent). */
export type NumberStyle = 'tab' | 'space' | 'arrow' | 'colon';

const STYLES: readonly NumberStyle[] = ['tab', 'arrow', 'colon', 'space'];

/** Width the padded styles right-align line numbers to. */
export const PAD_WIDTH = 6;

export interface NumberedLine {
  /** Index of the line in the view. */
  readonly index: number;
  /** The line number it carries. */
  readonly num: number;
  /** The text after the number and its separator (a trailing '\r' of CRLF text included). */
  readonly content: string;
}

const SPACE = 32;
const CR = 13;
const ZERO = 48;
const NINE = 57;
const SEPARATORS: Record<NumberStyle, string> = { tab: '\t', space: ' ', arrow: '→', colon: ':' };

function isPaddedStyle(style: NumberStyle): boolean {
  return style !== 'colon';
}

/**
 * Length of the number prefix of a line in `style` (padding, digits and separator), or -1 when the line is
 * not a numbered line of that style. Padded styles must be right-aligned to exactly `PAD_WIDTH`; with
 * `unpadded`, the prefix must have no padding at all (the encoded form).
 */
function prefixLength(line: string, style: NumberStyle, unpadded = false): number {
  const padded = isPaddedStyle(style) && !unpadded;
  let i = 0;
  if (padded) while (i < line.length && line.charCodeAt(i) === SPACE) i++;
  const spaces = i;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c < ZERO || c > NINE) break;
    i++;
  }
  const digits = i - spaces;
  if (digits === 0 || digits > 9 || line.charCodeAt(i) !== SEPARATORS[style].charCodeAt(0)) return -1;
  if (padded && (digits >= PAD_WIDTH ? spaces !== 0 : spaces + digits !== PAD_WIDTH)) return -1;
  return i + 1;
}

/** The number written in a prefix `prefix` characters long (separator included). */
function prefixNumber(line: string, prefix: number): number {
  let num = 0;
  for (let i = 0; i < prefix - 1; i++) {
    const c = line.charCodeAt(i);
    if (c !== SPACE) num = num * 10 + (c - ZERO);
  }
  return num;
}

/** Whether the content after a prefix is empty (a '\r' of CRLF text aside). */
function isBlankAfter(line: string, prefix: number): boolean {
  return line.length === prefix || (line.length === prefix + 1 && line.charCodeAt(prefix) === CR);
}

function isEmptyLine(line: string): boolean {
  return line === '' || line === '\r';
}

/** The number and content of a line in `style`, or null when the line is not a numbered line of that style. */
export function parseNumbered(line: string, style: NumberStyle): { num: number; content: string } | null {
  const n = prefixLength(line, style);
  if (n === -1) return null;
  return { num: prefixNumber(line, n), content: line.slice(n) };
}

const STYLE_SAMPLE_LINES = 400;

/**
 * The numbering style of a view: the style most lines carry, when they are most of the non-blank lines and
 * mostly consecutive (so `uniq -c` counts or grep hits are not mistaken for a view). Null otherwise.
 */
export function detectNumberStyle(allLines: readonly string[]): NumberStyle | null {
  const limit = Math.min(allLines.length, STYLE_SAMPLE_LINES);
  const count = [0, 0, 0, 0];
  const consecutive = [0, 0, 0, 0];
  const prev = [-2, -2, -2, -2];
  let nonBlank = 0;
  for (let k = 0; k < limit; k++) {
    const line = allLines[k]!;
    if (/\S/.test(line)) nonBlank++;
    const s = styleIndexOf(line);
    if (s === -1) continue;
    const num = parseInt(line, 10);
    count[s]!++;
    if (num === prev[s]! + 1) consecutive[s]!++;
    prev[s] = num;
  }
  let best = -1;
  for (let s = 0; s < STYLES.length; s++) {
    const n = count[s]!;
    if (n >= 3 && consecutive[s]! >= 0.8 * (n - 1) && (best === -1 || n > count[best]!)) best = s;
  }
  return best !== -1 && count[best]! >= 0.5 * nonBlank ? STYLES[best]! : null;
}

const ARROW = 0x2192;
const TAB = 9;
const COLON = 58;

/** Index in `STYLES` of the numbered-line pattern a line matches, or -1 (the patterns exclude each other). */
function styleIndexOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === SPACE) i++;
  const spaces = i;
  for (let c = line.charCodeAt(i); c >= ZERO && c <= NINE; c = line.charCodeAt(++i));
  const digits = i - spaces;
  if (digits === 0 || digits > 9) return -1;
  const sep = line.charCodeAt(i);
  if (sep === COLON) return spaces === 0 ? STYLES.indexOf('colon') : -1;
  if (digits >= PAD_WIDTH ? spaces !== 0 : spaces + digits !== PAD_WIDTH) return -1;
  if (sep === TAB) return STYLES.indexOf('tab');
  if (sep === ARROW) return STYLES.indexOf('arrow');
  if (sep === SPACE) return STYLES.indexOf('space');
  return -1;
}

/** The numbered lines of a view in order. */
export function numberedLines(lines: readonly string[], style: NumberStyle): NumberedLine[] {
  const out: NumberedLine[] = [];
  lines.forEach((line, index) => {
    const parsed = parseNumbered(line, style);
    if (parsed) out.push({ index, ...parsed });
  });
  return out;
}

const UNPAD_NOTE = `numbers unpadded (width ${PAD_WIDTH})`;
const FOLD_NOTE = 'empty line = blank numbered line';

/** The legend line put in front of the first numbered line. */
export function legendFor(unpadded: boolean, folded: boolean): string {
  const parts: string[] = [];
  if (unpadded) parts.push(UNPAD_NOTE);
  if (folded) parts.push(FOLD_NOTE);
  return `[leeway: ${parts.join('; ')}]`;
}

export interface EncodeOptions {
  /** Drop the padding of numbers (padded styles). */
  readonly unpad: boolean;
  /** Write blank numbered lines that sit between numbered lines as empty lines. */
  readonly fold: boolean;
}

/**
 * Encode a numbered view (split into lines, terminators removed; a '\r' stays on its line). Returns the
 * encoded lines, or null when nothing changes or the result would not decode back to the input exactly.
 */
export function encodeNumbered(lines: readonly string[], style: NumberStyle, options: EncodeOptions): string[] | null {
  const unpad = options.unpad && isPaddedStyle(style);
  const prefixes = lines.map((line) => prefixLength(line, style));
  // A blank numbered line may be folded only if numbered content follows it, through blank numbered lines.
  const contentFollows = new Array<boolean>(lines.length).fill(false);
  for (let j = lines.length - 2; j >= 0; j--) {
    const n = prefixes[j + 1]!;
    contentFollows[j] = n !== -1 && (!isBlankAfter(lines[j + 1]!, n) || contentFollows[j + 1]!);
  }
  const out: string[] = [];
  let legendAt = -1;
  let prevNum = -1;
  let changed = false;
  let folded = false;
  lines.forEach((line, j) => {
    const n = prefixes[j]!;
    if (n === -1) {
      out.push(line);
      prevNum = -1;
      return;
    }
    if (legendAt === -1) legendAt = out.length;
    const num = prefixNumber(line, n);
    if (options.fold && prevNum !== -1 && num === prevNum + 1 && isBlankAfter(line, n) && contentFollows[j]) {
      out.push(line.slice(n));
      folded = true;
      changed = true;
    } else if (unpad && line.charCodeAt(0) === SPACE) {
      out.push(line.slice(line.lastIndexOf(' ', n - 2) + 1));
      changed = true;
    } else {
      out.push(line);
    }
    prevNum = num;
  });
  if (!changed || legendAt === -1) return null;
  out.splice(legendAt, 0, legendFor(unpad, folded));
  const decoded = decodeNumbered(out, style);
  if (decoded === null || decoded.length !== lines.length) return null;
  for (let i = 0; i < lines.length; i++) if (decoded[i] !== lines[i]) return null;
  return out;
}

/**
 * Invert `encodeNumbered`: restore padding and folded blank lines (an empty line after a numbered line,
 * followed by more numbered lines), drop the legend. Null when there is no legend.
 */
export function decodeNumbered(lines: readonly string[], style: NumberStyle): string[] | null {
  const legendIndex = lines.findIndex(isLegend);
  if (legendIndex === -1) return null;
  const legend = lines[legendIndex]!;
  const unpadded = legend.includes(UNPAD_NOTE);
  const folded = legend.includes(FOLD_NOTE);
  const sep = SEPARATORS[style];
  const pad = isPaddedStyle(style);
  const prefixes = lines.map((line, i) => (i > legendIndex ? prefixLength(line, style, unpadded) : -1));
  const numberedNext = new Array<boolean>(lines.length).fill(false);
  for (let i = lines.length - 2; i > legendIndex; i--) {
    numberedNext[i] = isEmptyLine(lines[i + 1]!) ? numberedNext[i + 1]! : prefixes[i + 1] !== -1;
  }
  const out: string[] = lines.slice(0, legendIndex);
  let prevNum = -1;
  for (let i = legendIndex + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (folded && prevNum !== -1 && isEmptyLine(line) && numberedNext[i]) {
      prevNum += 1;
      out.push(`${pad ? String(prevNum).padStart(PAD_WIDTH) : String(prevNum)}${sep}${line}`);
      continue;
    }
    const n = prefixes[i]!;
    if (n === -1) {
      prevNum = -1;
      out.push(line);
      continue;
    }
    prevNum = prefixNumber(line, n);
    out.push(unpadded && n - 1 < PAD_WIDTH ? ' '.repeat(PAD_WIDTH - (n - 1)) + line : line);
  }
  return out;
}

function isLegend(line: string): boolean {
  return line.startsWith('[leeway: ') && (line.includes(UNPAD_NOTE) || line.includes(FOLD_NOTE));
}
