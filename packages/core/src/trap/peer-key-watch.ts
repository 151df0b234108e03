import type { PublicKeyString } from '../types.js';

/**
 * Decides when to adopt a signing key that someone else set (a peer instance on another host, or a person).
 *
 * Our own switch is confirmed by finding its transaction id in a block ({@link InclusionScan}). A peer's
 * transaction id is unknown to us, and block headers carry ids only, so the rule for a peer's key is: adopt it once
 * it has been shown for at least one full block after it was first seen. hived answers reads from a state with
 * pending transactions applied and re-applies them after every block; a transaction that only sat in one node's
 * pending state and was dropped at the next block (expired, its TaPoS on a lost fork, refused by the producer) is
 * filtered out, since the key is back at the next read. It cannot tell a transaction that stays pending for many
 * blocks without inclusion; the cost there is bounded: the key reverts on the next reads, and a trap watching the
 * witness sees it miss again. Looking for the peer's operation in full blocks would need a wider chain contract.
 *
 * Feed it one observation per poll: the head read just before the key, and the key where it is someone else's.
 */
export class PeerKeyWatch {
  #key: PublicKeyString | undefined;
  /** A head read after the key was first seen: the key was first shown at or before it. */
  #firstSeenBy: number | undefined;

  /** Whether a key is being watched (the caller should keep polling at its pace). */
  get watching(): boolean {
    return this.#key !== undefined;
  }

  /**
   * @param head - The head block number, read just before `key`.
   * @param key - The signing key read, where it is someone else's; `undefined` otherwise (resets the watch).
   * @returns `true` once `key` has held for a full block after it was first seen.
   */
  observe(head: number, key: PublicKeyString | undefined): boolean {
    if (key === undefined || key !== this.#key) {
      this.#key = key;
      this.#firstSeenBy = undefined;
      return false;
    }
    if (this.#firstSeenBy === undefined) {
      this.#firstSeenBy = head;
      return false;
    }
    return head > this.#firstSeenBy;
  }
}
