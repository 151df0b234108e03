import type { Clock, PublicKeyString } from '../types.js';
import { type HealthProbe, httpHealthProbe, type KeyHealth, probeKeys } from './health.js';
import { backupOrder } from './key-plan.js';

/** What the backup-health monitor needs. */
export interface BackupHealthOptions {
  clock: Clock;
  backupKeys: readonly PublicKeyString[];
  /** Health URL per key; without it nothing is probed and every key counts as usable. */
  urls: Record<PublicKeyString, string> | undefined;
  probe?: HealthProbe;
  maxLagBlocks: number;
  blockIntervalMs: () => number;
  /** The last trusted head's number, for the lag check. */
  headBlockNumber: () => number | undefined;
}

/**
 * The one owner of what the key nodes' health URLs last showed (down, or up and in sync). Probed in the background
 * after each slot check, so that the answer is at hand when the trap fires: a dead host that drops packets would
 * otherwise cost a probe timeout between the miss and the broadcast. Each probe is bounded by its timeout.
 */
export class BackupHealth {
  readonly #o: BackupHealthOptions;
  #last: (KeyHealth & { at: number }) | undefined;

  constructor(options: BackupHealthOptions) {
    this.#o = options;
  }

  /** Whether any health URL is configured. */
  get configured(): boolean {
    return this.#o.urls !== undefined;
  }

  /** The keys after `fromKey`, as last probed when that answer is recent (two rounds); otherwise probed now. */
  async recent(fromKey: PublicKeyString): Promise<KeyHealth> {
    if (this.#o.urls === undefined) return { unhealthy: new Set(), healthy: new Set() };
    const cached = this.#last;
    const maxAgeMs = 2 * 21 * this.#o.blockIntervalMs();
    if (cached !== undefined && this.#o.clock.now() - cached.at < maxAgeMs) return cached;
    return this.probe(fromKey);
  }

  /** Probes the keys after `fromKey` now (each bounded by the probe timeout) and remembers the answer. */
  async probe(fromKey: PublicKeyString): Promise<KeyHealth> {
    const at = this.#o.clock.now();
    const head = this.#o.headBlockNumber();
    const health = await probeKeys(backupOrder(fromKey, this.#o.backupKeys), {
      ...this.options(),
      urls: this.#o.urls ?? {},
      maxLagBlocks: this.#o.maxLagBlocks,
      ...(head === undefined ? {} : { headBlockNumber: head }),
    });
    this.#last = { at, ...health };
    return health;
  }

  /** How one URL is probed: the probe and its timeout (half an interval, at least 500 ms). */
  options(): { probe: HealthProbe; timeoutMs: number } {
    return {
      probe: this.#o.probe ?? httpHealthProbe,
      timeoutMs: Math.max(500, this.#o.blockIntervalMs() / 2),
    };
  }
}
