/**
 * Label hygiene for Prometheus metrics: every label value is either taken from a closed allow-list or
 * passed through a bounded set, so a misbehaving client can never explode cardinality. Keys, users and
 * request ids are never labels — the typed metric APIs simply have no parameter for them.
 */

/** The value a bounded label collapses to once its bound is reached, or for anything unknown. */
export const OTHER_LABEL = 'other';

const SAFE_VALUE = /^[\w.:-]{1,64}$/;

/** Replace anything that is not a short, plain token by `other`. */
export function sanitizeLabel(value: string | null | undefined): string {
  if (value === null || value === undefined) return OTHER_LABEL;
  const trimmed = value.trim().toLowerCase();
  return SAFE_VALUE.test(trimmed) ? trimmed : OTHER_LABEL;
}

/** A closed set: anything outside it is `other`. */
export function allowListed<T extends string>(allowed: readonly T[], value: string | null | undefined): T | 'other' {
  const normalised = sanitizeLabel(value);
  return (allowed as readonly string[]).includes(normalised) ? (normalised as T) : OTHER_LABEL;
}

/**
 * An open label with a hard bound on distinct values: the first `maxValues` distinct values are kept,
 * every later new value becomes `other` (values already admitted stay themselves).
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(readonly maxValues: number) {
    if (!Number.isInteger(maxValues) || maxValues < 0) throw new RangeError('maxValues must be a non-negative integer');
  }

  resolve(value: string | null | undefined): string {
    const normalised = sanitizeLabel(value);
    if (normalised === OTHER_LABEL) return OTHER_LABEL;
    if (this.seen.has(normalised)) return normalised;
    if (this.seen.size >= this.maxValues) return OTHER_LABEL;
    this.seen.add(normalised);
    return normalised;
  }

  get size(): number {
    return this.seen.size;
  }
}

/** Model families Leeway recognises; any other model is labelled `other`. */
const FAMILY_PREFIXES = [
  'claude',
  'gpt',
  'o1',
  'o3',
  'o4',
  'chatgpt',
  'codex',
  'gemini',
  'llama',
  'mistral',
  'mixtral',
  'codestral',
  'deepseek',
  'qwen',
  'grok',
  'command',
] as const;

/**
 * Normalise a model id into a bounded family label: lower-cased, provider prefixes
 * (`anthropic/`, `us.anthropic.`) and version suffixes (`-20250929`, `-2024-08-06`, `@20240620`,
 * `-latest`, `:0`) removed; unknown vendors become `other`.
 *   claude-sonnet-4-5-20250929 → claude-sonnet-4-5;  gpt-4o-2024-08-06 → gpt-4o
 */
export function modelFamily(model: string | null | undefined): string {
  if (!model) return OTHER_LABEL;
  let m = model.trim().toLowerCase();
  const slash = m.lastIndexOf('/');
  if (slash >= 0) m = m.slice(slash + 1);
  m = m.replace(/^(?:[a-z]{2}\.)?(?:anthropic|openai|meta|mistral|amazon|google)\./, '');
  m = m.replace(/@.*$/, '').replace(/:.*$/, '');
  m = m.replace(/-v\d+$/, '');
  m = m.replace(/-(?:\d{8}|\d{4}-\d{2}-\d{2}|latest|preview)$/, '');
  if (!FAMILY_PREFIXES.some((prefix) => m === prefix || m.startsWith(`${prefix}-`) || m.startsWith(`${prefix}.`))) {
    // `o1`, `o3-mini`, `gpt-5.1` … are matched above; anything else is not a family we label.
    return OTHER_LABEL;
  }
  return SAFE_VALUE.test(m) && m.length <= 48 ? m : OTHER_LABEL;
}

/** `2xx`, `4xx`, `5xx` … from an HTTP status (null or out of range → `other`). */
export function statusClass(status: number | null | undefined): string {
  if (status === null || status === undefined || !Number.isInteger(status) || status < 100 || status > 599) {
    return OTHER_LABEL;
  }
  return `${Math.floor(status / 100)}xx`;
}
