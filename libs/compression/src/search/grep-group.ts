/**
 * Lossless grouping of search output by file: each file's path is printed once (as `rg --heading`
 * does), followed by its `N:match` / `N-context` lines, with a shared path prefix written once in the
 * legend. `decodeGrouped` restores the exact input; the encoder only returns what decodes exactly.
 */
import { formatItem, type SearchItem, type SearchStyle } from './grep-parse';

const NUMBERED_RE = /^\d+[:-]/;
const SEPARATOR_RE = /^--\r?$/;
const PLAIN_INDENT = '  ';

const GROUPED_LEGEND_RE =
  /^\[leeway: matches grouped by file: path line, then (N:match and N-context lines|its matching lines indented)(?:; paths relative to ([^\]]+))?\]$/;
const HEADING_LEGEND_RE = /^\[leeway: rg --heading output; paths relative to ([^\]]+)\]$/;

function legend(style: SearchStyle, prefix: string): string {
  const rel = prefix ? `; paths relative to ${prefix}` : '';
  if (style === 'heading') return `[leeway: rg --heading output${rel}]`;
  const body = style === 'inline' ? 'N:match and N-context lines' : 'its matching lines indented';
  return `[leeway: matches grouped by file: path line, then ${body}${rel}]`;
}

/** The one style of the records (null when there are none, or several). */
export function styleOf(items: readonly SearchItem[]): SearchStyle | null {
  let style: SearchStyle | null = null;
  for (const item of items) {
    if (item.type !== 'record') continue;
    if (style !== null && item.style !== style) return null;
    style = item.style;
  }
  return style;
}

/** Longest common directory prefix (ending in `/`) of the paths, or '' when it is not worth writing once. */
export function commonDirPrefix(paths: readonly string[]): string {
  const distinct = [...new Set(paths)];
  if (distinct.length < 2) return '';
  let prefix = distinct[0]!;
  for (const path of distinct) {
    let k = 0;
    while (k < prefix.length && k < path.length && prefix[k] === path[k]) k++;
    prefix = prefix.slice(0, k);
  }
  const slash = prefix.lastIndexOf('/');
  prefix = slash === -1 ? '' : prefix.slice(0, slash + 1);
  // Worth a legend mention when it repeats often enough: long prefixes from 2 files, short ones from 3.
  const worth = prefix.length >= 16 || (prefix.length >= 6 && distinct.length >= 3);
  return worth && !prefix.includes(']') && !/\s/.test(prefix) ? prefix : '';
}

/**
 * Grouped lines, or null when there is nothing to group. Not yet verified: callers decode it again
 * (`decodeGrouped`) and compare with the input before using it.
 */
export function encodeGrouped(items: readonly SearchItem[]): string[] | null {
  const style = styleOf(items);
  if (style === null) return null;
  const paths =
    style === 'heading'
      ? items.flatMap((it) => (it.type === 'heading' ? [it.raw] : []))
      : items.flatMap((it) => (it.type === 'record' ? [it.path] : []));
  const prefix = commonDirPrefix(paths);
  if (style === 'heading' && prefix === '') return null;
  const out: string[] = [];
  let current: string | null = null;
  let legendAt = -1;
  const placeLegend = (): void => {
    if (legendAt === -1) {
      legendAt = out.length;
      out.push(legend(style, prefix));
    }
  };
  const relative = (path: string): string => (prefix && path.startsWith(prefix) ? path.slice(prefix.length) : path);
  for (const item of items) {
    if (item.type === 'record' && item.style !== 'heading') {
      placeLegend();
      if (item.path !== current) {
        out.push(relative(item.path));
        current = item.path;
      }
      out.push(item.style === 'plain' ? PLAIN_INDENT + item.text : `${item.num!}${item.sep}${item.text}`);
    } else if (item.type === 'heading') {
      placeLegend();
      out.push(relative(item.raw));
      current = item.raw;
    } else if (item.type === 'record') {
      out.push(formatItem(item));
    } else if (item.type === 'separator') {
      out.push(item.raw);
    } else {
      out.push(item.raw);
      current = null;
    }
  }
  return out;
}

/** Inverse of `encodeGrouped`; lines without a grouping legend come back as they are. */
export function decodeGrouped(lines: readonly string[]): string[] | null {
  let at = -1;
  let style: SearchStyle = 'inline';
  let prefix = '';
  for (let i = 0; i < lines.length && at === -1; i++) {
    const grouped = GROUPED_LEGEND_RE.exec(lines[i]!);
    const heading = grouped ? null : HEADING_LEGEND_RE.exec(lines[i]!);
    if (grouped) {
      at = i;
      style = grouped[1]!.startsWith('N:') ? 'inline' : 'plain';
      prefix = grouped[2] ?? '';
    } else if (heading) {
      at = i;
      style = 'heading';
      prefix = heading[1]!;
    }
  }
  if (at === -1) return lines.slice();
  const isRecord = (line: string | undefined): boolean =>
    line !== undefined && (style === 'plain' ? line.startsWith(PLAIN_INDENT) : NUMBERED_RE.test(line));
  const out = lines.slice(0, at);
  let current: string | null = null;
  for (let i = at + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (SEPARATOR_RE.test(line)) {
      out.push(line);
    } else if (current !== null && isRecord(line)) {
      if (style === 'heading') {
        out.push(line);
      } else if (style === 'plain') {
        out.push(`${current}:${line.slice(PLAIN_INDENT.length)}`);
      } else {
        const m = /^(\d+)([:-])/.exec(line)!;
        out.push(`${current}${m[2]!}${m[1]!}${line.slice(m[1]!.length)}`);
      }
    } else if (!isRecord(line) && isRecord(lines[i + 1])) {
      current = prefix + line;
      if (style === 'heading') out.push(current);
    } else {
      out.push(line);
      current = null;
    }
  }
  return out;
}
