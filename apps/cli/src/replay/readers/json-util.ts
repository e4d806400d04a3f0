/** What a reader knows about the file besides its content. */
export interface ReaderHint {
  /** File name without directories. */
  readonly baseName: string;
  /** A model guessed from the file name (`…gpt4…` → `gpt-4`), for formats that do not record one. */
  readonly modelHint: string | null;
}

export function asRecord(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/**
 * Drop `null` members recursively. Dataset exports (Hugging Face tables) fill every absent key of a
 * union schema with null — `"enum": null`, `"file_text": null` inside tool schemas — which no client sent.
 */
export function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  const r = asRecord(v);
  if (!r) return v;
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(r)) {
    if (value === null) continue;
    out[k] = stripNulls(value);
  }
  return out;
}

/** Guess the model from a file name: `swe-agent_gpt4_…` → `gpt-4`, `…claude-3-7-sonnet…` → that model. */
export function modelFromFileName(name: string): string | null {
  const n = name.toLowerCase();
  const claude = /claude-[a-z0-9.-]*?(?:opus|sonnet|haiku)(?:-[0-9.]+)*/.exec(n);
  if (claude) return claude[0];
  if (/gpt-?4o/.test(n)) return 'gpt-4o';
  if (/gpt-?4\.1/.test(n)) return 'gpt-4.1';
  if (/gpt-?5/.test(n)) return 'gpt-5';
  if (/gpt-?4/.test(n)) return 'gpt-4';
  return null;
}
