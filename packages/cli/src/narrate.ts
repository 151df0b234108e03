/**
 * Tells what the trap does, from its events: narrative lines and a live status line on a terminal, JSON lines
 * elsewhere. Shared by `run`, `demo` and `drill`, so the story reads the same everywhere.
 */
import { type NodeRefusal, type NodeStatus, nodeAvailability, shortKey, type TrapEvents } from '@witness-trap/core';
import type { TrapEventSource } from './metrics.js';
import type { Output } from './output.js';
import { safeUrl } from './safe-url.js';

/** Options for {@link narrate}. */
export interface NarrateOptions {
  /** Names for keys, e.g. `primary`, `backup #1`, shown beside them. */
  keyNames?: ReadonlyMap<string, string>;
  /** The nodes' status for the live line (the chain client's `nodes()`). */
  nodes?: () => NodeStatus[];
}

/** A running narration. */
export interface Narration {
  /** A head seen by other means than the trap (the demo's simulated chain), for the live line. */
  head(number: number, witness: string): void;
  /** Stops the live line. */
  stop(): void;
}

/** Each node that refused a broadcast, with hived's reason: `http://a (tx_missing_other_auth: ...)`. */
function describeRefusals(refusals: readonly NodeRefusal[]): string {
  return refusals.map((refusal) => `${safeUrl(refusal.node)} (${refusal.reason})`).join(', ');
}

