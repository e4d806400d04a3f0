/**
 * When the `leeway_retrieve` tool goes into a forwarded body (DESIGN.md lifecycle step 9).
 *
 * The tool appears once a marker exists in the session and then stays, byte-identical, on every later
 * turn (sticky), so the cached prefix (tools come first) holds. "Exists in the session" is recorded in
 * prefix state under a synthetic key per conversation (`stickyRetrieveKey`), looked up and recorded in the
 * same round trips as the segment decisions (`OptimizerService.plan`), so a later turn whose history no
 * longer shows a marker (a client that compacted its history) still carries the tool.
 *
 * The conversation is named by `x-leeway-session` when the client sends it, else by its opening: the
 * system prompt and the first message (bytes that never change within a conversation).
 */
import { createHash } from 'node:crypto';
import type { ParsedRequest } from '@leeway/wire';

/** Prefix-state key of a conversation's sticky retrieve-tool flag (never collides with content hashes). */
export function stickyRetrieveKey(parsed: ParsedRequest, session: string | undefined): string {
  const h = createHash('sha256').update(`leeway-retrieve-tool\u0000${parsed.api}\u0000`);
  if (session !== undefined && session.length > 0) {
    h.update('session\u0000').update(session);
  } else {
    const raw = parsed.raw;
    h.update('opening\u0000');
    if (parsed.systemSpan) h.update(raw.subarray(parsed.systemSpan.start, parsed.systemSpan.end));
    h.update('\u0000');
    const first = parsed.messages[0];
    if (first) h.update(raw.subarray(first.span.start, first.span.end));
  }
  return `rt.${h.digest('hex').slice(0, 40)}`;
}
