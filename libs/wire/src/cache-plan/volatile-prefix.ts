/**
 * Volatile-prefix detector: values in the system prompt or the tool definitions that typically change
 * from request to request — dates, clock times, timestamps, UUIDs, request/trace ids — and so bust the
 * prompt cache for everything after them (tools → system → messages). Leeway flags them, never rewrites
 * them: the findings feed a response header (`volatilePrefixHeader`) and a metric so a team can fix its
 * prompt.
 *
 * A heuristic on one request: a date that never changes (an API version in a tool description) is
 * flagged too. A session-level signal is `prefixFingerprint` changing between turns of one session.
 */
import { decodeString, findMember, spanText, type JsonSpan } from '../json-scan';
import type { ParsedRequest } from '../providers/provider-adapter';

export type VolatileKind = 'timestamp' | 'date' | 'time' | 'uuid' | 'request-id' | 'unix-timestamp';

export interface VolatileFinding {
  /** Where: `system`, `system[1]`, `instructions`, `messages[0]` (a system message), `tools[3]`. */
  readonly where: string;
  readonly kind: VolatileKind;
  /** The matched text (at most 64 characters). */
  readonly sample: string;
}

const MONTHS = 'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';

/** Ordered: the first pattern matching a range claims it (a timestamp is not also a date and a time). */
const PATTERNS: readonly { kind: VolatileKind; re: RegExp }[] = [
  { kind: 'timestamp', re: /\b(?:19|20)\d{2}-[01]\d-[0-3]\d[T ][0-2]\d:[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-][0-2]\d:?[0-5]\d)?\b/g },
  { kind: 'uuid', re: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi },
  {
    kind: 'request-id',
    re: /\b(?:req|request|msg|chatcmpl|resp|run|trace|span|sess|session|conv|thread|call|toolu)[_-][A-Za-z0-9]{10,}\b|\b(?:request|trace|correlation|session)[ _-]?id\s*[:=]\s*["']?[A-Za-z0-9_-]{8,}/gi,
  },
  { kind: 'date', re: /\b(?:19|20)\d{2}-[01]\d-[0-3]\d\b|\b[0-3]?\d\/[0-3]?\d\/(?:19|20)?\d{2}\b/g },
  {
    kind: 'date',
    re: new RegExp(`\\b(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?,?\\s+)?(?:(?:${MONTHS})\\.?\\s+[0-3]?\\d(?:st|nd|rd|th)?,?\\s+(?:19|20)\\d{2}|[0-3]?\\d(?:st|nd|rd|th)?\\s+(?:${MONTHS})\\.?,?\\s+(?:19|20)\\d{2})\\b`, 'gi'),
  },
  { kind: 'time', re: /\b[0-2]?\d:[0-5]\d(?::[0-5]\d)?(?:\s?(?:[ap]m\b|[ap]\.m\.))?(?=\W|$)/gi },
  { kind: 'unix-timestamp', re: /\b1[5-9]\d{8}(?:\d{3})?\b/g },
];

const MAX_SCAN_CHARS = 200_000;
const MAX_FINDINGS = 32;
const MAX_SAMPLE = 64;

/** Findings in one text, in order of appearance; ranges claimed by an earlier pattern are skipped. */
export function findVolatileValues(text: string, where: string): VolatileFinding[] {
  const scan = text.length > MAX_SCAN_CHARS ? text.slice(0, MAX_SCAN_CHARS) : text;
  const claimed: [number, number][] = [];
  const found: { at: number; finding: VolatileFinding }[] = [];
  for (const { kind, re } of PATTERNS) {
    re.lastIndex = 0;
    for (const m of scan.matchAll(re)) {
      const start = m.index;
      const end = start + m[0].length;
      if (claimed.some(([a, b]) => start < b && end > a)) continue;
      if (kind === 'time' && !/[ap]\.?m|:\d\d:/i.test(m[0]) && !/\b(?:time|now|at|clock)\b[^\n]{0,20}$/i.test(scan.slice(Math.max(0, start - 24), start))) {
        continue; // a bare "12:30" is more often a ratio, a line:col or a verse than a clock time
      }
      claimed.push([start, end]);
      found.push({ at: start, finding: { where, kind, sample: m[0].slice(0, MAX_SAMPLE) } });
    }
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.finding);
}

function textOf(raw: Buffer, span: JsonSpan): string {
  if (span.kind === 'string') return decodeString(raw, span);
  if (span.kind === 'object') {
    const text = findMember(span, 'text');
    if (text?.kind === 'string') return decodeString(raw, text);
    const content = findMember(span, 'content');
    if (content) return textOf(raw, content);
    return '';
  }
  if (span.kind === 'array') return span.items.map((i) => textOf(raw, i)).join('\n');
  return '';
}

/**
 * Flags volatile-looking values in the cacheable prefix of a request: the system prompt (Anthropic
 * `system`, chat system/developer messages at the start, Responses `instructions` and leading
 * system/developer items) and every tool definition. Never rewrites anything.
 */
export function findVolatilePrefix(parsed: ParsedRequest): VolatileFinding[] {
  const raw = parsed.raw;
  const out: VolatileFinding[] = [];
  const add = (findings: VolatileFinding[]): void => {
    for (const f of findings) if (out.length < MAX_FINDINGS) out.push(f);
  };
  if (parsed.api === 'anthropic-messages') {
    const system = parsed.systemSpan;
    if (system?.kind === 'string') add(findVolatileValues(decodeString(raw, system), 'system'));
    else if (system?.kind === 'array') system.items.forEach((b, i) => add(findVolatileValues(textOf(raw, b), `system[${i}]`)));
  } else {
    if (parsed.api === 'openai-responses' && parsed.systemSpan?.kind === 'string') {
      add(findVolatileValues(decodeString(raw, parsed.systemSpan), 'instructions'));
    }
    for (const m of parsed.messages) {
      if (m.role !== 'system' && m.role !== 'developer') break;
      const content = findMember(m.span, 'content');
      if (content) add(findVolatileValues(textOf(raw, content), `${parsed.messagesKey}[${m.index}]`));
    }
  }
  parsed.toolsSpan?.items.forEach((tool, i) => add(findVolatileValues(spanText(raw, tool), `tools[${i}]`)));
  return out;
}

/** Compact header value, e.g. `system:date,tools[2]:uuid` (distinct where:kind pairs), or null. */
export function volatilePrefixHeader(findings: readonly VolatileFinding[]): string | null {
  if (findings.length === 0) return null;
  return [...new Set(findings.map((f) => `${f.where}:${f.kind}`))].join(',');
}
