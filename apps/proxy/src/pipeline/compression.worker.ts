// Worker thread: runs the (pure, CPU-bound) compression engine off the event loop.
import { parentPort } from 'node:worker_threads';
import { compress, encodingForModel, tokenCounter } from '@leeway/compression';
import type { CompressionMode, CompressionResult } from '@leeway/compression';

export interface CompressionTask {
  readonly id: number;
  readonly text: string;
  readonly mode: CompressionMode;
  readonly query: string;
  readonly keySecret: string;
  readonly model: string;
}

export type CompressionReply =
  | { readonly id: number; readonly ok: true; readonly result: CompressionResult }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** Compress one task (also used inline when no worker runs). */
export function runCompressionTask(task: CompressionTask): CompressionResult {
  return compress(task.text, {
    mode: task.mode,
    query: task.query,
    keySecret: task.keySecret,
    countTokens: tokenCounter(encodingForModel(task.model)),
  });
}

const port = parentPort;
if (port) {
  port.on('message', (task: CompressionTask) => {
    let reply: CompressionReply;
    try {
      reply = { id: task.id, ok: true, result: runCompressionTask(task) };
    } catch (error) {
      reply = { id: task.id, ok: false, error: error instanceof Error ? error.name : 'error' };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true });
}
