import type { HeadState, NodeStatus } from '../types.js';
import type { RpcEndpoint } from './json-rpc.js';

/** The bounds a node's head must meet to be fresh. */
export interface FreshnessBounds {
  /** A head not advanced for this long, or not read for this long, is stale (both on the local clock alone). */
  staleAfterMs: number;
  /**
   * How far the local clock may be off the chain's. Comparing a head block's time with the local clock needs it:
   * a head older than `staleAfterMs + maxClockSkewMs`, or ahead of the local clock by more than `maxClockSkewMs`,
   * is stale. Elapsed-time checks need no such allowance, so a skewed host still sees fresh nodes as fresh.
   */
  maxClockSkewMs: number;
}

/**
 * How many blocks behind another answering node, read at the same moment, a node's head may be before it is stale
 * at once: a caching proxy's backends lag one block, a read racing a new block one more; three is neither.
 */
export const FAR_BEHIND_BLOCKS = 3;

/**
 * How many reads in a row must show a node's head at the same block before it may be judged frozen two blocks
 * behind another node: a node that answers from a stale snapshot shows the same head at every read, and answers
 * fast, so a few reads cost it a few polls; an honest node behind a caching proxy (a block of backend lag, a cached
 * read across a block boundary) shows two blocks of lag for a moment, then moves at its next read.
 */
export const FROZEN_READS = 3;

/**
 * What the client knows about one RPC node: its last head, when that head last advanced, how fast and how reliably
 * it answers. Freshness is judged on the client's clock, so a manual clock in tests moves it.
 */
export class NodeHealth {
  readonly endpoint: RpcEndpoint;
  head: HeadState | undefined;
  /** Local time the head was last read. */
  headSeenAt: number | undefined;
  /** Local time the head number last changed. */
  advancedAt: number | undefined;
  /** Head reads in a row, the last one included, that showed the head at its current number. */
  sameReads = 0;
  latencyMs: number | undefined;
  /** Consecutive failed calls. */
  failures = 0;
  failedAt: number | undefined;
  lastError: string | undefined;
  /** Availability at the last check, to notice changes. */
  wasAvailable = false;
  /** Local time it last turned unavailable (after having been asked), while it is. */
  unavailableSince: number | undefined;
  /** Why it is unavailable, at the last check. */
  unavailableReason: string | undefined;
  /** Local time a call to it last started: an unavailable node is probed again at a bounded rate. */
  askedAt: number | undefined;
  /** Calls to it that have not settled yet: an unavailable node with one out is not probed again. */
  inFlight = 0;

  constructor(endpoint: RpcEndpoint) {
    this.endpoint = endpoint;
  }

  get name(): string {
    return this.endpoint.name;
  }

  recordHead(head: HeadState, now: number): void {
    if (this.head === undefined || head.headBlockNumber !== this.head.headBlockNumber) {
      this.advancedAt = now;
      this.sameReads = 1;
    } else this.sameReads++;
    this.head = head;
    this.headSeenAt = now;
  }

  recordSuccess(latencyMs: number): void {
    this.latencyMs = Math.round(latencyMs);
    this.failures = 0;
    this.lastError = undefined;
  }

  recordFailure(error: Error, now: number): void {
    this.failures++;
    this.failedAt = now;
    this.lastError = error.message.slice(0, 200);
  }

  /** Why this node may not decide anything now, or `undefined` where it is fresh. */
  staleness(now: number, bounds: FreshnessBounds): string | undefined {
    if (this.failures > 0) return `failing (${this.lastError ?? 'error'})`;
    if (this.head === undefined || this.headSeenAt === undefined || this.advancedAt === undefined) {
      return 'head not read yet';
    }
    if (now - this.headSeenAt > bounds.staleAfterMs) return 'head not read recently';
    const age = now - this.head.headBlockTime;
    if (age > bounds.staleAfterMs + bounds.maxClockSkewMs) return `head block is ${Math.round(age / 1000)} s old`;
    if (-age > bounds.maxClockSkewMs) return `head block is ${Math.round(-age / 1000)} s ahead of the local clock`;
    if (now - this.advancedAt > bounds.staleAfterMs) {
      return `head has not advanced for ${Math.round((now - this.advancedAt) / 1000)} s`;
    }
    return undefined;
  }

