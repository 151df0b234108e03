import type { PendingTransaction } from './chain.js';

/** A pending pool: an API endpoint's (by index) or the block producers'. */
export type PoolId = number | 'producer';

interface RelayEntry {
  tx: PendingTransaction;
  /** Acceptance order, the tie-break between equal arrival times. */
  seq: number;
  /** When each endpoint accepted it from a client (a broadcast straight to that endpoint). */
  direct: Map<PoolId, number>;
  /** When it was first accepted by an endpoint that relays it (`undefined`: nobody relays it, e.g. withheld). */
  relayedAt: number | undefined;
}

/**
 * Pending pools per node, as on Hive's p2p network: a transaction accepted by one API endpoint is in that endpoint's
 * pool at once and reaches every other endpoint's pool, and the block producers', `delayMs` later. Where it arrives
 * after a conflicting one (another switch from the same key), that pool refuses it; each pool is therefore the
 * transactions that have reached it, in arrival order, less those that no longer apply (the chain filters them, see
 * `Chain.poolOf`). With `delayMs` 0 every pool is the same: one mempool.
 */
export class RelayPools {
  readonly delayMs: number;
  #entries: RelayEntry[] = [];
  #seq = 0;

  constructor(delayMs: number) {
    this.delayMs = delayMs;
  }

  /** Records `tx` accepted at `at` by `pool` (relayed onwards unless `relay` is false). */
  add(tx: PendingTransaction, pool: PoolId, at: number, relay: boolean): void {
    let entry = this.#entries.find((e) => e.tx.id === tx.id);
    if (!entry) {
      entry = { tx, seq: this.#seq++, direct: new Map(), relayedAt: undefined };
      this.#entries.push(entry);
    }
    entry.direct.set(pool, Math.min(entry.direct.get(pool) ?? Number.POSITIVE_INFINITY, at));
    if (relay) entry.relayedAt = Math.min(entry.relayedAt ?? Number.POSITIVE_INFINITY, at);
  }

  /** `pool` starts relaying what it had kept to itself (a withholding node reconnected), from `at`. */
  relayHeld(pool: PoolId, at: number): void {
    for (const entry of this.#entries)
      if (entry.direct.has(pool) && entry.relayedAt === undefined) entry.relayedAt = at;
  }

  /** Puts `tx` back in every pool at once (a block taken off by a fork returns its transactions to pending). */
  restore(tx: PendingTransaction, at: number, pools: readonly PoolId[]): void {
    for (const pool of pools) this.add(tx, pool, at, false);
    this.add(tx, 'producer', at, true);
  }

  #arrival(entry: RelayEntry, pool: PoolId): number {
    const direct = entry.direct.get(pool) ?? Number.POSITIVE_INFINITY;
    const relayed = entry.relayedAt === undefined ? Number.POSITIVE_INFINITY : entry.relayedAt + this.delayMs;
    return Math.min(direct, relayed);
  }

  /** The transactions that have reached `pool` by `now`, in arrival order (not yet filtered for validity). */
  arrived(pool: PoolId, now: number): PendingTransaction[] {
    return this.#entries
      .map((entry) => ({ entry, at: this.#arrival(entry, pool) }))
      .filter(({ at }) => at <= now)
      .sort((a, b) => a.at - b.at || a.entry.seq - b.entry.seq)
      .map(({ entry }) => entry.tx);
  }

  /** Every transaction in some pool, in acceptance order. */
  all(): PendingTransaction[] {
    return this.#entries.map((e) => e.tx);
  }

  /** Whether `id` is in some pool. */
  has(id: string): boolean {
    return this.#entries.some((e) => e.tx.id === id);
  }

  /** Takes `ids` out of every pool. */
  remove(ids: ReadonlySet<string>): void {
    if (ids.size > 0) this.#entries = this.#entries.filter((e) => !ids.has(e.tx.id));
  }
}
