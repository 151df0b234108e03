import type { ForkRecord, PendingTransaction } from './chain.js';
import type { AppliedTransaction, BlockRecord, MissedSlot, WitnessRecord } from './chain-data.js';
import type { SettleOptions, SimnetClock } from './clock.js';
import type { Fault } from './faults.js';
import type { KeyPair } from './keys.js';
import type { BroadcastRecord } from './rpc/methods.js';

/** Options of {@link startSimnet}. */
export interface SimnetOptions {
  /**
   * How many witnesses (names `alice`, `bob`, ... then `witness-22`, ...), or the list of them. The first is "the
   * demo witness": it gets backup keys. An entry may seed the witness's state (a copy of a real witness, for a
   * drill); what it leaves out is made as for any other witness.
   * @default 21
   * @example
   * ```ts
   * // A copy of a real witness: the simnet holds no private key for its signing key, yet its node produces.
   * await startSimnet({ witnesses: [{ name: 'gtg', signingKey: 'STM...', totalMissed: 980 }, { name: 'bob' }] });
   * ```
   */
  witnesses?: number | SimnetWitnessSeed[];
  /**
   * Block interval, ms. Tests use 50-100 with the real clock; any value with the manual clock.
   * @default 3000
   */
  blockIntervalMs?: number;
  /**
   * `real`: blocks at wall-clock slot times. `manual`: nothing happens until the test calls `sim.clock.advance`.
   * @default 'real'
   */
  clock?: 'real' | 'manual';
  /**
   * Epoch ms the manual clock starts at (the genesis block is in the slot at or before it). Real clock: now.
   * @default Date.UTC(2026, 10, 25, 16, 0, 0) for the manual clock
   */
  startTime?: number;
  /**
   * Keys and shuffles derive from it.
   * @default 'simnet'
   */
  seed?: string;
  /**
   * The chain id (64 hex). Hive mainnet's is refused: nothing signed for a simulator may be valid on Hive.
   * @default a simnet-only chain id ({@link SIMNET_CHAIN_ID})
   */
  chainId?: string;
  /**
   * API endpoints (ports) over the one chain state, like a set of public API nodes, each with its own faults.
   * @default 1
   */
  endpoints?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Port of the first endpoint (0 = any free port; further endpoints take any free port, or port+1, port+2, ...
   * where a port is given).
   * @default 0
   */
  port?: number;
  /**
   * Backup signing keys generated for the demo witness; each gets a node, up, idle until its key is on chain.
   * @default 1
   */
  backupKeys?: number;
  /**
   * Each witness node gets its own small HTTP health URL (dark while the node is down).
   * @default true
   */
  healthEndpoints?: boolean;
  /** Manual clock: how long `advance` waits for woken tasks to settle. */
  settle?: SettleOptions;
  /**
   * The baseline the realism options below default to: `hostile` (as Hive's public network) or `tidy`. Each option
   * given overrides it.
   * @default 'hostile'
   */
  realism?: 'hostile' | 'tidy';
  /**
   * Witness reads (`condenser_api.get_witness_by_account`, `database_api.find_witnesses`) answer with the pending
   * transactions of that endpoint's pool applied, as hived's API does: a read can show a switch before (or without)
   * any block including it. Off (tidy), reads show only what blocks applied.
   * @default true (hostile) / false (tidy)
   */
  readsIncludePending?: boolean;
  /**
   * Each endpoint keeps its own pending pool, as each public API node does; a transaction accepted by one reaches the
   * others and the block producers this much later. Until then another endpoint can accept a conflicting switch
   * (two monitors' racing switches, each accepted by a different node), and the producer includes only what reached
   * ITS pool: the switch that arrives second is dropped there. 0 (tidy): one mempool for all.
   * @default blockIntervalMs / 12 (250 ms at 3 s blocks; 0 tidy)
   */
  propagationDelayMs?: number;
  /**
   * A caching, fan-out proxy in front of every endpoint, like the public API nodes' (jussi/drone): dynamic global
   * properties, witness and schedule reads cached for `cacheMs`, reversible blocks for `blockCacheMs`, reads spread
   * over `backends` hived nodes each `backendLagBlocks` further behind, so a schedule read can predate a shuffle the
   * head read is past. `false` (tidy): every read from the live head.
   * @default { cacheMs: blockIntervalMs / 3, blockCacheMs: 3 * blockIntervalMs, backends: 2, backendLagBlocks: 1 }
   */
  proxy?: false | SimnetProxyOptions;
  /**
   * The chance per produced block of a one-block micro-fork: the head block is orphaned (its producer's slot
   * becomes a missed slot; its transactions go back to pending, or are gone where their TaPoS referred to it), and
   * the next producer's block takes its height. Seeded: the same seed forks at the same blocks. 0 (tidy): no forks.
   * @default 0.005 (0 tidy)
   */
  microForkRate?: number;
  /**
   * How a stopped node's health URL (and `stopNode` by default) dies: `blackhole` accepts the connection and never
   * answers (a dead host behind a live address: the client's timeout is the only way out), `refuse` refuses at once.
   * @default 'blackhole' ('refuse' tidy)
   */
  deadNodes?: 'blackhole' | 'refuse';
}

