/** Something that runs until told to stop (an app of the stack). */
export interface RunningService {
  readonly name: string;
  close(): Promise<void>;
}

export interface RunUntilSignalOptions {
  /** Longest wait for in-flight requests before giving up on a graceful close (default 30 s). */
  readonly graceMs?: number;
  readonly signals?: readonly NodeJS.Signals[];
  readonly onSignal?: (signal: NodeJS.Signals) => void;
  readonly onClosed?: (result: { graceful: boolean }) => void;
}

/**
 * Wait for SIGTERM / SIGINT, then close the services in reverse start order, each within the grace
 * period. A second signal stops waiting. Resolves once everything is closed (or abandoned).
 */
export async function runUntilSignal(services: readonly RunningService[], options: RunUntilSignalOptions = {}): Promise<void> {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let second: () => void = () => undefined;
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const handler = (s: NodeJS.Signals): void => resolve(s);
    for (const s of signals) process.once(s, handler);
  });
  options.onSignal?.(signal);
  const forced = new Promise<'forced'>((resolve) => {
    second = () => resolve('forced');
    for (const s of signals) process.once(s, second);
  });
  const grace = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.graceMs ?? 30_000).unref());
  const closing = (async () => {
    for (const service of [...services].reverse()) await service.close();
    return 'closed' as const;
  })();
  const result = await Promise.race([closing, forced, grace]);
  for (const s of signals) process.off(s, second);
  options.onClosed?.({ graceful: result === 'closed' });
}
