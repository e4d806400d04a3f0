import type { Readable } from 'node:stream';
import { ProxyError } from '../proxy.errors';

/**
 * Read a request body into one Buffer, refusing more than `limit` bytes (413 before reading when the
 * declared length is already too large). The bytes are kept exactly as received (I1).
 */
export async function readRequestBody(
  stream: Readable | null | undefined,
  limit: number,
  declaredLength: string | undefined,
): Promise<Buffer> {
  if (declaredLength !== undefined && Number(declaredLength) > limit) {
    stream?.resume();
    throw new ProxyError('PRX_BODY_TOO_LARGE', `Request body exceeds the limit of ${limit} bytes.`);
  }
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      stream.resume();
      throw new ProxyError('PRX_BODY_TOO_LARGE', `Request body exceeds the limit of ${limit} bytes.`);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}
