import { describe, expect, it } from 'vitest';
import { SwitchGate } from './switch-gate.js';

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('switch gate', () => {
  it('starts a switch only once the one before it has ended: two never overlap', async () => {
    const story: string[] = [];
    const gate = new SwitchGate(() => story.push('turn'));
    const first = deferred<string>();
    const a = gate.run(async () => {
      story.push('a starts');
      return first.promise;
    });
    const b = gate.run(async () => {
      story.push('b starts');
      return 'b';
    });
    await flush();
    expect(story).toEqual(['turn', 'a starts']);
    first.resolve('a');
    await expect(a).resolves.toBe('a');
    await expect(b).resolves.toBe('b');
    expect(story).toEqual(['turn', 'a starts', 'turn', 'b starts']);
  });

  it('lets the next switch run after one that failed, and hands the failure to its own caller only', async () => {
    const gate = new SwitchGate();
    const failing = deferred<never>();
    const a = gate.run(() => failing.promise);
    const b = gate.run(async () => 'b');
    failing.reject(new Error('did not land'));
    await expect(a).rejects.toThrow('did not land');
    await expect(b).resolves.toBe('b');
  });
});
