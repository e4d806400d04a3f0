import { StateError } from './errors';
import type { SegmentDecision } from './ports';

interface EncodedDecision {
  r: string | null;
  b: number;
  a: number;
  k: string;
  l: boolean;
  m: string[];
}

/** Compact, stable JSON for a decision (what Redis stores). */
export function encodeDecision(decision: SegmentDecision): string {
  const encoded: EncodedDecision = {
    r: decision.replacement,
    b: decision.tokensBefore,
    a: decision.tokensAfter,
    k: decision.kind,
    l: decision.lossless,
    m: [...decision.markerKeys],
  };
  return JSON.stringify(encoded);
}

/** Decode a stored decision; throws `STA_BAD_VALUE` when it is not one. */
export function decodeDecision(raw: string): SegmentDecision {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (cause) {
    throw new StateError('STA_BAD_VALUE', 'stored decision is not JSON', { cause });
  }
  const v = value as Partial<EncodedDecision> | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    !(v.r === null || typeof v.r === 'string') ||
    typeof v.b !== 'number' ||
    typeof v.a !== 'number' ||
    typeof v.k !== 'string' ||
    typeof v.l !== 'boolean' ||
    !Array.isArray(v.m) ||
    !v.m.every((k) => typeof k === 'string')
  ) {
    throw new StateError('STA_BAD_VALUE', 'stored decision has the wrong shape');
  }
  return { replacement: v.r, tokensBefore: v.b, tokensAfter: v.a, kind: v.k, lossless: v.l, markerKeys: v.m };
}

/** Approximate in-memory size of a decision (bytes), for memory-bounded caches. */
export function decisionWeight(decision: SegmentDecision): number {
  return 2 * (decision.replacement?.length ?? 0) + 40 * decision.markerKeys.length + 160;
}

/** Whether two decisions would put the same bytes on the wire. */
export function isSameDecision(a: SegmentDecision, b: SegmentDecision): boolean {
  return a.replacement === b.replacement;
}
