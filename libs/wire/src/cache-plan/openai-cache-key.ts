/**
 * OpenAI `prompt_cache_key`: OpenAI caches prompt prefixes automatically, routing requests by a hash of
 * the prefix — plus `prompt_cache_key` when given. A key that is stable per tenant + system prompt + tools
 * keeps one agent's turns on the same cache shards (and apart from other tenants' traffic) without the
 * client doing anything. Added only when the client set none.
 */
import { createHash } from 'node:crypto';
import { findEntry } from '../json-scan';
import { WireError } from '../errors';
import type { ParsedRequest } from '../providers/provider-adapter';
import { addMemberEdit, replaceValueEdit, type ByteEdit } from '../splice';

export interface OpenAiCacheKeyPlan {
  /** The edit adding the key, or null (the client set one, or the API is not OpenAI's). */
  readonly edit: ByteEdit | null;
  /** The key Leeway would send (also when the client set its own: then it is not used). */
  readonly key: string | null;
  readonly skipped: 'client-key' | 'not-openai' | 'disabled' | null;
}

export interface OpenAiCacheKeyOptions {
  /** Policy switch (default true). */
  readonly enabled?: boolean;
}

const KEY_PREFIX = 'lw-';
const KEY_HEX = 32;

/**
 * Bytes of the request's stable prefix: tools, then the system part — Responses `instructions` and the
 * leading system/developer messages (chat `messages`, Responses `input`). Exact bytes: a prompt whose
 * system text changes gets a new key, as its cache would be new anyway.
 */
export function prefixFingerprint(parsed: ParsedRequest): string {
  const h = createHash('sha256');
  const raw = parsed.raw;
  h.update('tools\u0000');
  if (parsed.toolsSpan) h.update(raw.subarray(parsed.toolsSpan.start, parsed.toolsSpan.end));
  h.update('\u0000system\u0000');
  if (parsed.api === 'openai-responses' && parsed.systemSpan) {
    h.update(raw.subarray(parsed.systemSpan.start, parsed.systemSpan.end));
    h.update('\u0000');
  }
  if (parsed.api === 'anthropic-messages') {
    if (parsed.systemSpan) h.update(raw.subarray(parsed.systemSpan.start, parsed.systemSpan.end));
  } else {
    for (const m of parsed.messages) {
      if (m.role !== 'system' && m.role !== 'developer') break;
      h.update(raw.subarray(m.span.start, m.span.end));
      h.update('\u0000');
    }
  }
  return h.digest('hex');
}

/** The `prompt_cache_key` for a tenant and a request's stable prefix. */
export function openAiCacheKey(tenant: string, parsed: ParsedRequest): string {
  const digest = createHash('sha256').update(`leeway\u0000${tenant}\u0000`).update(prefixFingerprint(parsed)).digest('hex');
  return KEY_PREFIX + digest.slice(0, KEY_HEX);
}

/** Plans adding `prompt_cache_key` to a Chat Completions or Responses body (when absent or null). */
export function planOpenAiCacheKey(raw: Buffer, parsed: ParsedRequest, tenant: string, options: OpenAiCacheKeyOptions = {}): OpenAiCacheKeyPlan {
  if (raw !== parsed.raw && raw.length !== parsed.raw.length) throw new WireError('WIRE_BAD_EDIT', 'planOpenAiCacheKey: parsed does not belong to raw');
  if (parsed.provider !== 'openai') return { edit: null, key: null, skipped: 'not-openai' };
  const key = openAiCacheKey(tenant, parsed);
  if (options.enabled === false) return { edit: null, key, skipped: 'disabled' };
  const entry = findEntry(parsed.root, 'prompt_cache_key');
  if (entry && entry.value.kind !== 'null') return { edit: null, key, skipped: 'client-key' };
  const json = JSON.stringify(key);
  const edit = entry ? replaceValueEdit(entry.value, json) : addMemberEdit(parsed.root, 'prompt_cache_key', json);
  return { edit, key, skipped: null };
}
