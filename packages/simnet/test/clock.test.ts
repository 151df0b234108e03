import { describe, expect, it } from 'vitest';
import { createRealClock, ManualClock } from '../src/index.js';

describe('the manual clock', () => {
  it('moves only when advanced, waking sleepers in time order', async () => {
    const clock = new ManualClock(1_000);
    const woke: string[] = [];
    void clock.sleep(300).then(() => woke.push(`b@${clock.now()}`));
    void clock.sleep(100).then(() => woke.push(`a@${clock.now()}`));
    void clock.sleep(900).then(() => woke.push(`c@${clock.now()}`));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(woke).toEqual([]);
    expect(clock.now()).toBe(1_000);
    await clock.advance(500);
    expect(woke).toEqual(['a@1100', 'b@1300']);
    expect(clock.now()).toBe(1_500);
    await clock.advance(500);
    expect(woke).toEqual(['a@1100', 'b@1300', 'c@1900']);
  });

  it('wakes a task as often as it sleeps within one advance', async () => {
    const clock = new ManualClock(0);
    const ticks: number[] = [];
    const controller = new AbortController();
    const loop = (async () => {
      for (;;) {
        await clock.sleep(1000, controller.signal);
        ticks.push(clock.now());
      }
    })().catch(() => undefined);
    await clock.advance(3500);
    expect(ticks).toEqual([1000, 2000, 3000]);
    controller.abort();
    await loop;
  });

  it('runs scheduled work before sleepers due at the same time', async () => {
    const clock = new ManualClock(0);
    const order: string[] = [];
    let due: number | undefined = 1000;
    clock.schedule({
      nextDue: () => due,
      run: (now) => {
        order.push(`work@${now}`);
        due = now + 1000;
      },
    });
    void clock.sleep(1000).then(() => order.push(`sleeper@${clock.now()}`));
    await clock.advance(2000);
    expect(order).toEqual(['work@1000', 'sleeper@1000', 'work@2000']);
  });

  it('rejects an aborted sleep with the reason and resolves a zero sleep at once', async () => {
    const clock = new ManualClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.sleepers()).toBe(0);
    await expect(clock.sleep(0)).resolves.toBeUndefined();
    await expect(clock.sleep(10, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });

  it('serializes concurrent advances', async () => {
    const clock = new ManualClock(0);
    await Promise.all([clock.advance(100), clock.advance(100), clock.advance(100)]);
    expect(clock.now()).toBe(300);
  });
});

describe('the real clock', () => {
  it('wakes a sleeper and honours abort', async () => {
    const clock = createRealClock();
    await expect(clock.sleep(5)).resolves.toBeUndefined();
    const controller = new AbortController();
    const sleeping = clock.sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
  });
});
