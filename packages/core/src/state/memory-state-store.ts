import type { StateStore, TrapState } from '../types.js';

/** A {@link StateStore} in memory, for tests: `saved` is the last state saved (a copy). */
export interface MemoryStateStore extends StateStore {
  /** The last state saved, or `initial`, or `undefined`. */
  readonly saved: TrapState | undefined;
}

/**
 * A state store that keeps the state in memory, copying on the way in and out so that a caller mutating its
 * object cannot change what was "saved".
 *
 * @param initial - What `load()` returns before any save (a restart with state on disk).
 * @example
 * ```ts
 * const state = memoryStateStore();
 * const trap = new FailoverTrap({ chain, signer, state, ... });
 * ```
 */
export function memoryStateStore(initial?: TrapState): MemoryStateStore {
  let saved = initial === undefined ? undefined : structuredClone(initial);
  return {
    get saved() {
      return saved === undefined ? undefined : structuredClone(saved);
    },
    async load() {
      return saved === undefined ? undefined : structuredClone(saved);
    },
    async save(state) {
      saved = structuredClone(state);
    },
  };
}
