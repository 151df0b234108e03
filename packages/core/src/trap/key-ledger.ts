import type { SwitchOperation } from '../events.js';
import type { PublicKeyString } from '../types.js';
import { describeKey, type KeyRole } from './control.js';
import { nextBackupKey, type SigningPlan, signingPlan } from './key-plan.js';

/** What the ledger needs: the configured backup order and the cooldown rule. */
export interface KeyLedgerOptions {
  backupKeys: readonly PublicKeyString[];
  /** @default 86_400_000 */
  cooldownMs?: number;
  /** Keys that failed, with when (daemon state; `[]` in one-shot mode). */
  failedKeys: () => ReadonlyArray<{ key: PublicKeyString; at: number }>;
}

/**
 * The one owner of what the trap believes about keys: the signing key on chain as last seen, the keys the signer
 * holds, the owner's active key, and (from the configured backup order) which key comes next and how a switch is
 * signed. Every change of the believed on-chain key goes through {@link KeyLedger.onChain}, with why.
 */
export class KeyLedger {
  readonly #o: KeyLedgerOptions;
  #current: PublicKeyString | undefined;
  #held: ReadonlySet<PublicKeyString> = new Set();
  #active: PublicKeyString | undefined;
  /** Why the on-chain key was last set (for debugging: `armed`, `switched`, `resumed`, ...). */
  #why = '';

  constructor(options: KeyLedgerOptions) {
    this.#o = options;
  }

  /** The signing key on chain, as the trap last saw it (`undefined` before arming). */
  get current(): PublicKeyString | undefined {
    return this.#current;
  }

  /** Why {@link KeyLedger.current} was last set. */
  get why(): string {
    return this.#why;
  }

  /** The keys the signer holds. */
  get held(): ReadonlySet<PublicKeyString> {
    return this.#held;
  }

  /** The owner's active key, where the signer holds one that can sign `witness_update`. */
  get active(): PublicKeyString | undefined {
    return this.#active;
  }

  /** The key on chain is now `key` (or unknown, with `undefined`), because of `why`. */
  onChain(key: PublicKeyString | undefined, why: string): void {
    this.#current = key;
    this.#why = why;
  }

  /** What the signer can sign with, as read at arming. */
  signing(held: ReadonlySet<PublicKeyString>, active: PublicKeyString | undefined): void {
    this.#held = held;
    this.#active = active;
  }

  /** How a switch away from `fromKey` is signed, or `undefined` where nothing held can. */
  planFor(fromKey: PublicKeyString): SigningPlan | undefined {
    return signingPlan(fromKey, this.#held, this.#active);
  }

  /** The key a switch away from `currentKey` would go to now (cooldowns applied), and how it would be signed. */
  nextKeyFacts(currentKey: PublicKeyString, now: number): { nextKey?: PublicKeyString; operation?: SwitchOperation } {
    const nextKey = nextBackupKey({
      currentKey,
      backupKeys: this.#o.backupKeys,
      failedKeys: [...this.#o.failedKeys()],
      cooldownMs: this.#o.cooldownMs ?? 86_400_000,
      now,
    });
    const plan = this.planFor(currentKey);
    return {
      ...(nextKey === undefined ? {} : { nextKey }),
      ...(plan === undefined ? {} : { operation: plan.operation }),
    };
  }

  /** Which configured key is on chain (see {@link describeKey}); `{}` before arming. */
  describe(): { keyRole?: KeyRole; backupIndex?: number } {
    return this.#current === undefined ? {} : describeKey(this.#current, this.#o.backupKeys, this.#held);
  }
}
