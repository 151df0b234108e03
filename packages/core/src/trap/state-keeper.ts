import { toWitnessTrapError, type WitnessTrapError } from '../errors.js';
import { corruptStateRefusal, refusesToArm } from '../state/corrupt-state.js';
import type { PendingSwitch, PublicKeyString, StateStore, SwitchRecord, TrapState } from '../types.js';
import { withIoTimeout } from './io-timeout.js';
import type { SwitchPersistence } from './switch.js';

/** Switches kept in the state's history; older ones are dropped. */
const HISTORY_LIMIT = 50;

/**
 * The trap's state, held in memory and written through to a {@link StateStore} on every change. A write that fails
 * is reported (loudly, as an `error` event) and never stops a failover: the chain, not the file, is the truth, and
 * the next start reconciles the two. Nor does a write that hangs (a dead disk, a stuck network share): each change
 * resolves once saved or after `saveTimeoutMs` of real time, reported as `STATE_WRITE_TIMEOUT`, whichever is first.
 */
export class StateKeeper implements SwitchPersistence {
  readonly #store: StateStore;
  readonly #report: (error: WitnessTrapError) => void;
  #state: TrapState;
  /** Set once a saved state was found unreadable as a state: nothing is written over it, ever. */
  #refused = false;
  /** Writes run one after another, so that an older state can never overwrite a newer one. */
  #queue: Promise<void> = Promise.resolve();

  readonly #saveTimeoutMs: number;

  constructor(store: StateStore, witness: string, report: (error: WitnessTrapError) => void, saveTimeoutMs = 1000) {
    this.#store = store;
    this.#saveTimeoutMs = saveTimeoutMs;
    this.#report = report;
    this.#state = { version: 1, witness, history: [], failedKeys: [] };
  }

  /**
   * Loads what an earlier run saved for this witness (state saved for another witness is ignored, and reported).
   * A state that exists but does not parse (`STATE_CORRUPT`), or may not be read (`EACCES`), is never replaced: the
   * trap refuses to arm, and this keeper writes nothing from then on, so the file stays byte for byte as it was for
   * the operator to inspect. A store that cannot be read because nothing is there (`STATE_READ_FAILED`, e.g.
   * `ENOTDIR`) is reported and the run goes on from a fresh state.
   *
   * @throws ConfigError `CONFIG_STATE_CORRUPT` naming the file and how to move it aside.
   */
  async load(): Promise<TrapState> {
    try {
      const saved = await this.#store.load();
      if (saved !== undefined && saved.witness === this.#state.witness) this.#state = structuredClone(saved);
      else if (saved !== undefined) {
        this.#report(
          toWitnessTrapError(
            new Error(`the state file belongs to witness ${saved.witness}, not ${this.#state.witness}; starting fresh`),
            'STATE_OTHER_WITNESS',
          ),
        );
      }
    } catch (error) {
      const typed = toWitnessTrapError(error, 'STATE_READ_FAILED');
      if (refusesToArm(typed)) {
        this.#refused = true;
        throw corruptStateRefusal(typed);
      }
      this.#report(typed);
    }
    return this.snapshot();
  }

  /** A copy of the state as it is now. */
  snapshot(): TrapState {
    return structuredClone(this.#state);
  }

  /** Records the arming baseline. */
  armed(at: number, baselineTotalMissed: number): Promise<void> {
    return this.#update((s) => {
      s.armedAt = at;
      s.baselineTotalMissed = baselineTotalMissed;
    });
  }

  savePending(pending: PendingSwitch | undefined): Promise<void> {
    return this.#update((s) => {
      if (pending === undefined) delete s.pending;
      else s.pending = structuredClone(pending);
    });
  }

  recordSwitch(record: SwitchRecord): Promise<void> {
    return this.#update((s) => {
      delete s.pending;
      s.history = [...s.history, record].slice(-HISTORY_LIMIT);
    });
  }

  /** Marks the newest switch as one its one-shot run ended normally after (see `SwitchRecord.ended`). */
  markEnded(): Promise<void> {
    return this.#update((s) => {
      const last = s.history.at(-1);
      if (last !== undefined) s.history = [...s.history.slice(0, -1), { ...last, ended: true }];
    });
  }

  /** Remembers that `key` failed at `at` (its node missed while it was on chain). */
  keyFailed(key: PublicKeyString, at: number): Promise<void> {
    return this.#update((s) => {
      s.failedKeys = [...s.failedKeys.filter((f) => f.key !== key), { key, at }];
    });
  }

  #update(change: (state: TrapState) => void): Promise<void> {
    change(this.#state);
    if (this.#refused) return this.#queue;
    const copy = structuredClone(this.#state);
    this.#queue = this.#queue.then(async () => {
      try {
        await this.#store.save(copy);
      } catch (error) {
        this.#report(toWitnessTrapError(error, 'STATE_WRITE_FAILED'));
      }
    });
    const saved = this.#queue;
    const ms = this.#saveTimeoutMs;
    return withIoTimeout(
      () => saved,
      ms,
      () => {
        const error = new Error(`the state store did not save within ${ms} ms; going on (the chain is the truth)`);
        this.#report(toWitnessTrapError(error, 'STATE_WRITE_TIMEOUT'));
      },
    );
  }
}
