/** A simulated clock for the fake upstream: cache TTLs and timestamps follow it, never the wall clock. */
export interface FakeClock {
  /** Milliseconds since the epoch, simulated. */
  now(): number;
  /** Moves time forward. */
  advance(ms: number): void;
  /** Sets the time. */
  set(ms: number): void;
}

/** 2025-01-01T00:00:00Z: a fixed start so runs are reproducible. */
export const FAKE_EPOCH_MS = Date.UTC(2025, 0, 1);

export function createFakeClock(startMs: number = FAKE_EPOCH_MS): FakeClock {
  let t = startMs;
  return {
    now: () => t,
    advance: (ms) => {
      if (!(ms >= 0)) throw new RangeError('FakeClock.advance: ms must be ≥ 0');
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}
