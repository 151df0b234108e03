import type { Clock, Logger, PublicKeyString } from '../types.js';
import type { HealthProbe } from './health.js';
import { type DarkVerdict, darkWindow, type PreemptiveOptions, watchForDark } from './preemptive.js';

/** What the pre-emption part needs of the trap. */
export interface PreemptionOptions {
  /** `FailoverTrapOptions.preemptive`: off when `false` or absent. */
  preemptive: false | PreemptiveOptions | undefined;
  /** Health URL per key (`FailoverTrapOptions.health`): only a key with one can be pre-empted. */
  urls: Record<PublicKeyString, string> | undefined;
  /** How a URL is probed (the backup-health monitor's probe). */
  probe: () => HealthProbe;
  /** The chain's timings, known once the trap has armed. */
  timing: () => { blockIntervalMs: number; pollIntervalMs: number };
  clock: Clock;
  log: Logger;
}

/** The watcher's view of chain time: how far the host clock is off, and a sleep to a chain time (`SlotWatcher`). */
export interface ChainTimeline {
  readonly clockOffsetMs: number;
  sleepUntil(time: number): Promise<void>;
}

/** A pre-emptive switch decided before the slot `aslot`, with the window's verdict. */
export interface PreemptiveFire {
  aslot: number;
  verdict: DarkVerdict;
}

/**
 * Pre-emption: before each predicted slot of the key on chain, probes that key's node health URL through the window
 * of trap/preemptive.ts (`darkChecks` consecutive dark probes, a probe interval apart, each bounded by the interval,
 * decided by `leadSlots` blocks before the slot) and says whether to switch now, with no miss at all. It owns the
 * choice of URL and window; it holds no state between slots (each window decides afresh).
 */
export class Preemption {
  readonly #o: PreemptionOptions;

  constructor(options: PreemptionOptions) {
    this.#o = options;
  }

  /**
   * Watches the window before `slot` (chain time) for the node of `currentKey`. Resolves with the decision to fire
   * where it went dark in time, `undefined` where it stayed alive or is not covered; rejects when the watcher's
   * sleep does (the trap stopping, a manual switch waking it).
   */
  async check(
    slot: { aslot: number; time: number },
    currentKey: PublicKeyString | undefined,
    timeline: ChainTimeline | undefined,
  ): Promise<PreemptiveFire | undefined> {
    const option = this.#o.preemptive;
    const url = this.#url(currentKey);
    if (!option || url === undefined || timeline === undefined) return undefined;
    const window = darkWindow(slot.time, option, this.#o.timing());
    const verdict = await watchForDark(url, window, {
      probe: this.#o.probe(),
      now: () => this.#o.clock.now() - timeline.clockOffsetMs,
      sleepUntil: (time) => timeline.sleepUntil(time),
    });
    if (!verdict.dark) return undefined;
    this.#o.log.warn('current key node dark before its slot: pre-emptive switch', { aslot: slot.aslot });
    return { aslot: slot.aslot, verdict };
  }

  #url(key: PublicKeyString | undefined): string | undefined {
    return key === undefined ? undefined : this.#o.urls?.[key];
  }
}
