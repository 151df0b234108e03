/**
 * The witness in operator terms: which configured key is on chain, misses, last block, next slot, node freshness.
 * Read through the `ChainClient` contract only, so `status`, `check` and `drill` share one view of it.
 */
import {
  aslotAt,
  backupOrder,
  type ChainClient,
  type HeadState,
  isNullSigningKey,
  type NodeStatus,
  nextSlotOf,
  nodeAvailability,
  roundOf,
  SHUFFLE_PERIOD_BLOCKS,
  type TrapState,
  type WitnessSchedule,
  type WitnessState,
} from '@witness-trap/core';
import { type MissedSlot, missedSlotOf } from './missed-slot.js';
import { safeUrl } from './safe-url.js';

/** What the key on chain is, among the keys the operator configured. */
export type KeyRole = 'backup' | 'held' | 'null' | 'unknown';

/** One RPC node, without credentials in its URL. */
export interface NodeView {
  url: string;
  fresh: boolean;
  /** Available: answering, head advancing and near the clock (only available nodes decide). */
  available: boolean;
  /** Since when it is unavailable (ISO time), where known. */
  unavailableSince?: string;
  /** Why it is unavailable, in a few words. */
  unavailableReason?: string;
  headBlockNumber?: number;
  headAgeMs?: number;
  latencyMs?: number;
  failures: number;
  lastError?: string;
}

/** The witness as `status --json` prints it. Field names are stable: scripts read them. */
export interface WitnessView {
  witness: string;
  signingKey: string;
  /** `backup`: one of --backup-key; `held`: its private key is in the key file; `null`: disabled; `unknown`. */
  keyRole: KeyRole;
  /** 1-based position among --backup-key where `keyRole` is `backup`. */
  backupIndex?: number;
  /** The private key of the on-chain key is held (the trap can sign the switch without the active key). */
  keyHeld: boolean;
  disabled: boolean;
  totalMissed: number;
  lastBlock: number;
  lastAslot: number;
  /** Seconds since the witness's last block, estimated from slots. */
  lastBlockAgeSeconds: number;
  headBlock: number;
  headBlockTime: string;
  /** The witness's next slot, or `null` where it is not scheduled in this round or the next known one. */
  nextSlot: { aslot: number; time: string; inSeconds: number } | null;
  /** The latest slot the witness surely had since its last block and did not produce (`null`: none). */
  missedSlot: (Omit<MissedSlot, 'time'> & { time: string }) | null;
  /** The key the next switch would go to. */
  nextBackupKey: string | null;
  backupKeys: string[];
  url: string;
  runningVersion?: string;
  blockIntervalMs: number;
  nodes: NodeView[];
  /** RPC nodes available, of `nodesConfigured`. */
  nodesAvailable: number;
  nodesConfigured: number;
  /** Fewer than a majority of the configured RPC nodes available: the trap decides on the others, more cautiously. */
  degraded: boolean;
  /** What the trap's state file says (`null` where there is none: the trap has not run with this --state). */
  trap?: TrapStateView | null;
}

/** The trap's own record, from its state file. */
export interface TrapStateView {
  witness: string;
  armedAt: string | null;
  baselineTotalMissed: number | null;
  /** A switch signed and maybe broadcast, not yet seen on chain. */
  pending: { fromKey: string; toKey: string; txId: string; expiresAt: string } | null;
  lastSwitch: {
    fromKey: string;
    toKey: string;
    at: string;
    txId: string | null;
    block: number | null;
    byPeer: boolean;
    /** The one-shot run that made it ended after it (the trap is not watching until it is run again). */
    ended: boolean;
  } | null;
  switches: number;
}

