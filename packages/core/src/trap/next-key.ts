import type { PublicKeyString } from '../types.js';
import type { KeyHealth } from './health.js';
import { backupOrder, forwardKeys, nextBackupKey, type SigningPlan } from './key-plan.js';

/** What the next-key choice needs of the trap. */
export interface NextKeyOptions {
  /** The configured backup keys, in order. */
  backupKeys: readonly PublicKeyString[];
  /** A key that failed is not switched back to for this long (unless its node proves up right now). */
  cooldownMs: number;
  /** Keys that failed, with when (daemon state; `[]` in one-shot mode). */
  failedKeys: () => ReadonlyArray<{ key: PublicKeyString; at: number }>;
  /** The key nodes' health (trap/backup-health.ts): `recent` may answer from the background probes, `probe` never. */
  health: {
    readonly configured: boolean;
    recent(fromKey: PublicKeyString): Promise<KeyHealth>;
    probe(fromKey: PublicKeyString): Promise<KeyHealth>;
  };
  /** How a switch away from a key is signed (trap/key-ledger.ts). */
  planFor(fromKey: PublicKeyString): SigningPlan | undefined;
}

/**
 * The choice of the key a failover switches to. A "down" from the background probes (up to two rounds old) is never
 * the last word: before giving up (and above all before the null key), and before wrapping back to an earlier key,
 * the health URLs are probed again, now (each probe bounded by its timeout). Where the normal rules leave nothing, a
 * key whose node proves up and in sync right now is usable even inside its cooldown: a fresh proof beats the memory
 * of an old failure, and beats disabling the witness or leaving it missing. On the active-key path
 * (`witness_update`) the target is the first backup after the on-chain key, whatever the probes say: deterministic
 * agreement between monitors. Holds no state: the health answers are the backup-health monitor's, the failures the
 * state's.
 */
export class NextKeyChooser {
  readonly #o: NextKeyOptions;

  constructor(options: NextKeyOptions) {
    this.#o = options;
  }

  /** The key to switch to from `fromKey` at `now`, or `undefined` when none is usable (exhausted). */
  async choose(fromKey: PublicKeyString, now: number): Promise<PublicKeyString | undefined> {
    const { backupKeys, health } = this.#o;
    if (this.#o.planFor(fromKey)?.operation === 'witness_update') {
      // The active-key path has no compare-and-swap on chain: monitors agree on the target instead. Health probes
      // and cooldowns are each monitor's own view (two of them disagreeing would land two switches), so every
      // monitor takes the first backup after the on-chain key in the configured order (docs/security.md).
      return backupOrder(fromKey, backupKeys)[0];
    }
    const failedKeys = this.#o.failedKeys();
    const choose = (keyHealth: KeyHealth, cooldownExempt: ReadonlySet<PublicKeyString> = new Set()) =>
      nextBackupKey({
        currentKey: fromKey,
        backupKeys,
        failedKeys: failedKeys.filter((f) => !cooldownExempt.has(f.key)),
        cooldownMs: this.#o.cooldownMs,
        unhealthy: keyHealth.unhealthy,
        healthy: keyHealth.healthy,
        now,
      });
    const first = choose(await health.recent(fromKey));
    if (first !== undefined && forwardKeys(fromKey, backupKeys).includes(first)) return first;
    if (!health.configured) return first;
    // Wrapping back, or nothing left: both rest on what the nodes say right now.
    const fresh = await health.probe(fromKey);
    return choose(fresh) ?? choose(fresh, fresh.healthy);
  }
}
