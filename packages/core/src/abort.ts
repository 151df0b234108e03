/**
 * Linking abort signals without `AbortSignal.any`.
 *
 * Node 20's `AbortSignal.any` keeps a `WeakRef` to every signal it composes in each source's set of dependants, and
 * never removes it (Node 22 and 24 clear it once the composed signal is collected). The trap composes the run's
 * stop signal, which lives as long as the daemon, with a short-lived one for nearly every read: measured on Node
 * 20.20, about six a round, a set that grows for as long as the daemon runs. A linked signal here listens on its
 * sources and is unlinked by its owner when the work it guards settles, so nothing is left on a long-lived source.
 */

/** A signal that aborts when any of its sources does, and the way to unlink it from them. */
export interface LinkedSignal {
  /** Aborts with the reason of the first source that aborts (at once where one already has). */
  readonly signal: AbortSignal;
  /**
   * Removes its listeners from every source. Call it when the work the signal guards has settled; the signal then
   * no longer follows its sources. Idempotent.
   */
  dispose(): void;
}

/**
 * Links `sources` (`undefined` entries are skipped) into one signal. The caller must `dispose()` it once the work
 * is done (in a `finally`); it also unlinks itself when it aborts.
 */
export function linkSignals(sources: ReadonlyArray<AbortSignal | undefined>): LinkedSignal {
  const controller = new AbortController();
  const listening: Array<{ source: AbortSignal; listener: () => void }> = [];
  const dispose = (): void => {
    for (const { source, listener } of listening.splice(0)) source.removeEventListener('abort', listener);
  };
  for (const source of sources) {
    if (source === undefined) continue;
    if (source.aborted) {
      dispose();
      controller.abort(source.reason);
      break;
    }
    const listener = (): void => {
      dispose();
      controller.abort(source.reason);
    };
    source.addEventListener('abort', listener, { once: true });
    listening.push({ source, listener });
  }
  return { signal: controller.signal, dispose };
}
