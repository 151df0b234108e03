/**
 * Whether an RPC node was usable at the trap's last read of it: the last read's verdict, which holds until the next
 * read. The chain client's `fresh` is judged on the clock at the time it is asked, so between the trap's reads (it
 * reads rarely between the witness's slots) it decays to stale on a healthy node; a gauge or a round line built on it
 * would flap.
 */
import type { NodeStatus } from '@witness-trap/core';

/**
 * `available` where the chain client reports it; else: the node answered its last call (no failures), with a head
 * no older than `staleAfterMs` when it answered.
 */
export function lastReadVerdict(node: NodeStatus, staleAfterMs: number): boolean {
  const available = (node as NodeStatus & { available?: boolean }).available;
  if (available !== undefined) return available;
  return node.failures === 0 && node.headAgeMs !== undefined && node.headAgeMs <= staleAfterMs;
}
