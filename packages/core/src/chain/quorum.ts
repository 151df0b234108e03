/**
 * How many fresh nodes must give the same answer before a decisive read returns it: all of one, both of two, and
 * a strict majority (never fewer than two) of three or more.
 */
export function quorumOf(freshNodes: number): number {
  return freshNodes >= 2 ? Math.max(2, Math.floor(freshNodes / 2) + 1) : freshNodes;
}

/** The answers of a decisive read so far, grouped by value. */
export interface Tally {
  /** Fresh nodes' answers: canonical value -> the nodes that gave it, in arrival order. */
  groups: Map<string, string[]>;
  /** Nodes still being asked whose answer would count (they were healthy when asked). */
  pending: number;
}

/** What a decisive read does next. */
export type Verdict =
  | { kind: 'agreed'; key: string; nodes: string[] }
  | { kind: 'wait' }
  | { kind: 'stale' }
  | { kind: 'disagree' };

/**
 * Judges a tally. A value is returned as soon as it is a quorum even if every pending node turned out fresh and
 * answered otherwise, so a slow node cannot hold up a clear majority; otherwise the pending nodes are awaited.
 */
export function judge(tally: Tally): Verdict {
  let answered = 0;
  let best: { key: string; nodes: string[] } | undefined;
  for (const [key, nodes] of tally.groups) {
    answered += nodes.length;
    if (best === undefined || nodes.length > best.nodes.length) best = { key, nodes };
  }
  if (best !== undefined && best.nodes.length >= quorumOf(answered + tally.pending)) {
    return { kind: 'agreed', key: best.key, nodes: best.nodes };
  }
  if (tally.pending > 0) return { kind: 'wait' };
  return answered === 0 ? { kind: 'stale' } : { kind: 'disagree' };
}
