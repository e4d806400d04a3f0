/** Small helpers shared by the splicers (internal). */
import type { SseEvent } from '../../sse-parser';

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function parseEventData(event: SseEvent): Json | null {
  if (event.data === null || event.data.length === 0) return null;
  try {
    const v = JSON.parse(event.data) as unknown;
    return isRecord(v) ? v : null;
  } catch {
    return null;
  }
}

/** One SSE event: `event:` line when named, one `data:` line (JSON has no raw newlines), blank line. */
export function sseEvent(name: string | null, data: unknown): string {
  return `${name === null ? '' : `event: ${name}\n`}data: ${JSON.stringify(data)}\n\n`;
}

/** Collects output pieces (strings and raw event bytes) into one Buffer. */
export class Out {
  private parts: Buffer[] = [];

  raw(bytes: Uint8Array): void {
    if (bytes.length > 0) this.parts.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  text(s: string): void {
    if (s.length > 0) this.parts.push(Buffer.from(s, 'utf8'));
  }

  take(): Buffer {
    const out = this.parts.length === 1 ? Buffer.from(this.parts[0]!) : Buffer.concat(this.parts);
    this.parts = [];
    return out;
  }
}

/** Parses accumulated tool-call JSON; `{}` when empty or broken. */
export function parseJsonObject(text: string): unknown {
  if (text.trim().length === 0) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}
