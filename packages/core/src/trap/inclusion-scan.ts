import type { ChainClient, SignedTransaction } from '../types.js';

/**
 * How many blocks the head a transaction was signed at can be ahead of a head read later: reads go to a pool of nodes
 * (or a caching proxy in front of one), and one a few blocks behind the node that gave the signing head is ordinary.
 * TaPoS blocks this close to 65536 blocks back are then not told apart from it; the trap anchors at most 60000 back.
 */
const READ_LAG_BLOCKS = 1024;

/**
 * The block number a transaction's TaPoS refers to, given a head read now: the latest block at or before `head` whose
 * number ends in the transaction's 16-bit `ref_block_num`, or a block at most {@link READ_LAG_BLOCKS} after `head`
 * (the read came from a node behind the one the transaction was signed from: the number is not 65535 blocks back).
 * The transaction cannot be in that block or any before it.
 */
export function taposBlockNum(tx: Pick<SignedTransaction, 'ref_block_num'>, head: number): number {
  const ahead = (tx.ref_block_num - head) & 0xffff;
  if (ahead > 0 && ahead <= READ_LAG_BLOCKS) return head + ahead;
  return head - ((head - tx.ref_block_num) & 0xffff);
}

/**
 * Looks for one transaction id in the blocks after the one its TaPoS refers to (the head when it was signed), up
 * to the head, each block read once. Inclusion in a block is what confirms a switch: hived's API reads answer from
 * a state with pending transactions applied, so "the witness shows the new key" can come before the block, or
 * without one for a transaction later dropped (expired, lost on a fork).
 *
 * Relies on {@link ChainClient.getBlockHeader} reporting `transactionIds` (`condenser_api.get_block` does;
 * `block_api.get_block_header` does not): a block without them never counts as including anything.
 */
export class InclusionScan {
  readonly #chain: ChainClient;
  readonly #tx: SignedTransaction;
  readonly #txId: string;
  readonly #signal: AbortSignal | undefined;
  /** The next block to read; set from the first head seen. */
  #next: number | undefined;
  /** The last block that can hold it (its lifetime in blocks after the TaPoS block); set with `#next`. */
  #last = Number.POSITIVE_INFINITY;
  readonly #maxBlocks: number;
  /** The transaction's expiration, epoch ms (NaN for a malformed one: then only `maxBlocks` bounds the scan). */
  readonly #expiresAt: number;
  /** Counts calls of `upTo`: only the latest one may move the cursor. */
  #turn = 0;

  /**
   * @param maxBlocks - How many blocks after its TaPoS block the transaction can be in at most (its lifetime over
   * the block interval): a scan started long after (a restart) reads those, not every block up to the head.
   * @default Infinity
   */
  constructor(chain: ChainClient, tx: SignedTransaction, txId: string, signal?: AbortSignal, maxBlocks = Infinity) {
    this.#chain = chain;
    this.#tx = tx;
    this.#txId = txId;
    this.#signal = signal;
    this.#maxBlocks = maxBlocks;
    this.#expiresAt = Date.parse(`${tx.expiration}Z`);
  }

  /**
   * Reads the blocks not read yet, up to `head`. Returns the number of the block holding the transaction, or
   * `undefined` (not found yet, or a block not available yet: the next call carries on from it).
   *
   * The cursor has one owner: the latest call. A call given up on (its `signal` aborted, e.g. by a timeout) stops at
   * once and never moves the cursor again, even where a read it started answers late; a newer call takes over from
   * the first block not read, so two scans never advance the cursor past a block neither of them checked.
   * @throws what the chain client throws (the cursor stays, so the next call retries that block); the abort
   * reason once `signal` is aborted.
   */
  async upTo(head: number, signal?: AbortSignal): Promise<number | undefined> {
    const turn = ++this.#turn;
    const owns = () => turn === this.#turn && signal?.aborted !== true;
    if (this.#next === undefined) {
      const tapos = taposBlockNum(this.#tx, head);
      this.#next = tapos + 1;
      this.#last = tapos + this.#maxBlocks;
    }
    for (;;) {
      const num: number = this.#next ?? Number.POSITIVE_INFINITY;
      if (num > Math.min(head, this.#last)) return undefined;
      const { value } = await this.#chain.getBlockHeader(num, {
        decisive: true,
        signal: signal ?? this.#signal,
      });
      if (!owns()) throw signal?.reason ?? new Error('inclusion scan superseded by a newer one');
      if (value === null) return undefined;
      if (value.transactionIds?.includes(this.#txId) === true) return value.number;
      // hived never includes a transaction in a block dated after its expiration: nothing later can hold it.
      if (value.timestamp > this.#expiresAt) this.#last = Math.min(this.#last, value.number);
      this.#next = num + 1;
    }
  }

  /** Whether every block up to `head` has been read (and did not hold the transaction). */
  covered(head: number): boolean {
    return this.#next !== undefined && this.#next > Math.min(head, this.#last);
  }
}
