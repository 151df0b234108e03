/**
 * Runs `work` with an abort signal that fires after `ms` of REAL time, and settles with `onTimeout()` then if the
 * work has not settled. Network waits (a health probe, a notifier's HTTP call) are bounded in wall-clock time, not
 * on the trap's clock: a manual clock in tests stands still while a socket is open, and a timer on it would make
 * the waiting task look asleep.
 *
 * The work given up on is cancelled, not only outrun: its signal aborts at the timeout, and also when `parent` (the
 * run's stop signal) aborts. Work must pass the signal on to what it awaits and must not change shared state once
 * it is aborted. The listener on `parent` is removed when the work settles or times out: a long run does not collect them.
 */
export function withIoTimeout<T>(
  work: (signal: AbortSignal) => Promise<T>,
  ms: number,
  onTimeout: () => T,
  parent?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  const forward = () => controller.abort(parent?.reason);
  if (parent?.aborted === true) controller.abort(parent.reason);
  else parent?.addEventListener('abort', forward, { once: true });
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      parent?.removeEventListener('abort', forward);
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
      .finally(() => {
        clearTimeout(timer);
        parent?.removeEventListener('abort', forward);
      });
  });
}