/** The state file's record in operator terms. */
export function trapStateView(state: TrapState): TrapStateView {
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  const last = state.history.at(-1);
  return {
    witness: state.witness,
    armedAt: iso(state.armedAt),
    baselineTotalMissed: state.baselineTotalMissed ?? null,
    pending: state.pending
      ? {
          fromKey: state.pending.fromKey,
          toKey: state.pending.toKey,
          txId: state.pending.txId,
          expiresAt: new Date(state.pending.expiresAt).toISOString(),
        }
      : null,
    lastSwitch: last
      ? {
          fromKey: last.fromKey,
          toKey: last.toKey,
          at: new Date(last.at).toISOString(),
          txId: last.txId ?? null,
          block: last.confirmedBlock ?? null,
          byPeer: last.byPeer,
          ended: last.ended === true,
        }
      : null,
    switches: state.history.length,
  };
}

/** What {@link readWitnessView} needs besides the chain. */
export interface WitnessViewInput {
  witness: string;
  backupKeys: readonly string[];
  /** Public keys whose private keys the operator configured. */
  heldKeys: readonly string[];
  /** @default the chain's own */
  blockIntervalMs?: number;
  /** The slot of this round's shuffle block, where it was read (sharpens {@link WitnessView.missedSlot}). */
  roundStartAslot?: number;
  now?: number;
}

/**
 * Reads head, witness and schedule (once each) and puts them in operator terms. `undefined`: no such witness.
 * Where that read shows a missed slot, the witness is read once more a block and a half later (a lagging read is
 * not a miss): the only wait, bounded by the block interval.
 * `nodes`: each node's status where it was probed on its own (else the client's view of them).
 */
export async function readWitnessView(
  chain: ChainClient,
  input: WitnessViewInput,
  nodes?: Promise<NodeStatus[]>,
): Promise<WitnessView | undefined> {
  const [head, witness, schedule, interval, probed] = await Promise.all([
    chain.getHead(),
    chain.getWitness(input.witness),
    chain.getSchedule(),
    input.blockIntervalMs === undefined ? chain.getBlockInterval() : Promise.resolve(input.blockIntervalMs),
    nodes,
  ]);
  if (witness.value === null) return undefined;
  // Where this round began (its shuffle block's slot): what tells a missed slot of the round before from none.
  const shuffleBlock = roundOf(head.value.headBlockNumber) * SHUFFLE_PERIOD_BLOCKS;
  const header = shuffleBlock > 0 ? await chain.getBlockHeader(shuffleBlock).catch(() => undefined) : undefined;
  const roundStartAslot = header?.value ? aslotAt(head.value, header.value.timestamp, interval) : undefined;
  const withRound = { ...input, ...(roundStartAslot === undefined ? {} : { roundStartAslot }) };
  const view = witnessView(head.value, witness.value, schedule.value, interval, probed ?? chain.nodes(), withRound);
  if (!view.missedSlot) return view;
  // A proxy can serve the witness from a cache or a backend a block or two behind: before a miss is said, the
  // witness is read again once those have caught up (a block and a half later), and its newer last slot counts.
  await new Promise((resolve) => setTimeout(resolve, Math.round(1.5 * interval)));
  const again = await chain.getWitness(input.witness);
  if (!again.value || again.value.lastAslot <= witness.value.lastAslot) return view;
  return witnessView(head.value, again.value, schedule.value, interval, probed ?? chain.nodes(), withRound);
}

