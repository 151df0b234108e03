/**
 * A failover rehearsed on the embedded simulated chain: start the chain, arm a trap on its first witness, kill the
 * node holding the on-chain key, let the trap fire and confirm, then wait for the backup node to produce. `demo`
 * and `drill` are this with different keys and words.
 */
import type { Notifier, Signer, SwitchOutcome } from '@witness-trap/core';
import type { BlockRecord, MissedSlot, Simnet, SimnetWitness, SimnetWitnessSeed } from '@witness-trap/simnet';
import { narrate } from './narrate.js';
import type { Output } from './output.js';
import { outputLogger, recordTimeline, type Timeline, trapEvents, waitFor } from './trap-parts.js';

/** What the trap is given, from the running simulated chain. */
export interface RehearsalSetup {
  signer: Signer;
  backupKeys: string[];
  notifiers: Notifier[];
  misses?: number;
  windowMs?: number;
  /** Names shown beside keys in the narrative. */
  keyNames: ReadonlyMap<string, string>;
  /** Health URLs of the keys' simulated nodes, for the trap. */
  health?: Record<string, string>;
}

/** Options for {@link rehearse}. */
export interface RehearsalOptions {
  output: Output;
  signal: AbortSignal;
  blockIntervalMs: number;
  /** The witnesses, maybe seeded (the first is the one rehearsed). @default the simnet's own */
  witnesses?: SimnetWitnessSeed[];
  /** The simulated chain's id. @default the simnet's own */
  chainId?: string;
  /** Backup nodes (with simulator keys) for the rehearsed witness. */
  backupNodes: number;
  /** Builds the trap's keys and notifiers from the simulated witness (and may add nodes to the chain). */
  setup(me: SimnetWitness, sim: Simnet): RehearsalSetup | Promise<RehearsalSetup>;
  /** Said once the trap is armed, before the node dies (e.g. who is who). */
  beforeKill?(me: SimnetWitness, sim: Simnet): void | Promise<void>;
  /**
   * How long the trap has, from the kill, to see the miss and confirm its switch; the run is stopped after it and the
   * rehearsal ends `not-confirmed`. @default {@link rehearsalDeadlineMs} of the block interval
   */
  deadlineMs?: number;
}

/**
 * How long a rehearsal gives the trap to see the miss and confirm its switch, at a block interval: up to two rounds
 * until the dead node's slot, three attempts' lifetimes, and twice that again plus 15 s for a busy machine. A
 * rehearsal always ends: an operator's first command never hangs, whatever the chain or the machine does.
 */
export function rehearsalDeadlineMs(blockIntervalMs: number): number {
  return 6 * 21 * blockIntervalMs + 15_000;
}

/** How a rehearsal went. */
export type Rehearsal =
  | { status: 'refused'; problems: string[]; codes: string[] }
  | { status: 'not-confirmed'; outcome: string }
  | {
      status: 'confirmed';
      switch: Extract<SwitchOutcome, { status: 'confirmed' }>;
      /** The backup's first block for the witness after the switch, if it came within a round and a half. */
      produced?: BlockRecord;
      missedSlots: MissedSlot[];
      timeline: Timeline;
    };

/** Runs one rehearsal and tears everything down. */
export async function rehearse(options: RehearsalOptions): Promise<Rehearsal> {
  const { output, signal, blockIntervalMs: interval } = options;
  const [{ startSimnet }, core] = await Promise.all([import('@witness-trap/simnet'), import('@witness-trap/core')]);
  const sim = await startSimnet({
    blockIntervalMs: interval,
    backupKeys: options.backupNodes,
    ...(options.witnesses ? { witnesses: options.witnesses } : {}),
    ...(options.chainId ? { chainId: options.chainId } : {}),
  });
  const chain = core.dhiveChainClient({ nodes: [sim.url], chainId: sim.chainId, blockIntervalMs: interval });
  const me = sim.witnesses[0];
  if (!me) throw new Error('the simulated chain has no witness');
  let setup: RehearsalSetup;
  try {
    setup = await options.setup(me, sim);
  } catch (error) {
    await Promise.all([chain.close(), sim.stop()]);
    throw error;
  }
  const trap = new core.FailoverTrap({
    witness: me.name,
    chain,
    signer: setup.signer,
    backupKeys: setup.backupKeys,
    notifiers: setup.notifiers,
    ...(setup.misses === undefined ? {} : { misses: setup.misses }),
    ...(setup.windowMs === undefined ? {} : { windowMs: setup.windowMs }),
    ...(setup.health ? { health: setup.health } : {}),
    blockIntervalMs: interval,
    log: outputLogger(output),
  });
  const events = trapEvents(trap);
  // The chain's own blocks drive the live line: the trap reads the chain only when a block is due.
  const story = narrate(events, output, { keyNames: setup.keyNames });
  const timeline = recordTimeline(events);
  const blocks: BlockRecord[] = [];
  let waiting = false;
  const offBlock = sim.onBlock((block) => {
    if (block.witness === me.name) blocks.push(block);
    story.head(block.num, block.witness);
    const next = sim.chain.nextSlot(me.name);
    if (waiting && next) {
      const seconds = Math.max(0, (next.time - Date.now()) / 1000).toFixed(1);
      output.live(`head #${block.num} by ${block.witness} · ${me.name}'s next slot in ${seconds} s`);
    }
  });
  const stop = () => void trap.stop();
  signal.addEventListener('abort', stop, { once: true });
  try {
    try {
      await trap.arm();
    } catch (error) {
      if ((error as { kind?: unknown }).kind !== 'config') throw error;
      const found = (error as { problems?: unknown }).problems;
      const codes = (error as { details?: { codes?: unknown } }).details?.codes;
      return {
        status: 'refused',
        problems: Array.isArray(found) ? found.map(String) : [(error as Error).message],
        codes: Array.isArray(codes) ? codes.map(String) : [String((error as { code?: unknown }).code)],
      };
    }
    await options.beforeKill?.(me, sim);
    await sim.stopNode(me.signingKey);
    const deadlineMs = options.deadlineMs ?? rehearsalDeadlineMs(interval);
    let late = false;
    const deadline = setTimeout(() => {
      late = true;
      void trap.stop();
    }, deadlineMs);
    const outcome = await trap.run().finally(() => clearTimeout(deadline));
    const last = outcome.last;
    if (last?.status !== 'confirmed') {
      const why = late ? `no confirmed switch within ${Math.round(deadlineMs / 1000)} s of the kill` : outcome.status;
      return { status: 'not-confirmed', outcome: why };
    }
    story.stop();
    waiting = true;
    output.say(output.paint('dim', `\nWaiting for ${me.name}'s next slot: the backup node should sign it...`));
    const produced = await waitFor(
      () => blocks.find((block) => block.num > last.blockNum && block.signingKey === last.toKey),
      45 * interval + 5000,
      signal,
    );
    output.endLive();
    const missedSlots = sim.chain.missedSlots().filter((slot) => slot.witness === me.name);
    return { status: 'confirmed', switch: last, ...(produced ? { produced } : {}), missedSlots, timeline };
  } finally {
    signal.removeEventListener('abort', stop);
    offBlock();
    story.stop();
    await trap.stop();
    await chain.close();
    await sim.stop();
  }
}
