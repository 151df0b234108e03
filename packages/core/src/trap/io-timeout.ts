/**
 * Runs `work` with an abort signal that fires after `ms` of REAL time, and settles with `onTimeout()` then if the
 * work has not settled. Network waits (a health probe, a notifier's HTTP call) are bounded in wall-clock time, not
 * on the trap's clock: a manual clock in tests stands still while a socket is open, and a timer on it would make
 * the waiting task look asleep.
 */
export function withIoTimeout<T>(
  work: (signal: AbortSignal) => Promise<T>,
  ms: number,
  onTimeout: () => T,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
      controller.abort();
    }, ms);
    timer.unref?.();
    // A synchronous throw inside `work` becomes a rejection like any other.
    Promise.resolve()
      .then(() => work(controller.signal))
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}