/** The proxy in front of each endpoint (see {@link SimnetOptions.proxy}); what is left out takes its default. */
export interface SimnetProxyOptions {
  /** ms. @default blockIntervalMs / 3 (1 s on Hive) */
  cacheMs?: number;
  /** ms. @default 3 * blockIntervalMs (9 s on Hive) */
  blockCacheMs?: number;
  /** @default 2 */
  backends?: number;
  /** @default 1 */
  backendLagBlocks?: number;
}

/** The three props `witness_update` sets, in hived's legacy JSON form. */
export interface SeededWitnessProps {
  /** Legacy asset string, e.g. `3.000 HIVE`. @default '3.000 HIVE' */
  account_creation_fee?: string;
  /** Bytes. @default 65536 */
  maximum_block_size?: number;
  /** Basis points (0 to 10000). @default 0 */
  hbd_interest_rate?: number;
}

/**
 * A witness to start the simnet with: its name, and optionally its state (e.g. copied from a real witness). Keys
 * given here are public keys only: the simnet holds no private key for them, and needs none, since a simulated node
 * only has to hold a public key to produce that witness's slots (simulated blocks carry no signature).
 */
export interface SimnetWitnessSeed {
  /** A Hive account name. */
  name: string;
  /** The signing key on chain at start (`STM...`); a node holding it starts up. @default a derived simulator key */
  signingKey?: string;
  /** @default `https://simnet.invalid/@NAME` */
  url?: string;
  /** @default 3.000 HIVE, 65536, 0 */
  props?: SeededWitnessProps;
  /** The lifetime missed-slot count at start. @default 0 */
  totalMissed?: number;
  /** The owner's active public key (the one authority `witness_update` needs). @default a derived simulator key */
  activeKey?: string;
  /**
   * Its index in the first round's order (`aslot % n` of its slot), e.g. where it stands in the real chain's current
   * round. Later rounds are shuffled as usual. @default where the shuffle puts it
   */
  schedulePosition?: number;
}

/** A witness as the simnet made it: names and simulator-only keys. */
export interface SimnetWitness {
  name: string;
  /** The signing key on chain at start. */
  signingKey: string;
  /** Its private key (WIF); `''` where the signing key was seeded (the simnet never had its private key). */
  privateKey: string;
  /** The owner's active key (WIF): signs `witness_update`; `''` where the active key was seeded. */
  activeKey: string;
  /** The owner's active public key. */
  activePublicKey: string;
  /** Backup signing keys (the demo witness only); each has a node, up, idle until its key is on chain. */
  backupKeys: KeyPair[];
}

/** The head, as assertions want it. */
export interface HeadView {
  number: number;
  id: string;
  /** Epoch ms. */
  time: number;
  aslot: number;
  witness: string;
  lastIrreversibleBlockNum: number;
  participationCount: number;
}

/** The schedule, as assertions want it. */
export interface ScheduleView {
  current: string[];
  future: string[];
  nextShuffleBlockNum: number;
}

/** A projected future slot of a witness. */
export interface SlotView {
  aslot: number;
  /** Epoch ms. */
  time: number;
}

/** A read-only view of the chain for assertions. Every answer is a copy. */
export interface ChainView {
  /** The head block now (number, id, slot, producer, last irreversible block). */
  head(): HeadView;
  /** The witness object (hived's field names), or `undefined`. */
  witness(name: string): WitnessRecord | undefined;
  /**
   * The witness schedule now: this round's producers in slot order, the next round's, and the block number that
   * reshuffles.
   */
  schedule(): ScheduleView;
  /** Block `num`, or `undefined` when it is not produced yet (or `num` is not a block number). */
  block(num: number): BlockRecord | undefined;
  /** Blocks from `from` (default: 1) to the head. */
  blocks(from?: number): BlockRecord[];
  /** Every transaction applied, oldest first (each with its ops, signer keys, block number). */
  transactions(): AppliedTransaction[];
  /** Transactions accepted and waiting for the next block. */
  pending(): PendingTransaction[];
  /** Every broadcast received, accepted or rejected (with hived's `data.name`), oldest first. */
  broadcasts(): BroadcastRecord[];
  /** Every missed slot charged so far (to `witness` only, where given), oldest first. */
  missedSlots(witness?: string): MissedSlot[];
  /** The transactions applied that changed `owner`'s signing key or props (`witness_set_properties`, `witness_update`). */
  keySwitches(owner: string): AppliedTransaction[];
  /** The micro-forks so far: the orphaned block, the block that took its height, the transactions sent back. */
  forks(): ForkRecord[];
  /**
   * The witness's next slot, projected from the current (and next) round assuming no further misses; `undefined`
   * when it is not scheduled in either.
   */
  nextSlot(name: string): SlotView | undefined;
}

