/**
 * The contracts witness-trap is built on: what a chain client, a signer, a notifier, a state store and a clock must
 * do. Everything here is a plain type; implementations live beside it (`dhiveChainClient`, `wifKeyRing`,
 * `fileStateStore`, ...) or in other packages (the notifiers, the simulated chain).
 *
 * @packageDocumentation
 */

/** A public key in Hive's text form, e.g. `STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4`. */
export type PublicKeyString = string;

/**
 * The null signing key (33 zero bytes). A witness whose signing key is this one is disabled and leaves the schedule;
 * nothing can sign for it, so only `witness_update` with the owner's active key can re-enable the witness.
 */
export const NULL_SIGNING_KEY: PublicKeyString = 'STM1111111111111111111111111111111114T1Anm';

/** Hive mainnet's chain id. */
export const MAINNET_CHAIN_ID = 'beeab0de00000000000000000000000000000000000000000000000000000000';

/** Hive's block interval in milliseconds (`HIVE_BLOCK_INTERVAL`). */
export const HIVE_BLOCK_INTERVAL_MS = 3000;

// ---------------------------------------------------------------------------------------------------------------
// Chain data, in the trap's terms (parsed from hived's JSON, numbers as numbers, times as epoch milliseconds)
// ---------------------------------------------------------------------------------------------------------------

/** The head of the chain as one node sees it (from `get_dynamic_global_properties`). */
export interface HeadState {
  /** `head_block_number`. */
  headBlockNumber: number;
  /** `head_block_id` (hex). */
  headBlockId: string;
  /** The head block's timestamp, epoch milliseconds (hived's `time`, which is UTC without a zone suffix). */
  headBlockTime: number;
  /** `current_aslot`: the absolute slot of the head block. */
  currentAslot: number;
  /** `current_witness`: who produced the head block. */
  currentWitness: string;
  /** `last_irreversible_block_num`. */
  lastIrreversibleBlockNum: number;
}

/** The witness properties that `witness_update` overwrites and must therefore copy from the chain. */
export interface WitnessProps {
  /** e.g. `"3.000 HIVE"` (legacy asset string). */
  accountCreationFee: string;
  /** Bytes. */
  maximumBlockSize: number;
  /** Basis points. */
  hbdInterestRate: number;
}

/** A witness object (from `get_witness_by_account` / `find_witnesses`). */
export interface WitnessState {
  owner: string;
  url: string;
  signingKey: PublicKeyString;
  /** Lifetime count of missed slots. Known not to be incremented in a corner case: never the only evidence. */
  totalMissed: number;
  /** The absolute slot of this witness's last produced block. */
  lastAslot: number;
  /** The number of this witness's last produced block. */
  lastConfirmedBlockNum: number;
  props: WitnessProps;
  runningVersion?: string;
}

/** The witness schedule (from `database_api.get_witness_schedule {"include_future": true}`). */
export interface WitnessSchedule {
  /** The producers of the current round, indexed by `aslot % numScheduledWitnesses`. */
  currentShuffledWitnesses: string[];
  numScheduledWitnesses: number;
  /** The block number at which the next shuffle happens. */
  nextShuffleBlockNum: number;
  /** The next round's order, known one round ahead since HF26; absent on nodes that do not provide it. */
  futureShuffledWitnesses?: string[];
}

/** The parts of a block header the trap uses (from `get_block` / `block_api.get_block_header`). */
export interface BlockHeaderInfo {
  number: number;
  /** Hex block id. Absent from a bare header answer. */
  id?: string;
  previous: string;
  /** Epoch milliseconds. */
  timestamp: number;
  witness: string;
  /** The key that signed the block, where the node reports it (`get_block`). */
  signingKey?: PublicKeyString;
  /** The ids of the transactions the block includes, where the node reports them (`get_block`). */
  transactionIds?: string[];
}

/** The authorities of an account that the trap cares about (the owner's active authority, for `witness_update`). */
export interface AccountAuthorities {
  name: string;
  active: Authority;
  owner: Authority;
}

/** A Hive authority: a threshold over weighted keys and accounts. */
export interface Authority {
  weightThreshold: number;
  keyAuths: Array<[PublicKeyString, number]>;
  accountAuths: Array<[string, number]>;
}

/** A value read from one node, with where and when it came from. */
export interface Observation<T> {
  value: T;
  /** The URL of the node that answered (for a cross-checked read: the first of the nodes that agreed). */
  node: string;
  /** Local time (the client's clock, epoch ms) when the answer arrived. */
  receivedAt: number;
}

/** Options for one read. */
export interface ReadOptions {
  /**
   * The read decides a failover: use only fresh nodes, and return only what a strict majority of the CONFIGURED
   * nodes agrees on (the one node where one is configured; both of two; two of three). Nodes that are down or stale
   * never shrink that majority. A client that cannot meet this throws a retryable `StaleDataError` or
   * `DisagreementError` instead of answering.
   * @default false
   */
  decisive?: boolean;
  /** Cancels the read. */
  signal?: AbortSignal;
}

