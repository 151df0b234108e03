import type { Clock } from '@witness-trap/core';

/**
 * A clock that is `offsetMs` off another one, as the monitor host's clock is when NTP has drifted or failed: `now()`
 * is shifted, durations (`sleep`) are not.
 * @example
 * const host = skewedClock(sim.clock, 30_000); // the monitor's clock runs 30 s ahead of the chain's
 */
export function skewedClock(base: Clock, offsetMs: number): Clock {
  return {
    now: () => base.now() + offsetMs,
    sleep: (ms, signal) => base.sleep(ms, signal),
  };
}
