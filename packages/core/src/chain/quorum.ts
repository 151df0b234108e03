/**
 * The quorum of a decisive read, for a number of AVAILABLE nodes (answering, head advancing, head time near the
 * client's clock): a strict majority of them, `floor(n / 2) + 1`, and never fewer than `minNodes`. Unavailable
 * nodes (down, erroring, timing out, stale, frozen) never block a decision and never count for one; the operator's
 * `minNodes` keeps a stricter floor (the configured count: every node must agree).
 */
export function quorumOf(availableNodes: number, minNodes = 1): number {
  return Math.max(Math.floor(Math.max(0, availableNodes) / 2) + 1, Math.max(1, minNodes));
}

/** The answers of a decisive read so far, grouped by value. */
export interface Tally {
  /** Available nodes' answers: canonical value -> the nodes that gave it, in arrival order. */
  groups: Map<string, string[]>;
  /** Nodes asked, available when asked, whose answer has not come back yet (each may still count). */
  pending: number;
  /** At least this many available nodes must agree. @default 1 */
  minNodes?: number;
}

/** What a decisive read does next. `needed` is the quorum; `agreeing` the largest group of equal answers. */
export type Verdict =
  | { kind: 'agreed'; key: string; nodes: string[] }
  | { kind: 'wait' }
  | { kind: 'stale'; needed: number; agreeing: number }
  | { kind: 'disagree'; needed: number; agreeing: number };

/** How many available nodes answered so far. */
function answered(tally: Tally): number {
  let count = 0;
  for (const nodes of tally.groups.values()) count += nodes.length;
  return count;
}

/**
 * Judges a tally. A value is returned as soon as it is a strict majority of every node that is or may still turn
 * out available (those that answered and those still pending; at least `minNodes`): the pending ones cannot
 * outvote it then, however they answer. While they could, they are awaited (each bounded by its call's timeout;
 * one that fails or turns out stale leaves the count). With none pending: `agreed` on a strict majority of the
 * available nodes, else `stale` when the answers agree but are too few (fewer than `minNodes`, or none), and
 * `disagree` when they differ.
 */
export function judge(tally: Tally): Verdict {
  const minNodes = tally.minNodes ?? 1;
  const needed = quorumOf(answered(tally) + tally.pending, minNodes);
  let best: { key: string; nodes: string[] } | undefined;
  for (const [key, nodes] of tally.groups) {
    if (best === undefined || nodes.length > best.nodes.length) best = { key, nodes };
  }
  const agreeing = best?.nodes.length ?? 0;
  if (best !== undefined && agreeing >= needed) return { kind: 'agreed', key: best.key, nodes: best.nodes };
  if (tally.pending > 0) return { kind: 'wait' };
  return tally.groups.size > 1 ? { kind: 'disagree', needed, agreeing } : { kind: 'stale', needed, agreeing };
}

/** The head fields that only grow as the chain moves on. */
type GrowingHeadField = 'headBlockNumber' | 'headBlockTime' | 'currentAslot' | 'lastIrreversibleBlockNum';
const GROWING: readonly GrowingHeadField[] = [
  'headBlockNumber',
  'headBlockTime',
  'currentAslot',
  'lastIrreversibleBlockNum',
];

/**
 * The head that `needed` available nodes vouch for, taken WHOLE from one node's answer, never merged. Nodes a
 * block apart are not lying (public API nodes sit behind caching proxies that fan out over backends a block apart),
 * so the heads need not be equal: the answer is the one at the `needed`-th highest block number (`needed` nodes
 * have reached at least it, so a node that claims to be ahead cannot move it), and only where none of its other
 * growing fields (time, slot, irreversible block) runs ahead of the `needed`-th highest of that field: a node
 * behind on number but claiming a later slot is never the head. Where the answer at that number runs ahead, the
 * highest lower answer that does not is taken. `undefined` while fewer than `needed` answers are in, or where no
 * answer is consistent.
 */
export function quorumHead<
  T extends Record<GrowingHeadField, number> & { headBlockId: string; currentWitness: string },
>(heads: readonly T[], needed: number): T | undefined {
  if (needed < 1 || heads.length < needed) return undefined;
  const nth = (field: GrowingHeadField) => heads.map((head) => head[field]).sort((a, b) => b - a)[needed - 1] as number;
  const bounds = GROWING.map((field) => [field, nth(field)] as const);
  const consistent = heads.filter((head) => bounds.every(([field, bound]) => head[field] <= bound));
  // The highest such head; at one number, the most cautious slot.
  consistent.sort((a, b) => b.headBlockNumber - a.headBlockNumber || a.currentAslot - b.currentAslot);
  return consistent[0];
}

/** How many RPC nodes are available, of those configured, and whether that is fewer than a majority. */
export interface NodeAvailability {
  /** Nodes available now. */
  available: number;
  /** Nodes configured. */
  configured: number;
  /**
   * Fewer than a strict majority of the configured nodes are available (one of two, two of four): the trap still
   * decides on those, but a miss must hold on two successive decisive reads at least one block apart.
   */
  degraded: boolean;
}

/** The availability summary of a chain client's node list. */
export function nodeAvailability(nodes: readonly { available?: boolean; fresh: boolean }[]): NodeAvailability {
  const available = nodes.filter((node) => node.available ?? node.fresh).length;
  const configured = nodes.length;
  // A client that reports no nodes (a custom one) says nothing of them: not degraded.
  return { available, configured, degraded: configured > 0 && available < Math.floor(configured / 2) + 1 };
}