/** Follows `trap`'s events and tells them through `output`. */
export function narrate(trap: TrapEventSource, output: Output, options: NarrateOptions = {}): Narration {
  const name = (key: string) => {
    const known = options.keyNames?.get(key);
    return known ? `${shortKey(key)} (${known})` : shortKey(key);
  };
  let head: { number: number; witness: string; seenAt: number } | undefined;
  let next: TrapEvents['next-slot'] | undefined;
  let nextSeenAt = 0;
  const refresh = () => {
    if (!head) return;
    const nodes = options.nodes?.() ?? [];
    const { available, degraded } = nodeAvailability(nodes);
    const left = next ? next.inMs - (Date.now() - nextSeenAt) : undefined;
    const age = (Date.now() - head.seenAt) / 1000;
    output.live(
      [
        // The trap reads the head only when a block matters, so say how old this one is.
        `head #${head.number} by ${head.witness}${age >= 1 ? `, seen ${age.toFixed(0)} s ago` : ''}`,
        left === undefined
          ? 'next slot: not known yet'
          : left > 0
            ? `next slot in ${(left / 1000).toFixed(1)} s`
            : 'slot due now',
        nodes.length > 0 ? `nodes ${available}/${nodes.length} available${degraded ? ', DEGRADED' : ''}` : '',
      ]
        .filter(Boolean)
        .join(' · '),
    );
  };
  const ticker = output.interactive ? setInterval(refresh, 250) : undefined;
  ticker?.unref();

  trap.on('armed', (e) => {
    const how = e.dryRun ? ', DRY RUN (signs, never broadcasts)' : '';
    output.log(
      'info',
      'armed',
      `armed${e.resumed ? ' (resumed a switch left pending)' : ''}: watching ${e.witness}, key on chain ${name(e.currentKey)}; ` +
        `next switch to ${name(e.nextKey)} via ${e.operation}; ${e.mode}${how}`,
      { ...e },
    );
  });
  trap.on('block', (e) => {
    if (!head || e.number > head.number) head = { number: e.number, witness: e.witness, seenAt: Date.now() };
    refresh();
  });
  trap.on('next-slot', (e) => {
    next = e;
    nextSeenAt = Date.now();
    refresh();
  });
  trap.on('missed', (e) => {
    output.log(
      'warn',
      'missed',
      `${output.paint('yellow', 'MISSED')}: ${e.witness} missed slot ${e.aslot} (seen in block ${e.seenInBlock}): ` +
        `${e.missesInWindow} of ${e.threshold} to trigger`,
      { ...e },
    );
  });
  trap.on('triggered', (e) => {
    output.log('warn', 'triggered', `firing (${e.reason}): switching ${name(e.fromKey)} -> ${name(e.toKey)}`, { ...e });
  });
  trap.on('broadcast', (e) => {
    const text = e.dryRun
      ? `dry run: signed ${e.operation} tx ${e.txId.slice(0, 8)}, NOT broadcast`
      : `broadcast ${e.operation} tx ${e.txId.slice(0, 8)} (attempt ${e.attempt}), accepted by ${e.acceptedBy.length} node${e.acceptedBy.length === 1 ? '' : 's'}`;
    const refused = e.refusedBy?.length ? `; refused by ${describeRefusals(e.refusedBy)}` : '';
    output.log(refused && e.acceptedBy.length === 0 ? 'warn' : 'info', 'broadcast', `${text}${refused}`, { ...e });
  });
  trap.on('confirmed', (e) => {
    const who = e.byPeer ? ' by another trap instance or by hand (adopted)' : '';
    output.log(
      'info',
      'confirmed',
      `${output.paint('green', 'CONFIRMED')} in block ${e.blockNum}${who}: signing key now ${name(e.toKey)}, ` +
        `${(e.elapsedMs / 1000).toFixed(1)} s after the trigger`,
      { ...e },
    );
  });
  trap.on('failed', (e) => {
    output.log(
      'error',
      'failed',
      `${output.paint('red', 'SWITCH FAILED')} after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}: ${e.error.message}`,
      { ...e },
    );
  });
  trap.on('unconfirmed', (e) => {
    output.log(
      'error',
      'unconfirmed',
      `${output.paint('red', 'UNCONFIRMED')}: switch to ${name(e.toKey)} expired and the chain cannot be read to say ` +
        'whether it landed; still checking',
      { ...e },
    );
  });
  trap.on('notified', (e) => {
    output.log('info', 'notified', `notified via ${e.notifier} (${e.kind})`, { ...e });
  });
  trap.on('notify-failed', (e) => {
    output.log('warn', 'notify-failed', `notifier ${e.notifier} failed (${e.kind}): ${e.error.message}`, { ...e });
  });
  trap.on('recovered', (e) => {
    output.log('info', 'recovered', `${e.witness} produced block ${e.blockNum} with ${name(e.key)}`, { ...e });
  });
  trap.on('exhausted', (e) => {
    const kill = e.killSwitch ? '; setting the null key (kill switch)' : '';
    output.log('error', 'exhausted', `every backup has failed or is unusable${kill}`, { ...e });
  });
  trap.on('paused', (e) => {
    output.log('warn', 'paused', `${output.paint('yellow', 'PAUSED')} by ${e.by}: watching, not switching`, { ...e });
  });
  trap.on('resumed', (e) => {
    output.log('info', 'resumed', `resumed by ${e.by}: armed again`, { ...e });
  });
  trap.on('command', (e) => {
    output.log('info', 'command', `command ${e.command} from ${e.by}`, { ...e });
  });
  trap.on('command-pending', (e) => {
    output.log('info', 'command-pending', `${e.command} from ${e.by} waits for its one-time code`, { ...e });
  });
  trap.on('command-refused', (e) => {
    output.log('warn', 'command-refused', `command ${e.command} from ${e.by} refused (${e.code}): ${e.message}`, {
      ...e,
    });
  });
  trap.on('command-executed', (e) => {
    output.log('info', 'command-executed', `command ${e.command} from ${e.by} carried out`, { ...e });
  });
  // Unavailable nodes already said, with since when: each is named once when it goes (from the start too: the trap
  // tells its first look at the nodes) and once when it comes back.
  let stale = new Map<string, string>();
  trap.on('nodes', (e) => {
    const down = e.nodes.filter(wasFoundUnavailable);
    const now = new Map(down.map((node) => [node.url, sinceText(node.unavailableSince)]));
    const counts = `${e.available} of ${e.configured} available${e.degraded ? ', DEGRADED (deciding on the others; a miss must hold on two reads a block apart)' : ''}`;
    for (const node of down) {
      if (stale.has(node.url)) continue;
      const why = node.unavailableReason === undefined ? '' : ` (${node.unavailableReason})`;
      output.log(
        'warn',
        'node-stale',
        `node ${safeUrl(node.url)} is unavailable${now.get(node.url)}${why}; RPC nodes ${counts}`,
        {
          node: safeUrl(node.url),
          ...pick(node),
          available: e.available,
          configured: e.configured,
          degraded: e.degraded,
        },
      );
    }
    for (const [url, since] of stale) {
      if (now.has(url)) continue;
      output.log(
        'info',
        'node-fresh',
        `node ${safeUrl(url)} is available again (unavailable${since}); RPC nodes ${counts}`,
        { node: safeUrl(url), available: e.available, configured: e.configured, degraded: e.degraded },
      );
    }
    stale = now;
  });
  trap.on('error', (e) => {
    output.log('warn', 'error', `${e.during}: ${e.error.message}`, { during: e.during, error: e.error });
  });
  trap.on('stopped', (e) => {
    output.endLive();
    output.log(e.reason === 'failed' || e.reason === 'error' ? 'error' : 'info', 'stopped', `stopped (${e.reason})`, {
      ...e,
    });
  });
  return {
    head: (number, witness) => {
      if (!head || number > head.number) head = { number, witness, seenAt: Date.now() };
    },
    stop: () => {
      if (ticker) clearInterval(ticker);
      output.endLive();
    },
  };
}

/** Unavailable once asked (a node not asked yet is neither available nor unavailable: nothing to say of it). */
function wasFoundUnavailable(node: NodeStatus): boolean {
  if (node.available) return false;
  return node.unavailableSince !== undefined || node.failures > 0 || node.headBlockNumber !== undefined;
}

/** ` since 03:01:12 UTC`, or nothing where the client does not say. */
function sinceText(since: number | undefined): string {
  return since === undefined ? '' : ` since ${new Date(since).toISOString().slice(11, 19)} UTC`;
}

/** What a JSON line carries of an unavailable node: since when (ISO) and why. */
function pick(node: NodeStatus): Record<string, unknown> {
  return {
    ...(node.unavailableSince === undefined ? {} : { unavailableSince: new Date(node.unavailableSince).toISOString() }),
    ...(node.unavailableReason === undefined ? {} : { unavailableReason: node.unavailableReason }),
  };
}