/** How one RPC node looks to the client right now. */
export interface NodeStatus {
  url: string;
  /** Head block number last seen from it, if any. */
  headBlockNumber?: number;
  /** Age of its head block, ms, at the last answer (local clock minus head block time). */
  headAgeMs?: number;
  /** The same as {@link NodeStatus.available} (its older name). */
  fresh: boolean;
  /**
   * Available: answering, its head advancing and its head time near the client's clock. Only available nodes
   * decide, and only they can hold a decision up; an unavailable one (down, erroring, timing out, stale, frozen)
   * is probed again at a bounded rate and counts again once it answers well.
   */
  available: boolean;
  /** Since when it is unavailable (epoch ms, the client's clock), while it is and once it had been asked. */
  unavailableSince?: number;
  /** Why it is unavailable, in a few words (e.g. `failing (connection refused)`, `head frozen at #1200 ...`). */
  unavailableReason?: string;
  /** Round-trip time of its last answer, ms. */
  latencyMs?: number;
  /** Consecutive failed calls. */
  failures: number;
  /** The last error it gave, as a short message (never a secret). */
  lastError?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Transactions, in hived's legacy (condenser) JSON form, which is what nodes accept and what gets signed
// ---------------------------------------------------------------------------------------------------------------

/** One operation in legacy form: `[name, body]`. */
export type Operation = [name: string, body: Record<string, unknown>];

/** A transaction before signing. */
export interface UnsignedTransaction {
  ref_block_num: number;
  ref_block_prefix: number;
  /** `YYYY-MM-DDTHH:mm:ss`, UTC, no zone suffix. */
  expiration: string;
  operations: Operation[];
  extensions: unknown[];
}

/** A signed transaction, ready to broadcast (and to rebroadcast, unchanged, as often as needed). */
export interface SignedTransaction extends UnsignedTransaction {
  /** Hex compact signatures. */
  signatures: string[];
}

/** What a broadcast achieved. Acceptance by a node is not success: only the chain showing the change is. */
export interface BroadcastResult {
  /** The transaction id (hex, 40 chars). */
  txId: string;
  /** Nodes that accepted it (or answered that it was a duplicate, which means they already have it). */
  acceptedBy: string[];
  /** Nodes that rejected it or failed, with why. */
  failures: Array<{ node: string; error: Error }>;
}

/** Options for one broadcast. */
export interface BroadcastOptions {
  /** Per-node timeout, ms. A broadcast that hangs is abandoned on that node, never awaited forever. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------------------------------------------
// The pluggable parts
// ---------------------------------------------------------------------------------------------------------------

/**
 * Reads the chain and broadcasts to it, over one or more RPC nodes. The dhive-backed `dhiveChainClient` is the
 * default; tests use the simulated chain through it or a fake that implements this contract.
 *
 * Implementations must time out every call, must not use stale nodes for `decisive` reads, and must never throw
 * an untyped error: every failure is a `WitnessTrapError` (`RpcError`, `TimeoutError`, `StaleDataError`, ...).
 */
export interface ChainClient {
  /** The chain id every transaction is signed for (hex, 64 chars). */
  readonly chainId: string;
  /** The head (dynamic global properties). */
  getHead(options?: ReadOptions): Promise<Observation<HeadState>>;
  /** The witness object, or `null` where the account is not a witness. */
  getWitness(owner: string, options?: ReadOptions): Promise<Observation<WitnessState | null>>;
  /** The schedule, with the next round's order where the node has it. */
  getSchedule(options?: ReadOptions): Promise<Observation<WitnessSchedule>>;
  /**
   * One block's header, or `null` where the node does not have that block (yet). Where the node reports them
   * (`condenser_api.get_block` does, `block_api.get_block_header` does not), `transactionIds` must be filled: the
   * trap confirms its own switch only by finding its transaction id there.
   */
  getBlockHeader(blockNum: number, options?: ReadOptions): Promise<Observation<BlockHeaderInfo | null>>;
  /** An account's authorities, or `null` where there is no such account. */
  getAccount(name: string, options?: ReadOptions): Promise<Observation<AccountAuthorities | null>>;
  /** The chain's block interval, ms (from `get_config`'s `HIVE_BLOCK_INTERVAL`). */
  getBlockInterval(options?: ReadOptions): Promise<number>;
  /**
   * Sends one signed transaction to several nodes at once. Resolves once every node has answered or timed out;
   * throws `BroadcastRejectedError` (with hived's `data.name`) only where no node accepted it.
   */
  broadcast(tx: SignedTransaction, options?: BroadcastOptions): Promise<BroadcastResult>;
  /** How each node looks now. */
  nodes(): NodeStatus[];
  /** Releases sockets and timers. */
  close?(): Promise<void>;
}

/**
 * Signs transactions. Private keys never leave it: it says which public keys it can sign for, and signs.
 * `wifKeyRing` is the default; an external signer (a command, a hardware device, a remote service) implements
 * the same two calls.
 */
export interface Signer {
  /** The public keys this signer can sign with. */
  publicKeys(): Promise<PublicKeyString[]>;
  /**
   * Signs `tx` for `chainId` with each of `keys` (all of which must be among `publicKeys()`), and returns the
   * signed transaction. Throws a `SignerError` where it cannot.
   */
  sign(tx: UnsignedTransaction, keys: PublicKeyString[], chainId: string): Promise<SignedTransaction>;
}

/** What a notifier is told: one short, human message about one thing that happened, with its facts. */
export interface TrapNotification {
  /** What happened. */
  kind: NotificationKind;
  /** How loud: `critical` wants a human now (a failed switch, every key exhausted, the trap stopped unexpectedly). */
  severity: 'info' | 'warning' | 'critical';
  /** The witness account. */
  witness: string;
  /** One line, at most ~60 characters, e.g. `witness-trap: alice switched to backup`. */
  title: string;
  /** The whole message, plain text, at most ~300 characters, no secrets. Vendors may use it as is. */
  text: string;
  /** Local time, epoch ms. */
  at: number;
  /** Same key = same news: notifiers and the trap use it to suppress duplicates. */
  dedupeKey: string;
  /** The facts behind the text (keys, tx id, block number, ...), for notifiers that format their own. */
  facts: Record<string, string | number | boolean | undefined>;
}

/** The kinds of news a notifier can get. */
export type NotificationKind =
  | 'fired'
  | 'confirmed'
  | 'unconfirmed'
  | 'abandoned'
  | 'failed'
  | 'exhausted'
  | 'recovered'
  | 'stopped'
  | 'test';

/** Tells the operator. Called after a broadcast, never before or in its way. */
export interface Notifier {
  /** Short, stable name for logs and events, e.g. `twilio`, `telegram`, `webhook`. */
  readonly name: string;
  /**
   * Delivers one notification. Resolves when the vendor accepted it; rejects with a `NotifierError` (vendor's code
   * and message, secrets redacted) when it gave up. Must honour `signal` (the trap's timeout).
   */
  notify(notification: TrapNotification, signal?: AbortSignal): Promise<void>;
  /** Releases anything held. */
  close?(): Promise<void>;
}

/** What the trap remembers across restarts. */
export interface TrapState {
  /** Format version of this record. */
  version: 1;
  witness: string;
  /** When the trap armed, and the witness's `total_missed` then (the baseline misses are counted from). */
  armedAt?: number;
  baselineTotalMissed?: number;
  /** A switch that was signed (and maybe broadcast) but not yet seen on chain. */
  pending?: PendingSwitch;
  /** Switches that landed, newest last (bounded). */
  history: SwitchRecord[];
  /** Keys that failed (their node missed while they were on chain), with when: never switched back to in cooldown. */
  failedKeys: Array<{ key: PublicKeyString; at: number }>;
}

/** A switch in flight. */
export interface PendingSwitch {
  fromKey: PublicKeyString;
  toKey: PublicKeyString;
  txId: string;
  /** The signed transaction, kept so that a restart can rebroadcast the same one (it holds no secret). */
  tx: SignedTransaction;
  /** Epoch ms of the transaction's expiration. */
  expiresAt: number;
  signedAt: number;
  broadcastAt?: number;
  /**
   * The witness's `last_aslot` as read when the switch was signed: a restarted trap re-signs an expired switch only
   * while the witness has produced nothing since. Absent in state saved by older versions.
   */
  lastAslotAtSigning?: number;
}

/** A switch that landed. */
export interface SwitchRecord {
  fromKey: PublicKeyString;
  toKey: PublicKeyString;
  /** Absent where a peer instance (or a person) made the switch. */
  txId?: string;
  confirmedBlock?: number;
  at: number;
  byPeer: boolean;
  /**
   * The one-shot run that made (or adopted) this switch ended normally after it. A one-shot run that starts and
   * finds the key of an unended switch still on chain was cut off by a crash: it finishes that run (exit 0, the
   * switch already done) instead of arming again. Starting it again after a clean end arms as usual.
   */
  ended?: boolean;
}

/** Where the trap keeps its state. `fileStateStore` writes atomically; `memoryStateStore` is for tests. */
export interface StateStore {
  /** The saved state, or `undefined` where none was saved yet. */
  load(): Promise<TrapState | undefined>;
  /** Saves it durably (for a file: temp file, fsync, rename). Throws `StateError` where it cannot. */
  save(state: TrapState): Promise<void>;
}

/**
 * Time as the trap sees it. The system clock in production; a manual clock in scenario tests (the simulated
 * chain provides one), so that a test can step the chain and the trap together, slot by slot.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** An injectable logger. Every method is optional to call with structured fields; none may receive a secret. */
export interface Logger {
  /** Detail for debugging: every read, every decision. */
  debug(message: string, fields?: Record<string, unknown>): void;
  /** Normal operation worth a line: armed, switched, confirmed. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Something is off but handled: a stale node, a retried read. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Something failed: a switch not confirmed, the state file not written. */
  error(message: string, fields?: Record<string, unknown>): void;
}
