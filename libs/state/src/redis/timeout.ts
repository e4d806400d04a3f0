import { StateError } from '../errors';

/** Race a Redis operation against a timer; the loser is ignored. Wraps failures in a `StateError`. */
export async function withTimeout<T>(operation: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StateError('STA_TIMEOUT', `${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([operation, timeout]);
  } catch (cause) {
    if (cause instanceof StateError) throw cause;
    throw new StateError('STA_UNAVAILABLE', `${what} failed`, { cause });
  } finally {
    clearTimeout(timer);
    // A late rejection of the losing operation must not become an unhandled rejection.
    operation.catch(() => undefined);
  }
}
