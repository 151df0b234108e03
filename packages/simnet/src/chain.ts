import type { IWaxBaseInterface } from '@hiveio/wax';
import { makeBlockId, refBlockPrefix, ZERO_BLOCK_ID } from './block-id.js';
import type {
  AppliedTransaction,
  BlockRecord,
  ChainData,
  LegacyOperation,
  LegacyTransaction,
  WitnessRecord,
} from './chain-data.js';
import { seededRandom } from './faults.js';
import { HiveError } from './hive-error.js';
import { formatHiveTime, parseHiveTime } from './hive-time.js';
import { type PoolId, RelayPools } from './pools.js';
import type { RosterEntry } from './roster.js';
import { shuffleWitnesses } from './shuffle.js';
import { assertTransactionShape, type DecodedTransaction, decodeTransaction } from './transaction-check.js';
import { addRequiredAuthorities, applyOperation, newWitness, type RequiredAuthorities } from './witness-ops.js';
import { NULL_KEY } from './witness-props.js';
import { applySeed, placeSeeded } from './witness-seeds.js';

/** hived: reshuffle every `HIVE_MAX_WITNESSES` blocks, whatever the number of witnesses. */
export const SHUFFLE_EVERY = 21;
/** hived: 20 elected witnesses + 1 timeshare. */
const MAX_VOTED = 20;
/** hived's `HIVE_MAX_TIME_UNTIL_EXPIRATION` (mempool bound), seconds. */
const MAX_TIME_UNTIL_EXPIRATION_S = 3600;
/** hived's `HIVE_IRREVERSIBLE_THRESHOLD`, percent. */
const IRREVERSIBLE_THRESHOLD = 75;
/** Blocks (and missed slots) kept in memory; older blocks are answered as missing, like a pruned block log. */
const MAX_BLOCKS_KEPT = 200_000;
const SLOTS_MASK = (1n << 128n) - 1n;

/** A transaction accepted into the mempool, waiting for the next produced block. */
export interface PendingTransaction extends DecodedTransaction {
  /** Epoch ms. */
  expiration: number;
}

/** What happened to a broadcast transaction, for `broadcast_transaction_synchronous`. */
export type InclusionResult = { included: true; blockNum: number; trxNum: number } | { included: false };

/** Constructor options of {@link Chain}. */
export interface ChainOptions {
  roster: readonly RosterEntry[];
  blockIntervalMs: number;
  chainId: string;
  /** Mixed into the shuffle. */
  seedMix: number;
  /** Epoch ms; the genesis block is made in the slot at or before it. */
  startTime: number;
  wax: IWaxBaseInterface;
  /** Whether a node holding `key` is up (so the slot of a witness with that key on chain gets produced). */
  canProduce: (key: string) => boolean;
  /** How long a transaction accepted by one node takes to reach the other pools (see `RelayPools`), ms. @default 0 */
  propagationDelayMs?: number;
  /** The chance, per produced block, that it orphans the head block (a one-block micro-fork). @default 0 */
  microForkRate?: number;
  /** API endpoints (their pools get the transactions of an orphaned block back). @default 1 */
  endpoints?: number;
  /** How many past head states to keep for backends that lag behind (see {@link Chain.stateBehind}). @default 0 */
  keepStates?: number;
}

/** A block taken off the chain by a one-block micro-fork. */
export interface ForkRecord {
  /** The block that was the head and is no longer part of the chain. */
  orphaned: BlockRecord;
  /** The block that replaced it at the same height. */
  replacedBy: BlockRecord;
  /** Transactions of the orphaned block that went back to pending (the rest referred to it by TaPoS: gone). */
  returnedToPending: string[];
}

/** What the head looked like, kept for backends a block or more behind and for undoing the head block. */
interface HeadState {
  globals: ChainData['globals'];
  schedule: ChainData['schedule'];
  witnesses: Map<string, WitnessRecord>;
  blocks: number;
  missed: number;
  nextWitnessId: number;
}

/**
 * The simulated chain: hived's slot arithmetic (absolute slots, missed slots charged when the next block arrives,
 * reshuffles when `head % 21 == 0` with the next round known one round ahead), its mempool (transactions validated
 * against the state with earlier pending transactions applied, so that two switches from the same key cannot both be
 * accepted) and its block production. Time is given to it: the simnet's clock calls {@link Chain.produceSlot}.
 */
