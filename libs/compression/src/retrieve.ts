import { queryTerms } from './relevance';

export interface RetrieveOptions {
  /** Lines of context around each matching line (default 1). */
  readonly context?: number;
  /** Cap on returned characters (default 100 000); the answer says when it was cut. */
  readonly maxChars?: number;
}

/**
 * Answer a `leeway_retrieve` call from an original: the whole text without a query, otherwise the lines
 * that contain any query term (case-insensitive), with line numbers and a little context.
 */
export function retrieveFromOriginal(original: string, query?: string, options: RetrieveOptions = {}): string {
  const maxChars = options.maxChars ?? 100_000;
  const context = options.context ?? 1;
  const terms = query ? queryTerms(query) : [];
  const raw = query?.trim().toLowerCase() ?? '';
  if (terms.length === 0 && raw.length === 0) return cap(original, maxChars);
  const lines = original.split('\n');
  const keep = new Set<number>();
  lines.forEach((line, i) => {
    const lower = line.toLowerCase();
    if ((raw.length > 0 && lower.includes(raw)) || terms.some((t) => lower.includes(t))) {
      for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep.add(k);
    }
  });
  if (keep.size === 0) return `[leeway: no line of the original matches "${query ?? ''}"; call again without a query for the whole text]`;
  const out: string[] = [];
  let last = -2;
  for (const i of [...keep].sort((a, b) => a - b)) {
    if (i !== last + 1 && out.length > 0) out.push('--');
    out.push(`${i + 1}: ${lines[i]}`);
    last = i;
  }
  return cap(out.join('\n'), maxChars);
}

function cap(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n[leeway: cut at ${maxChars} of ${text.length} characters; call again with a query to narrow]`;
}
