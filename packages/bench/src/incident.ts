/**
 * Failover incidents on the simulated chain, on its manual clock. A lane is one simulated chain on which incidents
 * run one after another: arm a watcher on the demo witness, kill the node of the key on chain at a chosen moment,
 * step the chain slot by slot until the witness produces again on the other key, and read what happened off the
 * chain (missed slots, when the switch reached the node, when it landed). The dead node then comes back, idle, and
 * the next incident switches the other way, so one chain (slow to start: key derivation, wax) serves hundreds.
 *
 * The manual clock is what makes a Monte Carlo of hundreds of incidents at Hive's real 3 s pace fit in a few
 * minutes: simulated time jumps from event to event, and the watcher and the chain step together, so the figures in
 * blocks are those of a real-time run minus loopback latency. Each result carries the watcher's own decision time;
 * a broadcast reaching the node later in simulated time than it was decided would show that the clock slipped
 * ahead of the watcher (the lanes running side by side starving it), and the report counts such incidents.
 */
import { type PublicKeyString, wifKeyRing } from '@witness-trap/core';
import { type Simnet, type SimnetOptions, startSimnet, TIDY_CHAIN } from '@witness-trap/simnet';
import { demoWitness, startBaseline, startTrap, type Watcher } from './watchers.js';

/** Who watches the witness. */
export type Contender = 'witness-trap' | 'baseline-2017' | 'witness-trap-preemptive';

/** One incident to run. */
export interface IncidentPlan {
  /** Simulated ms after arming at which the node dies (or, with `leadMs`, the warm-up before choosing the slot). */
  killAfterMs: number;
  /** The node dies this long before the witness's next slot (pre-emptive runs); the slot must be at least this far. */
  leadMs?: number;
  /** Baseline only: simulated ms after arming at which the script makes its first poll (its phase). */
  startDelayMs?: number;
}

/** What one incident came to. Times are simulated epoch ms. */
export interface IncidentResult {
  contender: Contender;
  /** Slots the witness missed from the kill until it produced on the other key (or the step limit). */
  misses: number;
  /** When each of those slots was due. */
  missedSlotTimes: number[];
  /** The other key produced a block for the witness within the step limit. */
  recovered: boolean;
  killedAt: number;
  /** The witness's slot that followed the kill, as projected then (pre-emptive runs). */
  nextSlotAt?: number;
  /** The first slot missed after the kill: when it was due, and the time of the block that made it certain. */
  firstMiss?: { slotTime: number; certainAt: number };
  /** When the watcher decided to switch (clock time of its decision). */
  decidedAt?: number;
  /** The first switch broadcast reaching the node. */
  broadcastAt?: number;
  /** The time of the block that carried the switch (the key is on chain from then). */
  landedAt?: number;
  /** Why the watcher failed, where it did. */
  error?: string;
  /** Names the incident's draws (`name/lane/incident`), to find it again. */
  draw?: string;
  /**
   * The watcher switched before the node was killed (the incident then measured nothing and is left out of the
   * means). `afterMiss`: the chain had charged the witness a missed slot first (a micro-fork orphaned its block), so
   * the switch answered a real miss; otherwise it was a false fire.
   */
  firedBeforeKill?: { afterMiss: boolean };
  /** Micro-forks from the kill to the end of the incident, and how many orphaned a block holding the switch. */
  forks?: { all: number; orphanedSwitch: number };
  /** Distinct switch transactions the nodes accepted after the kill, and whether the first of them is the one that landed. */
  switches?: { accepted: number; firstLanded: boolean };
  /** Whether the first missed slot was among the slots the trap projected for its witness (`next-slot` events). */
  firstMissProjected?: boolean;
}

/** RPC nodes of the hostile chain: the first blackholed, the others behind the caching proxy. */
export const HOSTILE_ENDPOINTS = 3;

