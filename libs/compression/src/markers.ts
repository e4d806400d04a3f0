import { createHmac } from 'node:crypto';

/** Prefix of every Leeway retrieval key. */
export const KEY_PREFIX = 'lw_';
const KEY_HEX_CHARS = 16;

/** The one marker format every compressor uses. */
export function formatMarker(summary: string, key: string): string {
  return `[leeway: ${summary}; retrieve key=${key}]`;
}

/**
 * Derive the retrieval key of an original: a keyed hash (HMAC-SHA-256) with the tenant's secret, so keys
 * are not guessable and the same text under two tenants gets two unrelated keys.
 */
export function deriveKey(secret: string, original: string): string {
  const mac = createHmac('sha256', secret).update(original, 'utf8').digest('hex');
  return KEY_PREFIX + mac.slice(0, KEY_HEX_CHARS);
}

const KEY_SOURCE = `${KEY_PREFIX}[0-9a-f]{${KEY_HEX_CHARS}}`;
const MARKER_RE = new RegExp(`\\[leeway: [^\\]\\n]{0,300}?; retrieve key=(${KEY_SOURCE})\\]`, 'gi');
const KEY_RE = new RegExp(`^${KEY_SOURCE}$`, 'i');

/** Normalise a key as a model may write it (any case, surrounding spaces); null when it is not a key. */
export function normalizeKey(raw: string): string | null {
  const key = raw.trim().toLowerCase();
  return KEY_RE.test(key) ? key : null;
}

/** Keys of every Leeway marker in `text`, lower-cased, in order of first appearance. Foreign `hash=` text is ignored. */
export function findMarkerKeys(text: string): string[] {
  const seen = new Set<string>();
  for (const match of text.matchAll(MARKER_RE)) {
    const key = match[1];
    if (key !== undefined) seen.add(key.toLowerCase());
  }
  return [...seen];
}

/** Whether the text contains at least one Leeway marker. */
export function hasMarker(text: string): boolean {
  MARKER_RE.lastIndex = 0;
  const found = MARKER_RE.test(text);
  MARKER_RE.lastIndex = 0;
  return found;
}