/** Puts chain data in operator terms (pure: `readWitnessView` reads, this decides). */
export function witnessView(
  head: HeadState,
  witness: WitnessState,
  schedule: WitnessSchedule,
  blockIntervalMs: number,
  nodes: NodeStatus[],
  input: WitnessViewInput,
): WitnessView {
  const now = input.now ?? Date.now();
  const key = witness.signingKey;
  const backupIndex = input.backupKeys.indexOf(key);
  const keyRole: KeyRole = isNullSigningKey(key)
    ? 'null'
    : backupIndex >= 0
      ? 'backup'
      : input.heldKeys.includes(key)
        ? 'held'
        : 'unknown';
  const next = nextSlotOf(input.witness, head, schedule, blockIntervalMs);
  const headSlotTime = Math.floor(head.headBlockTime / blockIntervalMs) * blockIntervalMs;
  const lastBlockTime = headSlotTime - (head.currentAslot - witness.lastAslot) * blockIntervalMs;
  const missed = missedSlotOf(input.witness, witness.lastAslot, head, schedule, blockIntervalMs, input.roundStartAslot);
  return {
    witness: witness.owner,
    signingKey: key,
    keyRole,
    ...(backupIndex >= 0 ? { backupIndex: backupIndex + 1 } : {}),
    keyHeld: input.heldKeys.includes(key),
    disabled: isNullSigningKey(key),
    totalMissed: witness.totalMissed,
    lastBlock: witness.lastConfirmedBlockNum,
    lastAslot: witness.lastAslot,
    lastBlockAgeSeconds: Math.max(0, Math.round((now - lastBlockTime) / 1000)),
    headBlock: head.headBlockNumber,
    headBlockTime: new Date(head.headBlockTime).toISOString(),
    nextSlot:
      next === undefined
        ? null
        : {
            aslot: next.aslot,
            time: new Date(next.time).toISOString(),
            inSeconds: Math.max(0, Math.round((next.time - now) / 100) / 10),
          },
    missedSlot: missed ? { ...missed, time: new Date(missed.time).toISOString() } : null,
    nextBackupKey: backupOrder(key, input.backupKeys)[0] ?? null,
    backupKeys: [...input.backupKeys],
    url: witness.url,
    ...(witness.runningVersion ? { runningVersion: witness.runningVersion } : {}),
    blockIntervalMs,
    nodes: nodes.map(nodeView),
    ...nodeCounts(nodes),
  };
}

function nodeCounts(nodes: readonly NodeStatus[]) {
  const { available, configured, degraded } = nodeAvailability(nodes);
  return { nodesAvailable: available, nodesConfigured: configured, degraded };
}

function nodeView(node: NodeStatus): NodeView {
  return {
    url: safeUrl(node.url),
    fresh: node.fresh,
    available: node.available,
    ...(node.unavailableSince === undefined ? {} : { unavailableSince: new Date(node.unavailableSince).toISOString() }),
    ...(node.unavailableReason === undefined ? {} : { unavailableReason: node.unavailableReason }),
    ...(node.headBlockNumber === undefined ? {} : { headBlockNumber: node.headBlockNumber }),
    ...(node.headAgeMs === undefined ? {} : { headAgeMs: Math.round(node.headAgeMs) }),
    ...(node.latencyMs === undefined ? {} : { latencyMs: Math.round(node.latencyMs) }),
    failures: node.failures,
    ...(node.lastError === undefined ? {} : { lastError: node.lastError }),
  };
}

/** A line of the human rendering that a `status` verdict can point at. */
export type ViewLine = 'signing key' | 'last block' | 'trap state' | 'in flight' | 'nodes';

/**
 * The human rendering of a view. Lines named in `marked` start with `!` instead of a space (what a `status` verdict
 * points at).
 */