/** Where a fault goes. */
export interface FaultTarget {
  /**
   * Endpoint index.
   * @default 0
   */
  endpoint?: number;
}

/** A fault in place; `remove()` ends it. */
export interface FaultHandle {
  readonly id: number;
  readonly endpoint: number;
  readonly fault: Fault;
  /**
   * Ends the fault; resolves once the endpoint behaves normally again (a refused listener is listening again).
   * Removing it twice is harmless.
   */
  remove(): Promise<void>;
}

/** JSON-RPC calls the endpoints received (each call of a batch counts; the legacy `call` form as `api.method`). */
export interface RpcCallStats {
  total: number;
  /** By `api.method`. */
  byMethod: Record<string, number>;
  /** By endpoint index. */
  byEndpoint: number[];
}

/** How a promise stepped with {@link Simnet.stepUntil} ended: settled with a value or an error, or not yet. */
export type Stepped<T> = { settled: true; value: T } | { settled: true; error: unknown } | { settled: false };

/** A running simulated chain. */
export interface Simnet {
  /** The first endpoint, `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Every endpoint. */
  readonly urls: string[];
  readonly chainId: string;
  readonly blockIntervalMs: number;
  /** The witnesses, the demo witness first. */
  readonly witnesses: SimnetWitness[];
  /** The simnet's clock: give it to the trap (`clock: sim.clock`). */
  readonly clock: SimnetClock;
  /** Read-only view for assertions. */
  readonly chain: ChainView;
  /**
   * The node holding `publicKey` goes down: its slots are missed, its health URL goes dark (blackholed or refusing,
   * per `options.mode`, by default the simnet's `deadNodes`).
   */
  stopNode(publicKey: string, options?: { mode?: 'blackhole' | 'refuse' }): Promise<void>;
  /** The next produced block orphans the head block (a one-block micro-fork), whatever `microForkRate` says. */
  orphanNextHead(): void;
  /** It comes back. */
  startNode(publicKey: string): Promise<void>;
  /** Adds a node holding `publicKey` (e.g. a backup made later). @default up: true */
  addNode(publicKey: string, options?: { up?: boolean }): Promise<void>;
  /** The node's health URL (connection refused while it is down). */
  nodeHealthUrl(publicKey: string): string;
  /** Gives an endpoint a fault. */
  injectFault(fault: Fault, target?: FaultTarget): Promise<FaultHandle>;
  /** Removes every fault of one endpoint, or of all. */
  clearFaults(endpoint?: number): Promise<void>;
  /** `clock.advance(n * blockIntervalMs)`. */
  advanceSlots(n: number): Promise<void>;
  /**
   * Manual clock: steps the chain one block interval at a time until `done` settles or `maxSlots` pass, and says
   * which. Whatever sleeps on `sim.clock` (a trap under test) runs step by step with the chain.
   * @example
   * const outcome = await sim.stepUntil(trap.run(), 63);
   * if (outcome.settled && 'value' in outcome) console.log(outcome.value.status);
   */
  stepUntil<T>(done: Promise<T>, maxSlots: number): Promise<Stepped<T>>;
  /** Resolves when the head is at least `num` (manual clock: only once a test advances the clock). */
  waitForBlock(num: number, options?: { timeoutMs?: number }): Promise<BlockRecord>;
  /**
   * JSON-RPC calls received since start or the last `resetRpcCalls()` (how much load a client puts on the nodes).
   */
  rpcCalls(): RpcCallStats;
  /** Starts counting calls afresh. */
  resetRpcCalls(): void;
  /** Calls `listener` after every produced block; returns a function that removes it. */
  onBlock(listener: (block: BlockRecord) => void): () => void;
  /** Stops everything (servers, timers). */
  stop(): Promise<void>;
}