/** Options of a lane. */
export interface LaneOptions {
  /** Seeds the chain (keys, shuffles). */
  seed: string;
  contender: Contender;
  /** Block interval of the simulated chain, ms. @default 3000 */
  blockIntervalMs?: number;
  /**
   * `tidy`: the simnet's tidy chain (one endpoint, `TIDY_CHAIN`). `hostile`: its hostile defaults (pending reads,
   * per-endpoint pools, a caching fan-out proxy in front of each endpoint, micro-forks, blackholing dead hosts) with
   * three endpoints, the first blackholed for the whole run (it accepts connections and never answers), the other
   * two behind the caching proxy: the design target's "one node blackholed and one behind a caching proxy", with a
   * third node so that a majority of the configured nodes stays available (with two, the trap would decide on the
   * one left but run degraded: a miss must then hold on a second read a block later, docs/rpc-nodes.md).
   * @default 'tidy'
   */
  chain?: 'tidy' | 'hostile';
  /** Simnet options over the chain's (to take one hostile item out and see what it costs). */
  simnet?: Partial<SimnetOptions>;
  /** Slots to step after the kill before giving up. @default 200 */
  maxSlots?: number;
  /**
   * `manual`: simulated time, event to event. `real`: wall-clock time (a cross-check of the manual figures with
   * real scheduling and loopback latency in them; use a short block interval).
   * @default 'manual'
   */
  clock?: 'manual' | 'real';
}

/*
 * Woken tasks normally settle by sleeping again; this bound only matters for one that ends or does CPU work (signing)
 * with no request in flight. Well above one signature or one lane's turn, so that lanes side by side cannot starve
 * a watcher past it.
 */
const SETTLE = { timeoutMs: 10_000, quietMs: 250 };

/** One simulated chain running incidents back to back for one contender. */
export class IncidentLane {
  readonly #sim: Simnet;
  readonly #o: LaneOptions;
  readonly #keys: [PublicKeyString, PublicKeyString];
  /** One key ring for the lane: deriving public keys is pure-JS elliptic-curve work, worth doing once. */
  readonly #signer: ReturnType<typeof wifKeyRing>;

  private constructor(sim: Simnet, options: LaneOptions) {
    this.#sim = sim;
    this.#o = options;
    const witness = demoWitness(sim);
    this.#keys = [witness.signingKey, witness.backupKeys[0]?.publicKey ?? ''];
    this.#signer = wifKeyRing({ signingKeys: [witness.privateKey, ...witness.backupKeys.map((k) => k.privateKey)] });
  }

  /** Starts the lane's simulated chain. */
  static async start(options: LaneOptions): Promise<IncidentLane> {
    const hostile = options.chain === 'hostile';
    const sim = await startSimnet({
      ...(hostile ? { endpoints: HOSTILE_ENDPOINTS } : TIDY_CHAIN),
      ...options.simnet,
      clock: options.clock ?? 'manual',
      blockIntervalMs: options.blockIntervalMs ?? 3000,
      seed: options.seed,
      backupKeys: 1,
      healthEndpoints: options.contender === 'witness-trap-preemptive',
      settle: SETTLE,
    });
    if (hostile) await sim.injectFault({ kind: 'blackhole' }, { endpoint: 0 });
    return new IncidentLane(sim, options);
  }

  /** Runs one incident: kills the node of the key on chain, waits for the witness to produce on the other key. */
  async run(plan: IncidentPlan): Promise<IncidentResult> {
    const sim = this.#sim;
    const name = demoWitness(sim).name;
    const current = sim.chain.witness(name)?.signing_key ?? '';
    const other = this.#keys[0] === current ? this.#keys[1] : this.#keys[0];
    const startedAt = sim.clock.now();
    const watcher = this.#startWatcher(current, other, plan);
    await sim.clock.advance(plan.killAfterMs);
    let nextSlotAt: number | undefined;
    if (plan.leadMs !== undefined) {
      nextSlotAt = await this.#advanceToLead(name, plan.leadMs);
    }
    const early = sim.chain.broadcasts().find((b) => b.accepted && b.at >= startedAt);
    if (early !== undefined) {
      // It switched with its node alive: let the switch land and leave the incident out of the means.
      await sim.advanceSlots(3);
      const { projectedSlots: _projected, ...stopped } = await watcher.stop();
      const afterMiss = sim.chain.missedSlots(name).some((m) => m.slotTime >= startedAt && m.slotTime <= early.at);
      return {
        contender: this.#o.contender,
        killedAt: sim.clock.now(),
        recovered: false,
        misses: 0,
        missedSlotTimes: [],
        firedBeforeKill: { afterMiss },
        ...stopped,
      };
    }
    const killedAt = sim.clock.now();
    const forksBefore = sim.chain.forks().length;
    const headAtKill = sim.chain.head().number;
    await sim.stopNode(current);
    let recovered = false;
    for (let slot = 0; slot < (this.#o.maxSlots ?? 200) && !recovered; slot++) {
      await sim.advanceSlots(1);
      recovered = producedOn(sim, name, other, killedAt);
    }
    const { projectedSlots, ...stopped } = await watcher.stop();
    await sim.startNode(current);
    await sim.advanceSlots(1);
    const outcome = readOutcome(sim, name, killedAt, headAtKill);
    const firstMissAt = outcome.firstMiss?.slotTime;
    const forks = sim.chain.forks().slice(forksBefore);
    return {
      contender: this.#o.contender,
      killedAt,
      recovered,
      forks: {
        all: forks.length,
        orphanedSwitch: forks.filter((f) => f.orphaned.transactions.some((t) => isKeySwitch(t.operations, name)))
          .length,
      },
      ...(nextSlotAt === undefined ? {} : { nextSlotAt }),
      ...outcome,
      ...stopped,
      ...(projectedSlots === undefined || firstMissAt === undefined
        ? {}
        : { firstMissProjected: projectedSlots.includes(firstMissAt) }),
    };
  }

  /** Stops the chain. */
  async stop(): Promise<void> {
    await this.#sim.stop();
  }

  /** Advances to `leadMs` before the witness's next slot at least that far ahead; returns that slot's time. */
  async #advanceToLead(name: string, leadMs: number): Promise<number> {
    const sim = this.#sim;
    for (;;) {
      const slot = sim.chain.nextSlot(name);
      if (slot === undefined) throw new Error(`${name} is not scheduled`);
      const killAt = slot.time - leadMs;
      if (killAt >= sim.clock.now()) {
        await sim.clock.advance(killAt - sim.clock.now());
        return slot.time;
      }
      await sim.clock.advance(slot.time - sim.clock.now() + sim.blockIntervalMs);
    }
  }

