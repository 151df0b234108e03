import { ManualClock } from '@witness-trap/simnet';
import { describe, expect, it } from 'vitest';
import { StaleDataError, TimeoutError } from '../errors.js';
import { readUntilTrusted, TrapStoppedError } from './decisive-read.js';

describe('readUntilTrusted', () => {
  it('waits out untrusted answers, reporting each kind once, and backs off to the ceiling', async () => {
    const clock = new ManualClock(0, { quietMs: 1 });
    const tries: number[] = [];
    const reported: string[] = [];
    const failures = [new StaleDataError('stale'), new StaleDataError('stale'), new TimeoutError('slow')];
    const read = readUntilTrusted(
      async () => {
        tries.push(clock.now());
        const failure = failures.shift();
        if (failure) throw failure;
        return 'fresh';
      },
      { clock, retryMs: 100, maxRetryMs: 150, report: (e) => reported.push(e.code), during: 'test' },
    );
    for (let i = 0; i < 10; i++) await clock.advance(50);
    expect(await read).toBe('fresh');
    expect(tries).toEqual([0, 100, 250, 400]); // pauses 100, then doubled but capped at 150
    expect(reported).toEqual(['STALE_DATA', 'TIMEOUT']);
  });

  it('gives up with the last failure past its deadline, and stops on abort', async () => {
    const clock = new ManualClock(0, { quietMs: 1 });
    const options = { clock, retryMs: 100, report: () => undefined, during: 'test' };
    const late = readUntilTrusted(() => Promise.reject(new StaleDataError('stale')), { ...options, deadline: 250 });
    const outcome = late.catch((e: unknown) => e);
    for (let i = 0; i < 10; i++) await clock.advance(50);
    expect(await outcome).toBeInstanceOf(StaleDataError);

    const controller = new AbortController();
    const stopped = readUntilTrusted(() => Promise.reject(new StaleDataError('stale')), {
      ...options,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await clock.advance(50);
    controller.abort();
    expect(await stopped).toBeInstanceOf(TrapStoppedError);
  });
});
