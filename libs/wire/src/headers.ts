/**
 * Header rules for a relay: hop-by-hop headers (RFC 9110 §7.6.1) are never forwarded, including any
 * header named in `Connection`; `anthropic-beta` flags are merged, never overwritten.
 */

/** Hop-by-hop headers, lower-case. `proxy-connection` and `keep-alive` are legacy but still seen. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export type HeaderValue = string | readonly string[] | undefined;
export type HeaderRecord = Readonly<Record<string, HeaderValue>>;

export function isHopByHopHeader(name: string): boolean {
  return HOP_BY_HOP_HEADERS.has(name.toLowerCase());
}

function listValues(value: HeaderValue): string[] {
  if (value === undefined) return [];
  const values = typeof value === 'string' ? [value] : value;
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

/**
 * Copies headers without hop-by-hop ones (and those named in `Connection`), keys lower-cased.
 * `drop` names further headers to leave out (e.g. `host`, `content-length` when the body changed).
 */
export function stripHopByHopHeaders(
  headers: HeaderRecord,
  drop: Iterable<string> = [],
): Record<string, string | string[]> {
  const extra = new Set<string>([...drop].map((h) => h.toLowerCase()));
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'connection') for (const n of listValues(value)) extra.add(n.toLowerCase());
  }
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(lower) || extra.has(lower)) continue;
    out[lower] = typeof value === 'string' ? value : [...value];
  }
  return out;
}

/** The flags of an `anthropic-beta` header (comma-separated, possibly repeated), in order, without duplicates. */
export function parseAnthropicBeta(value: HeaderValue): string[] {
  return [...new Set(listValues(value))];
}

/**
 * Merges flags into a client's `anthropic-beta` value: the client's flags first, in their order, then the
 * added flags not already present. Duplicates dropped. Returns null when there are no flags at all.
 */
export function mergeAnthropicBeta(existing: HeaderValue, add: string | readonly string[]): string | null {
  const flags = parseAnthropicBeta(existing);
  const seen = new Set(flags);
  for (const flag of listValues(add)) {
    if (!seen.has(flag)) {
      seen.add(flag);
      flags.push(flag);
    }
  }
  return flags.length === 0 ? null : flags.join(',');
}
