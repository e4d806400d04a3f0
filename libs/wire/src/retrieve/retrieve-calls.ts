/**
 * `leeway_retrieve` calls and their answers. Keys are matched case-insensitively (`normalizeKey`); a key
 * the resolver does not know — expired, never stored, or another tenant's (the resolver is tenant-scoped,
 * so the two are indistinguishable) — gets a clear tool result, never an error.
 */
import { normalizeKey, retrieveFromOriginal } from '@leeway/compression';

export interface RetrieveCall {
  /** `tool_use.id` / `tool_calls[].id` / `function_call.call_id`: what the tool result answers. */
  readonly id: string;
  /** The arguments as the model produced them (JSON text). */
  readonly arguments: string;
  /** The key, normalised (lower-case `lw_…`), or null when the arguments hold none. */
  readonly key: string | null;
  /** The `key` argument as written. */
  readonly rawKey: string | null;
  readonly query: string | null;
}

export type RetrieveStatus = 'found' | 'unknown' | 'invalid-key';

export interface RetrieveAnswer {
  readonly callId: string;
  readonly key: string | null;
  readonly status: RetrieveStatus;
  /** The tool result text sent back to the model. */
  readonly text: string;
}

/** Answers a key (+ optional query) for the caller's tenant; null when unknown or expired. */
export type RetrieveResolver = (key: string, query: string | null) => string | null | Promise<string | null>;

const KEY_IN_TEXT = /lw_[0-9a-f]{16}/i;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a call's arguments (JSON text or an already-parsed object). */
export function parseRetrieveCall(id: string, args: unknown): RetrieveCall {
  let text: string;
  let value: unknown;
  if (typeof args === 'string') {
    text = args;
    try {
      value = args.trim().length === 0 ? {} : (JSON.parse(args) as unknown);
    } catch {
      value = undefined;
    }
  } else {
    value = args ?? {};
    text = JSON.stringify(value);
  }
  const rawKey = isRecord(value) && typeof value['key'] === 'string' ? value['key'] : null;
  const query = isRecord(value) && typeof value['query'] === 'string' && value['query'].trim().length > 0 ? value['query'] : null;
  // Lenient: a model may paste `key=lw_…` or the whole marker.
  const key = rawKey === null ? null : (normalizeKey(rawKey) ?? normalizeKey(KEY_IN_TEXT.exec(rawKey)?.[0] ?? ''));
  return { id, arguments: text, key, rawKey, query };
}

export function unknownKeyText(key: string): string {
  return `[leeway: nothing is stored under key ${key} — it expired or never existed. Re-run the command that produced the output to see it again.]`;
}

export function invalidKeyText(rawKey: string | null): string {
  const shown = rawKey === null ? 'no key' : `"${rawKey.slice(0, 80)}"`;
  return `[leeway: ${shown} is not a retrieve key. Pass the key=lw_… value from a [leeway: …] marker, e.g. {"key":"lw_0123456789abcdef"}.]`;
}

/** The answer for a call given what the resolver returned. */
export function answerFor(call: RetrieveCall, resolved: string | null): RetrieveAnswer {
  if (call.key === null) return { callId: call.id, key: null, status: 'invalid-key', text: invalidKeyText(call.rawKey) };
  if (resolved === null) return { callId: call.id, key: call.key, status: 'unknown', text: unknownKeyText(call.key) };
  return { callId: call.id, key: call.key, status: 'found', text: resolved };
}

/** Resolves every call (each distinct key + query once), in call order. A resolver that throws counts as unknown. */
export async function resolveRetrieveCalls(calls: readonly RetrieveCall[], resolve: RetrieveResolver): Promise<RetrieveAnswer[]> {
  const cache = new Map<string, Promise<string | null>>();
  const lookup = (key: string, query: string | null): Promise<string | null> => {
    const id = `${key}\u0000${query ?? ''}`;
    let p = cache.get(id);
    if (!p) {
      p = Promise.resolve()
        .then(() => resolve(key, query))
        .catch(() => null);
      cache.set(id, p);
    }
    return p;
  };
  return Promise.all(calls.map(async (call) => answerFor(call, call.key === null ? null : await lookup(call.key, call.query))));
}

/**
 * A resolver from an originals lookup (the CCR store, tenant-scoped): the whole original, or with a query
 * only the matching lines (`retrieveFromOriginal`).
 */
export function originalResolver(lookup: (key: string) => string | null | Promise<string | null>): RetrieveResolver {
  return async (key, query) => {
    const original = await lookup(key);
    return original === null ? null : retrieveFromOriginal(original, query ?? undefined);
  };
}
