import type { PublicKeyString } from '../types.js';

/**
 * How many blocks apart two reads of one node may answer from: a caching proxy or a load balancer in front of it
 * fans reads out over backends a block apart, so a head read can be a block behind the witness read after it, and a
 * witness read a block behind the head read before it. With a one-block hold counted on such reads, a key that was
 * only pending (reads include pending transactions) was adopted: shown at a head read a block behind, then shown
 * again by the lagging backend while the next head read came from the fresh one.
 */
export const PEER_KEY_READ_LAG_BLOCKS = 1;

/**
 * Decides when to adopt a signing key that someone else set (a peer instance on another host, or a person).
 *
 * Our own switch is confirmed by finding its transaction id in a block ({@link InclusionScan}). A peer's
 * transaction id is unknown to us, and block headers carry ids only, so the rule for a peer's key is: adopt it once
 * it has been shown for at least one full block after it was first seen, counted on reads that can each be a block
 * behind another ({@link PEER_KEY_READ_LAG_BLOCKS}): three blocks as the head reads show them. hived answers reads
 * from a state with pending transactions applied and re-applies them after every block; a transaction that only sat
 * in one node's pending state and was dropped at the next block (expired, its TaPoS on a lost fork, refused by the
 * producer) is filtered out, since the key is back at the next read. It cannot tell a transaction that stays pending
 * for many blocks without inclusion; the cost there is bounded: the key reverts on the next reads, and a trap
 * watching the witness sees it miss again. Looking for the peer's operation in full blocks would need a wider chain
 * contract.
 *
 * Feed it one observation per poll: the head read just before the key, and the key where it is someone else's.
 */
export class PeerKeyWatch {
  #key: PublicKeyString | undefined;
  /**
   * A head read after the key was first seen: the key was first shown at or before the block after it (the head read
   * may have come from a backend a block behind the one that showed the key).
   */
  #firstSeenBy: number | undefined;

  /** Whether a key is being watched (the caller should keep polling at its pace). */
  get watching(): boolean {
    return this.#key !== undefined;
  }

  /**
   * @param head - The head block number, read just before `key`.
   * @param key - The signing key read, where it is someone else's; `undefined` otherwise (resets the watch).
   * @returns `true` once `key` has held for a full block after it was first seen, counted on reads that may each
   * come from a backend {@link PEER_KEY_READ_LAG_BLOCKS} block behind another's: shown at a head read more than
   * twice that lag past the first head read after it was seen (the sighting may be that lag past its head read, the
   * latest read of the key that lag behind its own).
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
    return head > this.#firstSeenBy + 2 * PEER_KEY_READ_LAG_BLOCKS;
  }
}