export class Chain {
  readonly data: ChainData;
  readonly blockIntervalMs: number;
  readonly chainId: string;
  readonly #options: ChainOptions;
  readonly #pools: RelayPools;
  /** Head states, newest last: [0 .. n-1] after blocks head-n+1 .. head; the one before the head block undoes it. */
  #states: HeadState[] = [];
  #forceFork = false;
  readonly forks: ForkRecord[] = [];
  /** Absolute slots whose block a micro-fork orphaned: charged as missed, marked `forked`. */
  readonly #orphanedSlots = new Set<number>();
  #lastSlotTime: number;
  #nextWitnessId: number;
  readonly #blockListeners = new Set<(block: BlockRecord) => void>();
  readonly #waiters = new Map<string, Array<(result: InclusionResult) => void>>();

  constructor(options: ChainOptions) {
    this.#options = options;
    this.#pools = new RelayPools(options.propagationDelayMs ?? 0);
    this.blockIntervalMs = options.blockIntervalMs;
    this.chainId = options.chainId;
    const genesisTime = Math.floor(options.startTime / options.blockIntervalMs) * options.blockIntervalMs;
    const created = this.timeString(genesisTime);
    const witnesses = new Map<string, WitnessRecord>();
    const accounts = new Map();
    options.roster.forEach((entry, index) => {
      const witness = newWitness(entry.name, index, created, entry.signing.publicKey);
      witness.url = `https://simnet.invalid/@${entry.name}`;
      witness.votes = String(10n ** 15n * BigInt(options.roster.length - index));
      applySeed(witness, entry.seeded);
      witnesses.set(entry.name, witness);
      accounts.set(entry.name, {
        id: index + 1,
        name: entry.name,
        owner: entry.owner.publicKey,
        active: entry.active.publicKey,
        posting: entry.posting.publicKey,
        memo: entry.memo.publicKey,
        created,
      });
    });
    this.#nextWitnessId = options.roster.length;
    this.data = {
      globals: {
        headBlockNumber: 0,
        headBlockId: ZERO_BLOCK_ID,
        time: genesisTime - options.blockIntervalMs,
        currentWitness: '',
        currentAslot: 0,
        lastIrreversibleBlockNum: 0,
        recentSlotsFilled: SLOTS_MASK,
        participationCount: 128,
      },
      schedule: { current: [], future: [], nextShuffleBlockNum: SHUFFLE_EVERY },
      witnesses,
      accounts,
      blocks: [],
      transactions: new Map(),
      missed: [],
    };
    const active = this.#electedWitnesses(0);
    const seconds = Math.floor(genesisTime / 1000);
    this.data.schedule.current = placeSeeded(
      shuffleWitnesses(active, seconds, options.seedMix),
      options.roster.map((entry) => entry.seeded),
    );
    this.data.schedule.future = shuffleWitnesses(active, seconds + 1, options.seedMix);
    this.#lastSlotTime = genesisTime - options.blockIntervalMs;
    // Genesis: the first slot is always produced, whatever the nodes, so that TaPoS has a block to refer to.
    this.produceSlot(genesisTime, true);
  }

  /** hived's time string for epoch ms (with milliseconds where the block interval is not whole seconds). */
  timeString(epochMs: number): string {
    return formatHiveTime(epochMs, this.blockIntervalMs % 1000 !== 0);
  }

  /** The time of the next slot not yet processed. */
  nextSlotTime(): number {
    return this.#lastSlotTime + this.blockIntervalMs;
  }

  /** Every transaction accepted by some node and waiting for a block. */
  pending(): readonly PendingTransaction[] {
    return this.#pools.all();
  }

  /** The transaction propagation delay between pools, ms. */
  get propagationDelayMs(): number {
    return this.#pools.delayMs;
  }

  /**
   * The pool of `pool` at `now`, as hived holds it: what has reached it, in arrival order, unexpired, with valid
   * TaPoS and operations that still apply in turn on `data` (a switch arriving after a conflicting one is refused).
   */
  poolOf(pool: PoolId, now: number, data: ChainData = this.data): PendingTransaction[] {
    return this.#applyPool(this.#pools.arrived(pool, now), data).valid;
  }

