/** Canonical renderings of request content for the fake upstream's token counting and cache identity. */
import { createHash } from 'node:crypto';

const BLOB_KEYS = new Set(['data', 'image_url', 'url', 'file_data']);
const BLOB_MIN_CHARS = 256;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/**
 * JSON with sorted keys (the provider renders content, not bytes: key order and whitespace do not change
 * a prompt), without `cache_control` markers, and with large base64 blobs replaced by their hash (an
 * image is identified by its bytes but never tokenised as text).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value, null));
}

function canonicalize(value: unknown, key: string | null): unknown {
  if (typeof value === 'string') {
    return key !== null && BLOB_KEYS.has(key) && value.length > BLOB_MIN_CHARS ? `<blob:${sha1(value)}>` : value;
  }
  if (Array.isArray(value)) return value.map((v) => canonicalize(v, null));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      if (k === 'cache_control') continue;
      out[k] = canonicalize(value[k], k);
    }
    return out;
  }
  return value;
}

/** Cheap, deterministic stand-in for a tokenizer (≈ 4 characters a token) for load tests. */
export function approximateTokenCount(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Splits text into pieces of `size` code points (never inside a surrogate pair). */
export function splitText(text: string, size: number): string[] {
  const cps = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < cps.length; i += size) out.push(cps.slice(i, i + size).join(''));
  return out;
}
