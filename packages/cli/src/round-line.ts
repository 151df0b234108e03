/**
 * One info line per round in `run`: the witness's last slot (produced or missed), the nodes available of those
 * configured, and the next check, so a quiet daemon is told apart from a hung one in journald or `docker logs`.
 */
import { type NodeStatus, quorumOf, type TrapEvents } from '@witness-trap/core';
import type { TrapEventSource } from './metrics.js';
import { lastReadVerdict } from './node-verdict.js';
import type { Output } from './output.js';
import { safeUrl } from './safe-url.js';

/** A slot check of the witness (core's `slot` event). */
type SlotCheck = TrapEvents['slot'];

/** The witness's next slot (core's `next-slot` event). */
type NextSlot = TrapEvents['next-slot'];

/** The round line for one slot check: its message and its JSON fields (event `round`). */
export function roundLine(
  slot: SlotCheck,
  nodes: { status: readonly NodeStatus[]; configured: number; staleAfterMs: number },
  next: NextSlot | undefined,
  now = Date.now(),
): { message: string; fields: Record<string, unknown> } {
  const up = nodes.status.filter((node) => lastReadVerdict(node, nodes.staleAfterMs));
  const down = nodes.status.filter((node) => !up.includes(node));
  const available = up.length;
  const configuredNodes = nodes.configured;
  const what = slot.produced
    ? `produced slot ${slot.aslot}${slot.blockNum === undefined ? '' : ` (block #${slot.blockNum})`}`
    : `MISSED slot ${slot.aslot}`;
  const ahead = next ? Math.max(0, next.time - now) : undefined;
  const nextText =
    next && ahead !== undefined
      ? `next check slot ${next.aslot} in ${(ahead / 1000).toFixed(1)} s`
      : 'next check: not known yet';
  const downText = down.length > 0 ? ` (not available: ${down.map((node) => safeUrl(node.url)).join(', ')})` : '';
  // The availability rule (docs/rpc-nodes.md): fewer than a majority of the configured nodes is DEGRADED.
  const degraded = configuredNodes > 0 && available < quorumOf(configuredNodes);
  return {
    message: `round: ${slot.witness} ${what}; nodes ${available}/${configuredNodes} available${degraded ? ', DEGRADED' : ''}${downText}; ${nextText}`,
    fields: {
      witness: slot.witness,
      aslot: slot.aslot,
      slotTime: slot.time,
      produced: slot.produced,
      ...(slot.blockNum === undefined ? {} : { blockNum: slot.blockNum }),
      nodesAvailable: available,
      nodesConfigured: configuredNodes,
      degraded,
      ...(next ? { nextAslot: next.aslot, nextCheckAt: next.time } : {}),
    },
  };
}

/**
 * Logs one `round` line at info per slot check of the witness (nodes as the chain client last judged them): once the next check is known (core announces it
 * right after the check), or at the following check where none was announced between.
 * @returns a function that logs a check still waiting for its next slot (call it when the run ends)
 */
export function logRounds(
  source: TrapEventSource,
  output: Output,
  nodes: { status: () => NodeStatus[]; configured: number; staleAfterMs: number },
): () => void {
  let waiting: SlotCheck | undefined;
  const flush = (next?: NextSlot) => {
    if (!waiting) return;
    const { message, fields } = roundLine(waiting, { ...nodes, status: nodes.status() }, next);
    // Info either way: the miss itself has its own warning line; this is the heartbeat.
    output.log('info', 'round', message, fields);
    waiting = undefined;
  };
  source.on('slot', (event) => {
    flush();
    waiting = event;
  });
  source.on('next-slot', (event) => flush(event));
  return () => flush();
}