  /**
   * Why this node is UNAVAILABLE (it decides nothing and holds nothing up), or `undefined` where it is available,
   * as its last answer showed it: failing; or its head, judged when it was read, too old or ahead of the local
   * clock or not advanced for the stale bound ({@link staleness}); or frozen while the chain moves on: a head that
   * has not advanced for `intervalMs`, nor over {@link FROZEN_READS} reads in a row, while another answering node,
   * read within two intervals of it, is at least two blocks past it (less the whole intervals between the two
   * reads); or, however recently it advanced, a head
   * {@link FAR_BEHIND_BLOCKS} or more blocks behind
   * where such a node was at the same moment (its head less the blocks made between the two reads), as many
   * intervals older than that node's head, and as old on the local clock: a node that answers from a stale snapshot
   * is found out at its first read, not a block later. A node that only claims a head far ahead (its block time
   * now) makes no honest node unavailable this way. Judged on the last read, not on `now`, so that a node read a while ago keeps its verdict
   * between the trap's reads; a decisive read asks it again before trusting it. `undefined` too for a node not
   * asked yet (no head, no failure).
   */
  unavailability(bounds: FreshnessBounds, intervalMs: number, peers: readonly NodeHealth[]): string | undefined {
    if (this.failures > 0) return `failing (${this.lastError ?? 'error'})`;
    if (this.head === undefined || this.headSeenAt === undefined || this.advancedAt === undefined) return undefined;
    const at = this.headSeenAt;
    const stale = this.staleness(at, bounds);
    if (stale !== undefined) return stale;
    const head = this.head;
    const stuckFor = at - this.advancedAt;
    // Answering nodes whose head was read within two intervals of this one's: what it is compared with.
    const alongside = peers.flatMap((peer) =>
      peer !== this &&
      peer.failures === 0 &&
      peer.head !== undefined &&
      peer.headSeenAt !== undefined &&
      Math.abs(at - peer.headSeenAt) <= 2 * intervalMs
        ? [{ peer, peerHead: peer.head, seenAt: peer.headSeenAt }]
        : [],
    );
    const far = alongside.find(
      ({ peerHead, seenAt }) =>
        peerHead.headBlockNumber - Math.max(0, (seenAt - at) / intervalMs) - head.headBlockNumber >=
          FAR_BEHIND_BLOCKS &&
        // Behind in time too, and old on the local clock, against a peer whose head is not from the future: a node
        // that merely CLAIMS a head far ahead (a liar, with a block time of now) never makes an honest one stale.
        peerHead.headBlockTime <= seenAt &&
        peerHead.headBlockTime - head.headBlockTime >= FAR_BEHIND_BLOCKS * intervalMs &&
        at - head.headBlockTime >= FAR_BEHIND_BLOCKS * intervalMs,
    );
    if (far !== undefined) {
      const { peer, peerHead } = far;
      return `head #${head.headBlockNumber} is ${peerHead.headBlockNumber - head.headBlockNumber} blocks behind ${peer.name} (#${peerHead.headBlockNumber}): a stale snapshot`;
    }
    // Two blocks behind where a node was at the same moment is more than a caching proxy's lag (one block), though
    // not more than that lag and a cached read across a block boundary: the head must also have stayed put over a
    // few reads (FROZEN_READS), which a frozen node's does at once and a lagging one's rarely. The
    // whole intervals between the two reads are blocks made, not lag: a node 0.6 block slow behind such a proxy, read
    // a block and a half before its peer, showed the peer two blocks on and was judged frozen, which made a healthy
    // run degraded.
    if (stuckFor <= intervalMs || this.sameReads < FROZEN_READS) return undefined;
    const ahead = alongside.find(
      ({ peerHead, seenAt }) =>
        peerHead.headBlockNumber - Math.max(0, Math.floor((seenAt - at) / intervalMs)) >= head.headBlockNumber + 2,
    );
    if (ahead === undefined) return undefined;
    return `head frozen at #${head.headBlockNumber} for ${Math.round(stuckFor / 1000)} s while ${ahead.peer.name} is at #${ahead.peerHead.headBlockNumber}`;
  }

  isFresh(now: number, bounds: FreshnessBounds): boolean {
    return this.staleness(now, bounds) === undefined;
  }

  /**
   * A node that just failed is left out of decisive reads for a while (one block interval, doubling per failure,
   * up to the stale bound), so that a hanging node does not hold every read up for a whole timeout.
   */
  inBackoff(now: number, intervalMs: number, bounds: FreshnessBounds): boolean {
    if (this.failures === 0 || this.failedAt === undefined) return false;
    const backoff = Math.min(bounds.staleAfterMs, intervalMs * 2 ** Math.min(this.failures - 1, 10));
    return now - this.failedAt < backoff;
  }

  /** Its status; `why` is its {@link unavailability} (`undefined`: available). */
  status(why: string | undefined): NodeStatus {
    const status: NodeStatus = {
      url: this.name,
      fresh: why === undefined,
      available: why === undefined,
      failures: this.failures,
    };
    if (why !== undefined) status.unavailableReason = why;
    if (why !== undefined && this.unavailableSince !== undefined) status.unavailableSince = this.unavailableSince;
    if (this.head !== undefined && this.headSeenAt !== undefined) {
      status.headBlockNumber = this.head.headBlockNumber;
      status.headAgeMs = this.headSeenAt - this.head.headBlockTime;
    }
    if (this.latencyMs !== undefined) status.latencyMs = this.latencyMs;
    if (this.lastError !== undefined) status.lastError = this.lastError;
    return status;
  }
}

/**
 * The order non-decisive reads try nodes in: fresh ones by latency, then those not judged yet, then stale, then
 * failing ones (fewest failures first). Ties keep the configured order.
 */
export function rankNodes(nodes: NodeHealth[], now: number, bounds: FreshnessBounds): NodeHealth[] {
  const rank = (node: NodeHealth): number => {
    if (node.failures > 0) return 3;
    if (node.isFresh(now, bounds)) return 0;
    return node.head === undefined ? 1 : 2;
  };
  return nodes
    .map((node, index) => ({ node, index, rank: rank(node) }))
    .sort(
      (a, b) =>
        a.rank - b.rank ||
        (a.rank === 0 ? (a.node.latencyMs ?? 0) - (b.node.latencyMs ?? 0) : 0) ||
        (a.rank === 3 ? a.node.failures - b.node.failures : 0) ||
        a.index - b.index,
    )
    .map((entry) => entry.node);
}
