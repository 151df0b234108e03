import type { SimnetClock } from './clock.js';
import type { Stepped } from './types.js';

/**
 * Advances `clock` one block interval at a time until `done` settles or `maxSlots` intervals pass. Each advance
 * settles whatever sleeps on the clock before the next, so a trap under test runs step by step with the chain.
 */
export async function stepUntil<T>(
  clock: SimnetClock,
  blockIntervalMs: number,
  done: Promise<T>,
  maxSlots: number,
): Promise<Stepped<T>> {
  let result: Stepped<T> | undefined;
  done.then(
    (value) => {
      result = { settled: true, value };
    },
    (error: unknown) => {
      result = { settled: true, error };
    },
  );
  for (let slot = 0; slot < maxSlots && result === undefined; slot++) await clock.advance(blockIntervalMs);
  return result ?? { settled: false };
}
