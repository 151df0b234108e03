import type { Clock } from './types.js';

/**
 * The real clock: `Date.now()` and timers. Scenario tests pass a manual clock instead (the simulated chain has
 * one), so that the chain and the trap step together.
 *
 * @example
 * ```ts
 * import { systemClock } from '@witness-trap/core';
 * await systemClock.sleep(3000); // one block interval
 * ```
 */
export const systemClock: Clock = Object.freeze({
  now: (): number => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
});
