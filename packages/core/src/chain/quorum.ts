/**
 * How many nodes must give the same answer before a decisive read returns it, for the number of nodes the operator
 * CONFIGURED (not the number that happens to answer): a strict majority, `floor(n / 2) + 1`. One configured node is
 * the operator's explicit choice and decides alone; both of two must agree; two of three; three of four or five.
 * Only fresh nodes' answers count, so nodes that are stale, failing or silent make a decision wait, never shrink the
 * quorum: one bad node of two can delay a switch but never cause one.
 */
export function quorumOf(configuredNodes: number): number {
  return Math.floor(Math.max(1, configuredNodes) / 2) + 1;
}

/** The answers of a decisive read so far, grouped by value. */
export interface Tally {
  /** Fresh nodes' answers: canonical value -> the nodes that gave it, in arrival order. */
  groups: Map<string, string[]>;
  /** Nodes asked whose answer has not come back yet. */
  pending: number;
  /** The number of nodes configured: the quorum is {@link quorumOf} it. */
  configured: number;
}

/** What a decisive read does next. `needed` is the quorum; `agreeing` the largest group of equal answers. */
export type Verdict =
  | { kind: 'agreed'; key: string; nodes: string[] }
  | { kind: 'wait' }
  | { kind: 'stale'; needed: number; agreeing: number }
  | { kind: 'disagree'; needed: number; agreeing: number };

/**
 * Judges a tally. A value is returned as soon as a quorum of fresh nodes gave it (a strict majority of the
 * configured nodes: no other value can reach it), so a slow node cannot hold up a clear majority. While the pending
 * nodes could still make up a quorum, they are awaited. Otherwise there is no quorum now: `stale` when the fresh
 * answers that came back agree but are too few, `disagree` when they differ.
 */
export function judge(tally: Tally): Verdict {
  const needed = quorumOf(tally.configured);
  let best: { key: string; nodes: string[] } | undefined;
  for (const [key, nodes] of tally.groups) {
    if (best === undefined || nodes.length > best.nodes.length) best = { key, nodes };
  }
  const agreeing = best?.nodes.length ?? 0;
  if (best !== undefined && agreeing >= needed) return { kind: 'agreed', key: best.key, nodes: best.nodes };
  if (agreeing + tally.pending >= needed) return { kind: 'wait' };
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
 * The head that a quorum of fresh nodes vouches for, from head reads that need not be equal. Nodes a block apart
 * are not lying: public API nodes sit behind caching proxies that fan out over backends a block apart, so two
 * honest nodes rarely show the same head, and a head read that needed equal answers would rarely decide. Each field
 * that only grows (number, time, slot, last irreversible block) is the `needed`-th highest of the answers: `needed`
 * nodes have reached at least that, so a node that claims to be ahead cannot move it, and one behind only makes it
 * more cautious. The id and producer are those of an answer at that block number. `undefined` while fewer than
 * `needed` answers are in.
 */
export function quorumHead<
  T extends Record<GrowingHeadField, number> & { headBlockId: string; currentWitness: string },
>(heads: readonly T[], needed: number): T | undefined {
  if (needed < 1 || heads.length < needed) return undefined;
  const nth = (field: GrowingHeadField) => heads.map((head) => head[field]).sort((a, b) => b - a)[needed - 1] as number;
  const number = nth('headBlockNumber');
  const at = heads.find((head) => head.headBlockNumber === number) as T;
  const merged = { ...at };
  for (const field of GROWING) merged[field] = nth(field) as T[GrowingHeadField];
  return merged;
}