  #applyPool(candidates: readonly PendingTransaction[], data: ChainData) {
    let trial = new Map([...data.witnesses].map(([k, w]) => [k, structuredClone(w)]));
    let nextId = this.#nextWitnessId;
    const ctx = { time: this.timeString(data.globals.time), nextWitnessId: () => nextId++ };
    const valid: PendingTransaction[] = [];
    const invalid: PendingTransaction[] = [];
    for (const p of candidates) {
      const copy = new Map([...trial].map(([k, w]) => [k, structuredClone(w)]));
      try {
        if (!(p.expiration > data.globals.time)) throw new Error('expired');
        // a backend behind the head cannot judge TaPoS on a block it has not seen yet; its peers already did
        if (!refersAhead(p.tx, data.globals.headBlockNumber)) this.#checkTapos(p.tx, data);
        for (const op of p.tx.operations) applyOperation(op, copy, data.accounts, ctx);
        trial = copy;
        valid.push(p);
      } catch {
        invalid.push(p);
      }
    }
    return { valid, invalid, trial, ctx };
  }

  /** Endpoint `pool` relays, from `now`, the transactions it had withheld (its `withhold-broadcasts` fault ended). */
  relayWithheld(pool: number, now: number): void {
    this.#pools.relayHeld(pool, now);
  }

  /** The next produced block orphans the head block (a one-block micro-fork), whatever `microForkRate` says. */
  orphanNextHead(): void {
    this.#forceFork = true;
  }

  /**
   * The chain as a backend `behind` blocks behind the head sees it (its own head, witnesses and schedule; blocks past
   * its head unknown). Where fewer states are kept, the oldest kept.
   */
  stateBehind(behind: number): ChainData {
    if (behind <= 0 || this.#states.length === 0) return this.data;
    const state = this.#states[Math.max(0, this.#states.length - 1 - behind)] as HeadState;
    return {
      ...this.data,
      globals: state.globals,
      schedule: state.schedule,
      witnesses: state.witnesses,
    };
  }

  /** Processes every slot due at or before `now`; returns the blocks produced. */
  produceUntil(now: number): BlockRecord[] {
    const produced: BlockRecord[] = [];
    while (this.nextSlotTime() <= now) {
      const block = this.produceSlot(this.nextSlotTime());
      if (block) produced.push(block);
    }
    return produced;
  }

  /** The absolute slot and scheduled producer at `slotTime`. */
  slotAt(slotTime: number, data: ChainData = this.data): { aslot: number; witness: string | undefined } {
    const headSlotTime = Math.floor(data.globals.time / this.blockIntervalMs) * this.blockIntervalMs;
    const aslot = data.globals.currentAslot + Math.round((slotTime - headSlotTime) / this.blockIntervalMs);
    const order = data.schedule.current;
    return { aslot, witness: order.length > 0 ? order[aslot % order.length] : undefined };
  }

  /**
   * Processes the slot at `slotTime`: its scheduled witness produces a block where a node holding the witness's
   * on-chain signing key is up; otherwise the slot is missed (charged when the next block arrives, as in hived).
   */
  produceSlot(slotTime: number, force = false): BlockRecord | undefined {
    this.#lastSlotTime = Math.max(this.#lastSlotTime, slotTime);
    const { aslot, witness: producerName } = this.slotAt(slotTime);
    if (producerName === undefined && !force) return undefined;
    const producer = producerName === undefined ? undefined : this.data.witnesses.get(producerName);
    const key = producer?.signing_key ?? '';
    if (!force && (!producer || key === NULL_KEY || !this.#options.canProduce(key))) return undefined;
    if (!force && this.#forkDue()) return this.#fork(slotTime);
    return this.#makeBlock(slotTime, aslot, producerName ?? '', key);
  }

  /**
   * Whether the block about to be made orphans the head: seeded per head block (its id, so the block that replaces an
   * orphan gets its own draw; seeded by number alone, a replaced head would be orphaned again at every slot), or asked
   * for.
   */
  #forkDue(): boolean {
    const g = this.data.globals;
    // only a reversible head that has a state to go back to; never the genesis block
    if (g.headBlockNumber < 2 || g.headBlockNumber <= g.lastIrreversibleBlockNum || this.#states.length < 2)
      return false;
    if (this.#forceFork) return true;
    const rate = this.#options.microForkRate ?? 0;
    if (rate <= 0) return false;
    // The id's first 4 bytes are the block number; the next 4 are the digest's, and differ between a block and its
    // replacement.
    const draw = Number.parseInt(g.headBlockId.slice(8, 16), 16) ^ Math.imul(g.headBlockNumber, 0x9e3779b1);
    return seededRandom((this.#options.seedMix ^ draw) >>> 0)() < rate;
  }

  /**
   * A one-block micro-fork: the producer of this slot had not seen the head block and builds on the block before it.
   * The head block is undone (its producer's slot is then missed, and charged, as on the winning fork in hived); its
   * transactions go back to every pool, except those whose TaPoS refers to the orphaned block itself: on the winning
   * fork that block does not exist, so they can never apply.
   */
  #fork(slotTime: number): BlockRecord | undefined {
    this.#forceFork = false;
    const data = this.data;
    const orphaned = this.blockIn(data, data.globals.headBlockNumber) as BlockRecord;
    this.#orphanedSlots.add(orphaned.aslot);
    this.#states.pop();
    const before = this.#states.at(-1) as HeadState;
    data.globals = { ...before.globals };
    data.schedule = { ...before.schedule, current: [...before.schedule.current], future: [...before.schedule.future] };
    data.witnesses.clear();
    for (const [k, w] of before.witnesses) data.witnesses.set(k, structuredClone(w));
    data.blocks.length = before.blocks;
    data.missed.length = before.missed;
    this.#nextWitnessId = before.nextWitnessId;
    const returned: string[] = [];
    for (const tx of orphaned.transactions) {
      data.transactions.delete(tx.id);
      const refersToOrphan =
        tx.tx.ref_block_num === (orphaned.num & 0xffff) && tx.tx.ref_block_prefix === refBlockPrefix(orphaned.id);
      if (refersToOrphan) continue;
      returned.push(tx.id);
      const endpoints = Array.from({ length: this.#options.endpoints ?? 1 }, (_, i) => i);
      this.#pools.restore(
        { id: tx.id, tx: tx.tx, signerKeys: tx.signerKeys, expiration: tx.expiration },
        slotTime,
        endpoints,
      );
    }
    const { aslot, witness } = this.slotAt(slotTime);
    const producer = witness === undefined ? undefined : data.witnesses.get(witness);
    const key = producer?.signing_key ?? '';
    if (!producer || key === NULL_KEY || !this.#options.canProduce(key)) {
      // the fork's own producer is down: nothing replaces the orphan this slot (the next block will)
      return undefined;
    }
    const replacedBy = this.#makeBlock(slotTime, aslot, witness as string, key);
    this.forks.push({ orphaned, replacedBy, returnedToPending: returned });
    return replacedBy;
  }

  #makeBlock(slotTime: number, aslot: number, producerName: string, signingKey: string): BlockRecord {
    const data = this.data;
    const g = data.globals;
    const num = g.headBlockNumber + 1;
    // Mempool: transactions expired by this block's time are dropped (hived's _generate_block skips
    // `tx.expiration < when`); the rest are applied in order, each re-checked against the state.
    if (this.#states.length === 0) this.#states.push(this.#headState());
    const transactions: AppliedTransaction[] = [];
    const dropped: string[] = [];
    // The producer includes what has reached ITS pool by now; what has not yet waits for a later block.
    for (const pending of this.#pools.arrived('producer', slotTime)) {
      if (pending.expiration < slotTime) {
        dropped.push(pending.id);
        continue;
      }
      try {
        this.#checkTapos(pending.tx, data);
        const ctx = { time: this.timeString(slotTime), nextWitnessId: () => this.#nextWitnessId++ };
        const trial = new Map([...data.witnesses].map(([k, w]) => [k, structuredClone(w)]));
        for (const op of pending.tx.operations) applyOperation(op, trial, data.accounts, ctx);
        data.witnesses.clear();
        for (const [k, w] of trial) data.witnesses.set(k, w);
        transactions.push({
          id: pending.id,
          blockNum: num,
          trxNum: transactions.length,
          tx: pending.tx,
          operations: pending.tx.operations,
          signerKeys: pending.signerKeys,
          expiration: pending.expiration,
        });
      } catch {
        dropped.push(pending.id);
      }
    }
    this.#pools.remove(new Set([...dropped, ...transactions.map((t) => t.id)]));
    const id = makeBlockId(
      num,
      `${this.chainId}/${g.headBlockId}/${slotTime}/${producerName}/${transactions.map((t) => t.id).join(',')}`,
    );
    const block: BlockRecord = {
      num,
      id,
      previous: g.headBlockId,
      timestamp: slotTime,
      witness: producerName,
      signingKey,
      aslot,
      transactions,
    };
    // Missed slots between the previous head and this block are charged now (hived's update_global_dynamic_data).
    const missedCount = num === 1 ? 0 : Math.max(0, aslot - g.currentAslot - 1);
    const order = data.schedule.current;
    for (let a = g.currentAslot + 1; a < aslot && num > 1; a++) {
      const name = order[a % order.length];
      if (name === undefined || name === producerName) continue;
      const missedWitness = data.witnesses.get(name);
      if (!missedWitness) continue;
      missedWitness.total_missed += 1;
      data.missed.push({
        aslot: a,
        witness: name,
        slotTime: slotTime - (aslot - a) * this.blockIntervalMs,
        signingKey: missedWitness.signing_key,
        chargedInBlock: num,
        ...(this.#orphanedSlots.delete(a) ? { forked: true as const } : {}),
      });
    }
    // an orphaned slot never charged (its witness also made the replacing block, at a shuffle) is forgotten
    for (const a of this.#orphanedSlots) if (a < aslot) this.#orphanedSlots.delete(a);
    const shift = BigInt(Math.min(missedCount + 1, 128));
    g.recentSlotsFilled = ((g.recentSlotsFilled << shift) | 1n) & SLOTS_MASK;
    g.participationCount = popcount(g.recentSlotsFilled);
    g.headBlockNumber = num;
    g.headBlockId = id;
    g.time = slotTime;
    g.currentWitness = producerName;
    g.currentAslot = aslot;
    const producer = data.witnesses.get(producerName);
    if (producer) {
      producer.last_aslot = aslot;
      producer.last_confirmed_block_num = num;
    }
    data.blocks.push(block);
    if (data.blocks.length > MAX_BLOCKS_KEPT) data.blocks.splice(0, data.blocks.length - MAX_BLOCKS_KEPT);
    if (data.missed.length > MAX_BLOCKS_KEPT) data.missed.splice(0, data.missed.length - MAX_BLOCKS_KEPT);
    for (const tx of transactions) data.transactions.set(tx.id, tx);
    this.#pruneTransactions(slotTime);
    this.#updateIrreversible();
    if (num % SHUFFLE_EVERY === 0) {
      data.schedule.current = data.schedule.future.filter((name) => data.witnesses.has(name));
      data.schedule.future = shuffleWitnesses(
        this.#electedWitnesses(num / SHUFFLE_EVERY),
        Math.floor(slotTime / 1000),
        this.#options.seedMix,
      );
      data.schedule.nextShuffleBlockNum = num + SHUFFLE_EVERY;
    }
    // Every node re-applies its pending transactions on the new head: those that no longer apply (expired, TaPoS on
    // a block that is gone, a switch from a key no longer on chain) leave every pool.
    const stale = this.#pools.all().filter((p) => this.#applyPool([p], data).invalid.length > 0);
    this.#pools.remove(new Set(stale.map((p) => p.id)));
    dropped.push(...stale.map((p) => p.id));
    this.#states.push(this.#headState());
    const keep = Math.max(2, (this.#options.keepStates ?? 0) + 2);
    if (this.#states.length > keep) this.#states.splice(0, this.#states.length - keep);
    for (const tx of transactions) this.#settle(tx.id, { included: true, blockNum: num, trxNum: tx.trxNum });
    for (const txId of dropped) this.#settle(txId, { included: false });
    for (const listener of this.#blockListeners) listener(block);
    return block;
  }

  #headState(): HeadState {
    const data = this.data;
    return {
      globals: { ...data.globals },
      schedule: { ...data.schedule, current: [...data.schedule.current], future: [...data.schedule.future] },
      witnesses: new Map([...data.witnesses].map(([k, w]) => [k, structuredClone(w)])),
      blocks: data.blocks.length,
      missed: data.missed.length,
      nextWitnessId: this.#nextWitnessId,
    };
  }

  /** hived: the top 20 by votes plus one timeshare witness; witnesses with the null key are not eligible. */
  #electedWitnesses(round: number): string[] {
    const eligible = [...this.data.witnesses.values()].filter((w) => w.signing_key !== NULL_KEY).map((w) => w.owner);
    if (eligible.length <= MAX_VOTED + 1) return eligible;
    const voted = eligible.slice(0, MAX_VOTED);
    const runners = eligible.slice(MAX_VOTED);
    return [...voted, runners[round % runners.length] as string];
  }

  #updateIrreversible(): void {
    const confirmed = this.data.schedule.current
      .map((name) => this.data.witnesses.get(name)?.last_confirmed_block_num ?? 0)
      .sort((a, b) => a - b);
    const offset = Math.floor(((100 - IRREVERSIBLE_THRESHOLD) * confirmed.length) / 100);
    const candidate = confirmed[offset] ?? 0;
    if (candidate > this.data.globals.lastIrreversibleBlockNum) this.data.globals.lastIrreversibleBlockNum = candidate;
  }

  #pruneTransactions(now: number): void {
    // hived keeps an included transaction's id (for the duplicate check and get_transaction) only until the head
    // time passes its expiration: then the expiration check alone refuses a replay.
    for (const [id, tx] of this.data.transactions) if (tx.expiration < now) this.data.transactions.delete(id);
  }

  #settle(txId: string, result: InclusionResult): void {
    const waiters = this.#waiters.get(txId);
    if (!waiters) return;
    this.#waiters.delete(txId);
    for (const waiter of waiters) waiter(result);
  }

  /** Resolves when `txId` is included in a block or dropped from the mempool. */
  whenSettled(txId: string): Promise<InclusionResult> {
    const applied = this.data.transactions.get(txId);
    if (applied) return Promise.resolve({ included: true, blockNum: applied.blockNum, trxNum: applied.trxNum });
    if (!this.#pools.has(txId)) return Promise.resolve({ included: false });
    return new Promise((resolve) => {
      const list = this.#waiters.get(txId) ?? [];
      list.push(resolve);
      this.#waiters.set(txId, list);
    });
  }

  /** Calls `listener` after every produced block. Returns a function that removes it. */
  onBlock(listener: (block: BlockRecord) => void): () => void {
    this.#blockListeners.add(listener);
    return () => this.#blockListeners.delete(listener);
  }

  /**
   * Checks `raw` as hived's `_push_transaction` would, against `data` with `pending` applied first: shape,
   * serialization and signatures (wax), duplicate, authorities, TaPoS, expiration, then the operations' evaluators.
   * Throws `HiveError` (or `TransactionShapeError`); changes nothing.
   */
  check(raw: unknown, data: ChainData, pending: readonly PendingTransaction[]): PendingTransaction {
    assertTransactionShape(raw);
    const decoded = decodeTransaction(this.#options.wax, raw);
    try {
      return this.#checkDecoded(decoded, data, pending);
    } catch (error) {
      if (error instanceof HiveError) error.txId = decoded.id;
      throw error;
    }
  }

  #checkDecoded(
    decoded: DecodedTransaction,
    data: ChainData,
    pending: readonly PendingTransaction[],
  ): PendingTransaction {
    const tx = decoded.tx;
    if (data.transactions.has(decoded.id) || pending.some((p) => p.id === decoded.id))
      throw new HiveError('assert', 'Duplicate transaction check failed', { trx_ix: decoded.id });
    this.#checkAuthorities(tx.operations, decoded.signerKeys, data);
    this.#checkTapos(tx, data);
    const expiration = parseHiveTime(tx.expiration);
    const now = data.globals.time;
    if (Number.isNaN(expiration)) throw new HiveError('parse', `Invalid expiration: ${tx.expiration}`);
    if (expiration > now + MAX_TIME_UNTIL_EXPIRATION_S * 1000)
      throw new HiveError('expiration', 'trx.expiration <= now + max_til_exp', {
        'trx.expiration': tx.expiration,
        now: this.timeString(now),
        max_til_exp: MAX_TIME_UNTIL_EXPIRATION_S,
      });
    if (!(now < expiration))
      throw new HiveError('expiration', 'now < trx.expiration', {
        now: this.timeString(now),
        'trx.exp': tx.expiration,
      });
    const { trial, ctx } = this.#applyPool(pending, data);
    for (const op of tx.operations) applyOperation(op, trial, data.accounts, ctx);
    return { ...decoded, expiration };
  }

  /**
   * The witnesses as hived's API shows them: `data`'s, with the mempool (and `extra`, another node's own pool)
   * applied on copies. Transactions expired by the head's time are left out, as hived drops them at the next block.
   */
  witnessesWithPending(data: ChainData, pool: PoolId, now: number): ReadonlyMap<string, WitnessRecord> {
    // A backend behind the head still holds, as pending, what the blocks it has not seen yet include.
    const unseen: PendingTransaction[] = [];
    for (let num = data.globals.headBlockNumber + 1; num <= this.data.globals.headBlockNumber; num++)
      for (const t of this.blockIn(this.data, num)?.transactions ?? [])
        unseen.push({ id: t.id, tx: t.tx, signerKeys: t.signerKeys, expiration: t.expiration });
    return this.#applyPool([...unseen, ...this.#pools.arrived(pool, now)], data).trial;
  }

  /**
   * Checks `raw` against `pool`'s state (its pending transactions applied) and adds it to that pool, relayed to the
   * others unless `relay` is false. Returns it.
   */
  accept(raw: unknown, pool: number, now: number, relay: boolean, data: ChainData = this.data): PendingTransaction {
    const accepted = this.check(raw, data, this.poolOf(pool, now, data));
    this.#pools.add(accepted, pool, now, relay);
    return accepted;
  }

  #checkAuthorities(operations: LegacyOperation[], signers: string[], data: ChainData): void {
    const required: RequiredAuthorities = { active: new Set(), other: new Set() };
    for (const op of operations) addRequiredAuthorities(op, required);
    const used = new Set<string>();
    for (const key of required.other) {
      if (!signers.includes(key))
        throw new HiveError('missingOther', 'Missing Authority', { auth: { key_auths: [[key, 1]] } });
      used.add(key);
    }
    for (const account of required.active) {
      const activeKey = data.accounts.get(account)?.active;
      if (activeKey === undefined || !signers.includes(activeKey))
        throw new HiveError('missingActive', `Missing Active Authority ${account}`, { id: account });
      used.add(activeKey);
    }
    const unused = signers.filter((key) => !used.has(key));
    if (unused.length > 0)
      throw new HiveError('irrelevantSig', 'Unnecessary signature(s) detected', { unnecessary: unused });
  }

  #checkTapos(tx: LegacyTransaction, data: ChainData): void {
    const head = data.globals.headBlockNumber;
    const refNum = head - ((head - tx.ref_block_num) & 0xffff);
    const block = this.blockIn(data, refNum);
    const expected = block ? refBlockPrefix(block.id) : 0;
    if (tx.ref_block_prefix !== expected)
      throw new HiveError('tapos', 'ref_block_prefix does not match the referenced block', {
        'trx.ref_block_prefix': tx.ref_block_prefix,
        tapos_block_summary: expected,
      });
  }

  /** The block `num` in `data`, if kept. */
  blockIn(data: ChainData, num: number): BlockRecord | undefined {
    // a backend behind the head (or a frozen one) does not know the blocks after its own head
    if (num > data.globals.headBlockNumber) return undefined;
    const first = data.blocks[0]?.num ?? 1;
    return data.blocks[num - first];
  }
}

/** Whether a transaction's TaPoS refers to a block after `head` (a few blocks ahead: a backend that lags). */
function refersAhead(tx: LegacyTransaction, head: number): boolean {
  const ahead = (tx.ref_block_num - head) & 0xffff;
  return ahead >= 1 && ahead <= 16;
}

function popcount(value: bigint): number {
  let count = 0;
  let v = value;
  while (v > 0n) {
    count += Number(v & 1n);
    v >>= 1n;
  }
  return count;
}