  #startWatcher(current: PublicKeyString, other: PublicKeyString, plan: IncidentPlan): Watcher {
    const sim = this.#sim;
    if (this.#o.contender === 'baseline-2017') {
      return startBaseline(sim, { backupKey: other, startDelayMs: plan.startDelayMs ?? 0 });
    }
    const preemptive = this.#o.contender === 'witness-trap-preemptive';
    return startTrap(sim, {
      signer: this.#signer,
      backupKeys: [other],
      extra: preemptive
        ? {
            health: Object.fromEntries([current, other].map((key) => [key, sim.nodeHealthUrl(key)])),
            preemptive: {},
          }
        : {},
    });
  }
}

/** The witness produced a block signed by `key` after `since`. */
function producedOn(sim: Simnet, witness: string, key: string, since: number): boolean {
  const record = sim.chain.witness(witness);
  if (record === undefined || record.signing_key !== key) return false;
  const last = sim.chain.block(record.last_confirmed_block_num);
  return last !== undefined && last.timestamp > since && last.signingKey === key;
}

function readOutcome(sim: Simnet, witness: string, killedAt: number, headAtKill: number) {
  const misses = sim.chain.missedSlots().filter((m) => m.witness === witness && m.slotTime >= killedAt);
  const first = misses[0];
  const certain = first === undefined ? undefined : sim.chain.block(first.chargedInBlock);
  const broadcast = sim.chain.broadcasts().find((b) => b.accepted && b.at >= killedAt);
  const landed = sim.chain.transactions().find((t) => t.blockNum > headAtKill && isKeySwitch(t.operations, witness));
  const landedBlock = landed === undefined ? undefined : sim.chain.block(landed.blockNum);
  const acceptedIds = [
    ...new Set(
      sim.chain
        .broadcasts()
        .filter((b) => b.accepted && b.at >= killedAt && b.txId !== undefined)
        .map((b) => b.txId as string),
    ),
  ];
  return {
    misses: misses.length,
    missedSlotTimes: misses.map((m) => m.slotTime),
    ...(first === undefined || certain === undefined
      ? {}
      : { firstMiss: { slotTime: first.slotTime, certainAt: certain.timestamp } }),
    ...(broadcast === undefined ? {} : { broadcastAt: broadcast.at }),
    switches: { accepted: acceptedIds.length, firstLanded: landed !== undefined && acceptedIds[0] === landed.id },
    ...(landedBlock === undefined ? {} : { landedAt: landedBlock.timestamp }),
  };
}

/** Operations that switch `witness`'s key. */
function isKeySwitch(operations: ReadonlyArray<readonly [string, unknown]>, witness: string): boolean {
  return operations.some(
    ([name, body]) =>
      (name === 'witness_set_properties' || name === 'witness_update') &&
      (body as { owner?: string }).owner === witness,
  );
}
