import type { PublicKeyString } from '../types.js';
import type { KeyHealth } from './health.js';
import { backupOrder } from './key-plan.js';

/** What the exhaustion part needs to decide. */
export interface ExhaustionOptions {
  /** The configured backup keys, in order. */
  backupKeys: readonly PublicKeyString[];
  /** One-shot ends on exhaustion; a daemon keeps watching, or sets the null key with the kill switch. */
  mode: 'one-shot' | 'daemon';
  /** Daemon: when every backup has failed, set the null key. Ignored in one-shot mode. */
  killSwitch: boolean;
}

/** What to do now that no backup key is usable, as {@link Exhaustion.enter} decides it. */
export interface ExhaustionStep {
  /** The keys that were tried, in backup order after the key on chain. */
  triedKeys: PublicKeyString[];
  /** The kill switch applies (daemon with `killSwitch`). */
  killSwitch: boolean;
  /** Tell it (`exhausted` event and notification): the first time in an episode, and always before the null key. */
  alert: boolean;
  /** `end`: one-shot, the run ends exhausted. `watch`: daemon keeps watching. `kill`: set the null key, then end. */
  next: 'end' | 'watch' | 'kill';
}

/**
 * Exhaustion and its recovery: the one owner of "since when no backup key is usable". An episode starts when a
 * failover finds no key to switch to ({@link Exhaustion.enter}) and ends when a switch goes out or the witness
 * produces again ({@link Exhaustion.end}). While it lasts, a daemon without the kill switch is told once (not at
 * every miss) and fails over again as soon as a key's node proves up ({@link Exhaustion.recoveryKey}).
 */
export class Exhaustion {
  readonly #o: ExhaustionOptions;
  #since: number | undefined;

  constructor(options: ExhaustionOptions) {
    this.#o = options;
  }

  /** Since when no backup key is usable (the trap's clock), or `undefined` outside an episode. */
  get since(): number | undefined {
    return this.#since;
  }

  /** No backup key was usable when `fromKey` failed at `now`: starts (or continues) the episode and says what next. */
  enter(fromKey: PublicKeyString, now: number): ExhaustionStep {
    const killSwitch = this.#o.killSwitch && this.#o.mode === 'daemon';
    const alert = this.#since === undefined || killSwitch;
    this.#since ??= now;
    return {
      triedKeys: backupOrder(fromKey, this.#o.backupKeys),
      killSwitch,
      alert,
      next: this.#o.mode === 'one-shot' ? 'end' : killSwitch ? 'kill' : 'watch',
    };
  }

  /** A switch goes out, or the witness produced: the episode is over (the next exhaustion is told again). */
  end(): void {
    this.#since = undefined;
  }

  /**
   * Whether a slot verdict of `kind` calls for the recovery check: only while exhausted, and only where the witness
   * did not produce (that ends the episode) and the chain did not move to another key (that is adopted instead).
   */
  watching(kind: string): boolean {
    return this.#since !== undefined && kind !== 'produced' && kind !== 'moved';
  }

  /**
   * While exhausted: the first key after `currentKey`, in backup order, whose node proved up in `health` (probed
   * just now): the signal to fail over again at once. `undefined` outside an episode or where none did.
   */
  recoveryKey(currentKey: PublicKeyString, health: KeyHealth | undefined): PublicKeyString | undefined {
    if (this.#since === undefined || health === undefined) return undefined;
    return backupOrder(currentKey, this.#o.backupKeys).find((key) => health.healthy.has(key));
  }
}