export function renderWitnessView(
  view: WitnessView,
  paint: (color: 'red' | 'green' | 'yellow' | 'dim' | 'bold', text: string) => string,
  marked: ReadonlySet<ViewLine> = new Set(),
): string {
  const at = (line: ViewLine, text: string) => (marked.has(line) ? `!${text.slice(1)}` : text);
  const role = {
    backup: `backup #${view.backupIndex}`,
    held: 'a key in your key file (primary)',
    null: paint('red', 'the NULL key: the witness is disabled'),
    unknown: paint('yellow', 'NOT one of your configured keys'),
  }[view.keyRole];
  const held =
    view.keyRole === 'null' ? '' : view.keyHeld ? ', private key held' : paint('yellow', ', private key NOT held');
  const next = view.nextSlot
    ? `in ${view.nextSlot.inSeconds.toFixed(1)} s (slot ${view.nextSlot.aslot})`
    : 'not scheduled in this round or the next known one';
  const lines = [
    paint('bold', `${view.witness}`) + paint('dim', `  head #${view.headBlock} at ${view.headBlockTime}`),
    at('signing key', `  signing key   ${view.signingKey}`),
    `                ${role}${held}`,
    `  missed        ${view.totalMissed} blocks in total`,
    at(
      'last block',
      `  last block    #${view.lastBlock}, ${view.lastBlockAgeSeconds} s ago${view.missedSlot ? `; slot ${view.missedSlot.aslot} (${view.missedSlot.time}) passed without it` : ''}`,
    ),
    `  next slot     ${next}`,
    `  next backup   ${view.nextBackupKey ?? paint('yellow', 'none configured')}`,
    ...trapLines(view.trap, paint, marked),
    at('nodes', nodesLine(view, paint)),
    ...view.nodes.map((node) => {
      const state = node.available ? paint('green', 'available') : paint('red', 'UNAVAILABLE');
      const head = node.headBlockNumber === undefined ? '' : `, head #${node.headBlockNumber}`;
      const age = node.headAgeMs === undefined ? '' : `, ${(node.headAgeMs / 1000).toFixed(1)} s old`;
      const latency = node.latencyMs === undefined ? '' : `, ${node.latencyMs} ms`;
      const error = node.lastError === undefined ? '' : paint('dim', ` (${node.lastError})`);
      return `    ${node.url}  ${state}${head}${age}${latency}${error}`;
    }),
  ];
  return lines.join('\n');
}

/**
 * `nodes: 2 of 2 available`, or where fewer than a majority are available `nodes: 1 of 2 available — DEGRADED:
 * https://a unavailable since 03:01:12 (connection refused)`.
 */
export function nodesLine(
  view: Pick<WitnessView, 'nodes' | 'nodesAvailable' | 'nodesConfigured' | 'degraded'>,
  paint: (color: 'red' | 'yellow', text: string) => string,
): string {
  const counts = `  nodes         ${view.nodesAvailable} of ${view.nodesConfigured} available`;
  if (!view.degraded) return counts;
  const down = view.nodes
    .filter((node) => !node.available)
    .map((node) => {
      const since = node.unavailableSince === undefined ? '' : ` since ${node.unavailableSince.slice(11, 19)}`;
      return `${node.url} unavailable${since} (${node.unavailableReason ?? 'no answer'})`;
    });
  return `${counts} — ${paint('red', 'DEGRADED')}: ${down.join('; ')}`;
}

function trapLines(
  trap: TrapStateView | null | undefined,
  paint: (color: 'yellow' | 'dim', text: string) => string,
  marked: ReadonlySet<ViewLine>,
) {
  const mark = (line: ViewLine) => (marked.has(line) ? '!' : ' ');
  if (trap === undefined) return [];
  if (trap === null)
    return [
      `${mark('trap state')} trap state    ${paint('dim', 'no state file here (the trap has not run with this --state)')}`,
    ];
  const ended = trap.lastSwitch?.ended ? '; the one-shot run that made the last switch has ended' : '';
  const lines = [
    `${mark('trap state')} trap state    armed ${trap.armedAt ?? 'never'}, ${trap.switches} switch${trap.switches === 1 ? '' : 'es'} recorded${ended}`,
  ];
  if (trap.lastSwitch) {
    const where = trap.lastSwitch.block === null ? '' : ` in block ${trap.lastSwitch.block}`;
    lines.push(
      `  last switch   ${trap.lastSwitch.fromKey} -> ${trap.lastSwitch.toKey}${where} at ${trap.lastSwitch.at}`,
    );
  }
  if (trap.pending) {
    lines.push(
      paint(
        'yellow',
        `${mark('in flight')} IN FLIGHT     ${trap.pending.fromKey} -> ${trap.pending.toKey}, tx ${trap.pending.txId}, expires ${trap.pending.expiresAt}`,
      ),
    );
  }
  return lines;
}
