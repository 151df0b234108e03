/**
 * The switch path, as a state machine. Every key switch (a failover, a manual switch, the kill switch, a switch
 * resumed after a restart, a peer's switch adopted) runs through {@link runSwitch}; the one place that records how
 * a switch ended is {@link SwitchMachine.settle}.
 *
 * ```text
 *  fire ───► preparing ──(chain shows another key)──► adopting ──(held a full block)──► confirmed (by peer)
 *   │           │  ▲                                     │ └──(key came back, or did not settle)──► preparing
 *   │           │  └──────────────(still wanted)─────┐   │        (an adoption seen while watching: abandoned)
 *   │           ├──(dry run)──► dry-run               │   │
 *   │           └──(signed, saved)──► awaiting ──(our tx in a block)──► confirmed
 *   │                                  │  │  └──(a peer's key held a full block)──► confirmed (by peer)
 *  resume ─────────────────────────────┘  ├──(past its expiration, chain unreadable)──► unconfirmed ─┐
 *                                         │                           (readable again) ◄───────────┘
 *                                         └──(expired unincluded, or refused for good)──► expired
 *  expired ──(still wanted, attempts left)──► preparing;  (not wanted) ──► abandoned;  (none left) ──► failed
 * ```
 *
 * Every await is bounded: chain reads and the signer by {@link SwitchEnv.ioTimeoutMs} / {@link SwitchEnv.signTimeoutMs}
 * (real time: they are network or device waits), and cancelled when they run past it (their signal aborts); read
 * loops by the attempt's deadline; the caller's `stillWanted` by {@link SwitchEnv.ioTimeoutMs} (cancelled then,
 * counted as still wanted); state saves by the {@link SwitchPersistence} contract; sleeps by the trap's clock and
 * its stop signal. Named exceptions: the broadcast itself is never awaited by the machine (it runs beside the
 * watching, bounded per node by {@link SwitchEnv.broadcastTimeoutMs} in the chain client), and the signer is
 * outrun, not cancelled (the `Signer` contract takes no signal): a late signature is dropped.
 */
import { linkSignals } from '../abort.js';
import { isNodeFault } from '../chain/node-fault.js';
import {
  BroadcastRejectedError,
  SwitchFailedError,
  TimeoutError,
  toWitnessTrapError,
  type WitnessTrapError,
} from '../errors.js';
import type { NodeRefusal, SwitchOperation, TrapEvents, TriggerReason } from '../events.js';
import type { NotificationFacts } from '../notify/format.js';
import { buildSwitchOperation } from '../tx/switch-operation.js';
import { buildTransaction, transactionId } from '../tx/transaction.js';
import { buildWitnessUpdateOperation } from '../tx/witness-update-operation.js';
import type {
  BlockHeaderInfo,
  ChainClient,
  Clock,
  HeadState,
  Logger,
  NotificationKind,
  Operation,
  PendingSwitch,
  PublicKeyString,
  SignedTransaction,
  Signer,
  SwitchRecord,
  WitnessState,
} from '../types.js';
import { readUntilTrusted, sleepOrStop, TrapStoppedError } from './decisive-read.js';
import { InclusionScan } from './inclusion-scan.js';
import { withIoTimeout } from './io-timeout.js';
import type { SigningPlan } from './key-plan.js';
import { PeerKeyWatch } from './peer-key-watch.js';

/** Emits one typed trap event. */
export type EmitTrapEvent = <K extends keyof TrapEvents>(name: K, payload: TrapEvents[K]) => void;

/**
 * Where the switch machinery keeps what must survive a crash. Implementations report failures and return within a
 * bound (a hung disk is reported, never waited on): they never throw and never hang.
 */
export interface SwitchPersistence {
  /** Saves (or, with `undefined`, clears) the switch in flight. */
  savePending(pending: PendingSwitch | undefined): Promise<void>;
  /** Records a switch that landed and clears the one in flight. */
  recordSwitch(record: SwitchRecord): Promise<void>;
}

/** Everything the switch machine needs; the trap and the admin commands build one each. */
export interface SwitchEnv {
  chain: ChainClient;
  signer: Signer;
  witness: string;
  clock: Clock;
  blockIntervalMs: number;
  /** How often the chain is read while a switch is awaited. */
  pollIntervalMs: number;
  /** How long a signed switch stays valid (its expiration, from the head block's time). */
  expiresInMs: number;
  /** Per-node broadcast timeout. */
  broadcastTimeoutMs: number;
  /** The longest wait for the signer, real time: an external signer that never answers spends the attempt. */
  signTimeoutMs: number;
  /** The longest wait for one chain read, real time (a guard against a client that hangs). */
  ioTimeoutMs: number;
  /** Signed attempts (each with fresh TaPoS) before giving up. */
  maxAttempts: number;
  dryRun: boolean;
  signal?: AbortSignal;
  emit: EmitTrapEvent;
  notify: (kind: NotificationKind, facts: NotificationFacts) => void;
  persist: SwitchPersistence;
  /** Where a broadcast refused by some nodes is logged, node by node. @default nowhere */
  log?: Logger;
}

/** One switch to make. */
export interface SwitchRequest {
  fromKey: PublicKeyString;
  toKey: PublicKeyString;
  reason: TriggerReason;
  plan: SigningPlan;
  /**
   * Asked before re-signing after an attempt expired unconfirmed: `false` abandons the switch (the reason for it is
   * gone, e.g. the witness produced again). Bounded by {@link SwitchEnv.ioTimeoutMs}: its signal aborts then (and on
   * `stop()`), and an answer that does not come in time counts as "still wanted" (a needless switch to a backup
   * loses no block; a dropped one can lose many). @default always true
   */
  stillWanted?: (signal: AbortSignal) => Promise<boolean>;
  /** A switch signed by an earlier run: watch this same transaction (rebroadcast while valid) before signing anew. */
  resume?: PendingSwitch;
  /** Extra facts for the `fired` notification (the missed slot, the count). */
  facts?: NotificationFacts;
  /**
   * The last decisive head the caller read (the watcher's): its last irreversible block is read as the TaPoS anchor
   * at the same time as the witness and the head, so that the first attempt costs one round trip to the nodes, not
   * three. An irreversible block stays irreversible, so an anchor from a head a block or two old is as good as a
   * fresh one; the expiration still counts from the fresh head. Ignored where that block is not below the fresh head
   * or is more than {@link MAX_ANCHOR_LAG_BLOCKS} behind it (then the fresh head's is read).
   */
  anchorHint?: Pick<HeadState, 'lastIrreversibleBlockNum'>;
  /**
   * The decisive reads the caller has just made (the watcher's, that showed the miss): the first attempt signs on
   * them instead of reading the witness and the head again, so that the broadcast follows the decision without
   * another round trip to the nodes (a node that answers late costs that round trip in full). Used only for
   * `witness_set_properties`, whose `key` is hived's compare-and-swap (a key moved meanwhile makes hived refuse the
   * switch, and the key on chain is adopted), and only while the answer is at most one block interval old
   * ({@link FreshReads.readAt}); otherwise the witness and the head are read as without it.
   */
  fresh?: FreshReads;
}

/** Decisive reads handed to a switch, see {@link SwitchRequest.fresh}. */
export interface FreshReads {
  /** The witness as a decisive read showed it. */
  witness: WitnessState;
  /** The decisive head read with it (or just before it): the transaction's expiration counts from its time. */
  head: HeadState;
  /** When the witness's answer came (the trap's clock, ms). */
  readAt: number;
  /**
   * A TaPoS anchor already being read (an irreversible block's header, started beside the reads that showed the
   * miss): used where it suits the head as {@link SwitchRequest.anchorHint} would; `null` (a failed read) or a block
   * that does not suit falls back to reading the head's last irreversible block.
   */
  anchor?: { blockNum: number; header: Promise<BlockHeaderInfo | null> };
}

/** How a switch ended. */
export type SwitchOutcome =
  /** The chain shows a new key: ours, or (`byPeer`) the one a peer instance or a person set. */
  | (Omit<TrapEvents['confirmed'], 'witness'> & { status: 'confirmed'; attempts: number; operation: SwitchOperation })
  | {
      status: 'dry-run';
      fromKey: PublicKeyString;
      toKey: PublicKeyString;
      txId: string;
      operation: SwitchOperation;
      /** What would have been broadcast (no secret in it). */
      tx: SignedTransaction;
    }
  | { status: 'abandoned'; fromKey: PublicKeyString; toKey: PublicKeyString; attempts: number };

/**
 * Fires one switch (or resumes one) and follows it to its end: confirmed (ours, or a peer's adopted), dry-run,
 * abandoned (no longer wanted). See the diagram at the top of this file.
 *
 * @throws SwitchFailedError (after a `failed` event and notification) when no attempt landed; TrapStoppedError on
 * `stop()` (the pending switch stays saved for the next start).
 */
export function runSwitch(env: SwitchEnv, request: SwitchRequest): Promise<SwitchOutcome> {
  return new SwitchMachine(env, request).run(request.resume === undefined ? 'fire' : 'resume');
}

/**
 * The chain showed `seenKey` instead of `fromKey` while the trap was watching (a peer instance or a person
 * switched): adopts it through the same machine once it has held for a full block, or returns `abandoned` where
 * `fromKey` came back (the key was only pending somewhere) or nothing settled within a switch's lifetime.
 */
export function adoptPeerSwitch(env: SwitchEnv, fromKey: PublicKeyString, seenKey: PublicKeyString) {
  const request: SwitchRequest = {
    fromKey,
    toKey: seenKey,
    reason: 'manual',
    // Never signs: an adoption that does not settle is abandoned, not fired.
    plan: { operation: 'witness_set_properties', signWith: fromKey },
  };
  return new SwitchMachine(env, request).run('adopt');
}

/** The machine's states. `awaiting` and `unconfirmed` carry the watch of one signed transaction. */
type State =
  | { name: 'preparing' }
  | { name: 'adopting'; onRevert: 'prepare' | 'abandon' }
  | { name: 'awaiting'; watch: TxWatch }
  | { name: 'unconfirmed'; watch: TxWatch; pauseMs: number }
  | { name: 'expired'; error: WitnessTrapError }
  | { name: 'confirmed'; key: PublicKeyString; blockNum: number; txId?: string }
  | { name: 'dry-run'; pending: PendingSwitch }
  | { name: 'abandoned'; reason: string }
  | { name: 'failed'; error?: WitnessTrapError };

/** What is known about one signed transaction while it is awaited. */
interface TxWatch {
  pending: PendingSwitch;
  scan: InclusionScan;
  peer: PeerKeyWatch;
  /** Local time after which an unsettled transaction is reported `unconfirmed`. */
  unconfirmedAt: number;
  lastBroadcast: number;
  inFlight: Promise<void> | undefined;
  /** hived refused it for good (expired, bad TaPoS, the key no longer matched): it will never land. */
  refused: WitnessTrapError | undefined;
  /** The first look after a refusal is taken at once. */
  lookedAfterRefusal: boolean;
  /** A peer's key appeared on the active-key path, or hived said the key moved: ours is not rebroadcast any more. */
  stoodDown: boolean;
  /** hived refused it because its `key` no longer matches the chain's: another key is (or is about to be) on chain. */
  keyMoved: boolean;
  /** The last look read the head, the blocks and the witness. */
  readable: boolean;
  /** A read of the current look failed. */
  readFailed: boolean;
  /** `unconfirmed` was said (once per transaction). */
  toldUnconfirmed: boolean;
  lastError: WitnessTrapError | undefined;
  /** Some node accepted it. */
  accepted: boolean;
  /** Every node refused it with a verdict from hived. */
  rejected: boolean;
  /** Read failures already reported since the last good read: one event per kind of failure, not per poll. */
  reported: Set<string>;
  /** Broadcasts settled since the last look (written only by the send, folded in only by the look). */
  sent: Array<{ accepted: boolean; error?: WitnessTrapError }>;
}

/** hived's reasons a transaction can never be included: re-signing with fresh TaPoS is the only way on. */
/**
 * How far behind the head the last irreversible block may be and still anchor a switch's TaPoS (two rounds: hived
 * without one-block irreversibility trails by about two thirds of a round). The inclusion scan reads that many blocks
 * more after the TaPoS block.
 */
export const MAX_ANCHOR_LAG_BLOCKS = 42;

const UNINCLUDABLE = new Set(['expired', 'tapos', 'transaction_expiration_exception', 'transaction_tapos_exception']);
const UNINCLUDABLE_CODES = new Set([4030100, 4030200]);

/** hived's resource-credit refusal: the account cannot pay for the transaction, and will not for hours. */
const NOT_ENOUGH_RC = 'not_enough_rc_exception';
const NOT_ENOUGH_RC_CODE = 4100100;

/** hived's `witness_set_properties` evaluator: the `key` prop is not the key on chain (someone switched first). */
const KEY_MISMATCH = "'key' does not match witness signing key";

/** What hived's verdict on a refused broadcast means for the switch. */
export type FinalRejection =
  /** It will never land (expired, bad TaPoS, missing authority): re-sign if still wanted. */
  | 'unincludable'
  /**
   * hived's state holds another signing key (a peer's switch, maybe still pending in a block to come): it will never
   * land. Not resent; the key on chain is adopted as soon as reads show it (held a full block).
   */
  | 'key-moved'
  /** The account has too little RC: no re-signed attempt can land either; the switch fails at once. */
  | 'not-enough-rc';

/**
 * hived's final verdict on a broadcast every node refused, or `undefined` where trying again may help. A
 * `witness_set_properties` refused because its `key` no longer matches the chain's is final: the chain holds
 * another key, to be adopted at once rather than resent until expiry.
 */
export function finalRejection(error: WitnessTrapError): FinalRejection | undefined {
  if (!(error instanceof BroadcastRejectedError)) return undefined;
  // A node's own trouble (a plugin not enabled, a lock, a 5xx) is no verdict on the transaction.
  const facts = error.failures
    .filter((f) => !isNodeFault(f.error))
    .map((f) => ({
      code: (f.error as { dataCode?: number }).dataCode,
      name: (f.error as { dataName?: string }).dataName,
      message: f.error.message,
    }));
  if (
    error.dataName === NOT_ENOUGH_RC ||
    facts.some((f) => f.name === NOT_ENOUGH_RC || f.code === NOT_ENOUGH_RC_CODE)
  ) {
    return 'not-enough-rc';
  }
  if (facts.some((f) => f.message.includes(KEY_MISMATCH))) return 'key-moved';
  if (error.dataName !== undefined && UNINCLUDABLE.has(error.dataName)) return 'unincludable';
  const final = facts.some(
    (f) =>
      (f.code !== undefined && UNINCLUDABLE_CODES.has(f.code)) ||
      f.name === 'tx_missing_other_auth' ||
      f.name === 'tx_missing_active_auth',
  );
  return final ? 'unincludable' : undefined;
}

/** hived's RC refusal as the operator reads it. */
function rcRefusal(error: WitnessTrapError): SwitchFailedError {
  return new SwitchFailedError(
    'SWITCH_NOT_ENOUGH_RC',
    `the account has too little RC to sign the switch (hived: ${error.message})`,
    { cause: error, isRetryable: false },
  );
}

/** Longest node reason kept in a log line, event or error. */
const REFUSAL_REASON_MAX = 120;

/** One node's failure as a {@link NodeRefusal}: hived's `data.name` and message, shortened. */
function refusalOf(failure: { node: string; error: Error }): NodeRefusal {
  const { dataName: name, method } = failure.error as { dataName?: string; method?: string };
  // The client's own prefix ("METHOD on NODE: ") says what the node field already says.
  const prefix = method === undefined ? '' : `${method} on ${failure.node}: `;
  const raw = failure.error.message.startsWith(prefix)
    ? failure.error.message.slice(prefix.length)
    : failure.error.message;
  const message = raw.replace(/\s+/g, ' ').trim();
  const text = name === undefined || message.includes(name) ? message : `${name}: ${message}`;
  const reason = text.length > REFUSAL_REASON_MAX ? `${text.slice(0, REFUSAL_REASON_MAX - 3)}...` : text;
  return { node: failure.node, reason };
}

/** `node (reason), node (reason)`, for a log line or an error message. */
function describeRefusals(refusals: readonly NodeRefusal[]): string {
  return refusals.map((r) => `${r.node} (${r.reason})`).join(', ');
}

class SwitchMachine {
  readonly #env: SwitchEnv;
  readonly #request: SwitchRequest;
  readonly #started: number;
  #attempts = 0;
  #broadcasts = 0;
  /** The `fired` notification went out (for a resumed switch: before the restart). */
  #announced: boolean;
  #lastError: WitnessTrapError | undefined;
  /** The last broadcast's refusals, node by node. */
  #lastRefusals: NodeRefusal[] = [];

  constructor(env: SwitchEnv, request: SwitchRequest) {
    this.#env = env;
    this.#request = request;
    this.#started = env.clock.now();
    this.#announced = request.resume?.broadcastAt !== undefined;
  }

  async run(start: 'fire' | 'resume' | 'adopt'): Promise<SwitchOutcome> {
    const { fromKey, toKey, reason } = this.#request;
    let state: State;
    if (start === 'resume' && this.#request.resume !== undefined) {
      this.#attempts = 1;
      state = { name: 'awaiting', watch: this.#watchOf(this.#request.resume) };
    } else if (start === 'adopt') {
      state = { name: 'adopting', onRevert: 'abandon' };
    } else {
      this.#env.emit('triggered', { witness: this.#env.witness, reason, fromKey, toKey });
      state = { name: 'preparing' };
    }
    for (;;) {
      switch (state.name) {
        case 'preparing':
          state = await this.#prepare();
          break;
        case 'adopting':
          state = await this.#adopt(state.onRevert);
          break;
        case 'awaiting':
        case 'unconfirmed':
          state = await this.#look(state);
          break;
        case 'expired':
          state = await this.#expired(state.error);
          break;
        default:
          return this.settle(state);
      }
    }
  }

  /** preparing: read the witness and the head (decisive), build the switch, sign it, save it as pending. */
  async #prepare(): Promise<State> {
    if (this.#attempts >= this.#env.maxAttempts) return { name: 'failed', error: this.#lastError };
    this.#attempts += 1;
    let pending: PendingSwitch;
    // The witness, the head and (on a hint) the TaPoS anchor are read at once: one round trip, not three. What is
    // left unread when the attempt ends early (a key moved, a failure) is cancelled, not left running.
    const reads = new AbortController();
    const link = linkSignals([this.#env.signal, reads.signal]);
    const signal = link.signal;
    try {
      const fresh = this.#freshReads();
      if (fresh !== undefined) {
        // The watcher's reads of a moment ago: no second round trip before signing (see `SwitchRequest.fresh`).
        if (fresh.witness.signingKey !== this.#request.fromKey) return { name: 'adopting', onRevert: 'prepare' };
        this.#env.log?.debug('signing on the decisive reads that showed the miss', {
          head: fresh.head.headBlockNumber,
          ageMs: this.#env.clock.now() - fresh.readAt,
        });
        pending = await this.#sign(fresh.witness, fresh.head, fresh.anchor ?? this.#hintedAnchor(signal));
      } else {
        const head = readUntilTrusted(
          () => this.#bounded((s) => this.#env.chain.getHead({ decisive: true, signal: s }), signal),
          { ...this.#loopOptions(), signal },
        );
        const hinted = this.#hintedAnchor(signal);
        head.catch(() => undefined);
        const witness = await this.#readWitnessUntilTrusted();
        if (witness.signingKey !== this.#request.fromKey) return { name: 'adopting', onRevert: 'prepare' };
        pending = await this.#sign(witness, (await head).value, hinted);
        // Active-key path (no compare-and-swap on chain): the key is read again right before the broadcast, so that
        // a peer's switch seen meanwhile (hived's reads include pending transactions) is adopted, not overwritten.
        if (this.#request.plan.operation === 'witness_update' && !this.#env.dryRun) {
          const again = await this.#readWitnessUntilTrusted();
          if (again.signingKey !== this.#request.fromKey) return { name: 'adopting', onRevert: 'prepare' };
        }
      }
    } catch (thrown) {
      if (thrown instanceof TrapStoppedError) throw thrown;
      // No trusted read within the attempt's time, a signer that failed or did not answer: the attempt is spent;
      // a failure that cannot pass (a key the signer lacks) ends the switch at once, loudly.
      this.#lastError = toWitnessTrapError(thrown, 'SWITCH_NOT_PREPARED');
      this.#env.emit('error', { error: this.#lastError, during: 'fire' });
      return this.#lastError.isRetryable ? { name: 'preparing' } : { name: 'failed', error: this.#lastError };
    } finally {
      reads.abort();
      link.dispose();
    }
    if (this.#env.dryRun) return { name: 'dry-run', pending };
    await this.#env.persist.savePending(pending);
    return { name: 'awaiting', watch: this.#watchOf(pending) };
  }

  /** adopting: another key is on chain; adopt it once it has held for a full block. */
  async #adopt(onRevert: 'prepare' | 'abandon'): Promise<State> {
    const held = await this.#awaitPeerKey();
    if (held !== undefined) return { name: 'confirmed', key: held.key, blockNum: held.head };
    // The key went back (it was only pending somewhere), or it did not settle in time.
    return onRevert === 'prepare'
      ? { name: 'preparing' }
      : { name: 'abandoned', reason: 'a key seen on chain went back or did not hold for a full block' };
  }

  /**
   * awaiting / unconfirmed: one look at the chain. Broadcasts beside the watching (never in its way: a node that
   * takes the transaction and never answers cannot hold up the confirmation), rebroadcasting the SAME transaction
   * every two intervals while it is valid. Then reads the head, scans the new blocks for the transaction, reads the
   * signing key, and decides.
   */
  async #look(state: Extract<State, { name: 'awaiting' | 'unconfirmed' }>): Promise<State> {
    const { clock, blockIntervalMs } = this.#env;
    const watch = state.watch;
    this.#fold(watch);
    const pastExpiry = clock.now() >= watch.unconfirmedAt;
    const sending = watch.inFlight === undefined && watch.refused === undefined && !watch.stoodDown;
    if (!pastExpiry && sending && clock.now() - watch.lastBroadcast >= 2 * blockIntervalMs) {
      await this.#broadcast(watch);
    }
    if (state.name === 'unconfirmed') await sleepOrStop(clock, state.pauseMs, this.#env.signal);
    else if (watch.refused === undefined || watch.lookedAfterRefusal) {
      await sleepOrStop(clock, this.#env.pollIntervalMs, this.#env.signal);
    }
    this.#fold(watch);
    // A refused transaction is settled by the next reads at once (a peer won, or it never will land); after that
    // look the reads keep their pace.
    watch.lookedAfterRefusal = watch.refused !== undefined;
    watch.readable = false;
    watch.readFailed = false;
    const verdict = await this.#decide(watch);
    if (verdict !== undefined) return verdict;
    // Readable (again): back to the normal pace. Unreadable past the transaction's lifetime: loud, then backing off.
    if (watch.readable) return { name: 'awaiting', watch };
    if (state.name === 'unconfirmed') {
      return { ...state, pauseMs: Math.min(2 * state.pauseMs, 10 * blockIntervalMs) };
    }
    if (!pastExpiry) return state;
    return watch.toldUnconfirmed
      ? { name: 'unconfirmed', watch, pauseMs: 2 * this.#env.pollIntervalMs }
      : this.#unconfirmed(watch);
  }

  /** What the chain says of the awaited transaction now; `undefined` where it is not settled (or not readable). */
  async #decide(watch: TxWatch): Promise<State | undefined> {
    const env = this.#env;
    const { pending, scan, peer } = watch;
    const read = await this.#tryRead(watch, (signal) => env.chain.getHead({ decisive: true, signal }));
    if (read === undefined) return undefined;
    const head = read.value;
    const blockNum = await this.#tryRead(watch, (signal) => scan.upTo(head.headBlockNumber, signal));
    if (blockNum !== undefined) return { name: 'confirmed', key: pending.toKey, blockNum, txId: pending.txId };
    const witness = await this.#tryRead(watch, (signal) =>
      env.chain.getWitness(env.witness, { decisive: true, signal }),
    );
    if (witness === undefined || witness.value === null) return undefined;
    if (watch.readFailed) return undefined;
    watch.reported.clear();
    watch.readable = true;
    const key = witness.value.signingKey;
    // The head is past the expiration and every block up to it was read: no block holds it, and none can.
    const deadForGood = head.headBlockTime >= pending.expiresAt && scan.covered(head.headBlockNumber);
    // Our key shown while ours may still be pending (or about to be read in its block) is not someone else's.
    const maybeOurs =
      key === pending.toKey &&
      watch.refused === undefined &&
      !watch.keyMoved &&
      (watch.accepted || !watch.rejected) &&
      !deadForGood;
    const foreign = key !== pending.fromKey && !maybeOurs;
    if (peer.observe(head.headBlockNumber, foreign ? key : undefined)) {
      return { name: 'confirmed', key, blockNum: head.headBlockNumber };
    }
    // Active-key path (no compare-and-swap on chain): a peer's key showing up means stand down, never rebroadcast
    // over it, whether or not it then holds.
    if (foreign && this.#request.plan.operation === 'witness_update') watch.stoodDown = true;
    if (key !== pending.fromKey) return undefined;
    // Too little RC: no re-signed attempt can pay either; fail now, loudly, with hived's reason.
    if (watch.refused?.code === 'SWITCH_NOT_ENOUGH_RC') return { name: 'failed', error: watch.refused };
    if (watch.refused !== undefined) return { name: 'expired', error: watch.refused };
    if (!deadForGood) return undefined;
    const error =
      watch.lastError ??
      new SwitchFailedError('SWITCH_EXPIRED', `switch ${pending.txId} expired unconfirmed`, { isRetryable: true });
    return { name: 'expired', error };
  }

  /** The transaction's lifetime is over and the chain could not tell what became of it: say so, loudly, once. */
  #unconfirmed(watch: TxWatch): State {
    const { pending } = watch;
    watch.toldUnconfirmed = true;
    const facts = { fromKey: pending.fromKey, toKey: pending.toKey, txId: pending.txId, expiresAt: pending.expiresAt };
    this.#env.emit('unconfirmed', { witness: this.#env.witness, ...facts });
    this.#env.notify('unconfirmed', facts);
    return { name: 'unconfirmed', watch, pauseMs: 2 * this.#env.pollIntervalMs };
  }

  /** expired: the transaction can no longer land. Re-sign while the switch is still wanted and attempts are left. */
  async #expired(error: WitnessTrapError): Promise<State> {
    this.#lastError = error;
    await this.#env.persist.savePending(undefined);
    const ask = this.#request.stillWanted;
    const ms = this.#env.ioTimeoutMs;
    const wanted =
      ask === undefined ||
      (await withIoTimeout(
        ask,
        ms,
        () => {
          const error = new TimeoutError(`could not tell within ${ms} ms whether the switch is still wanted`, {
            isRetryable: true,
          });
          this.#env.emit('error', { error, during: 'fire' });
          return true;
        },
        this.#env.signal,
      ));
    return wanted
      ? { name: 'preparing' }
      : { name: 'abandoned', reason: 'no longer wanted: the witness produced again, or its key changed' };
  }

  /** The one place a switch's end is recorded, announced and returned (or, when it failed, thrown). */
  async settle(state: Extract<State, { name: 'confirmed' | 'dry-run' | 'abandoned' | 'failed' }>) {
    const env = this.#env;
    const started = this.#started;
    const { fromKey, toKey, plan } = this.#request;
    const attempts = this.#attempts;
    switch (state.name) {
      case 'confirmed': {
        const byPeer = state.txId === undefined;
        const elapsedMs = env.clock.now() - started;
        const txId = state.txId === undefined ? {} : { txId: state.txId };
        const facts = { fromKey, toKey: state.key, blockNum: state.blockNum, byPeer, elapsedMs, ...txId };
        await env.persist.recordSwitch({
          fromKey,
          toKey: state.key,
          at: env.clock.now(),
          byPeer,
          confirmedBlock: state.blockNum,
          ...txId,
        });
        env.emit('confirmed', { witness: env.witness, ...facts });
        env.notify('confirmed', facts);
        return { status: 'confirmed', ...facts, attempts, operation: plan.operation } satisfies SwitchOutcome;
      }
      case 'dry-run': {
        const { txId, tx } = state.pending;
        env.emit('broadcast', {
          txId,
          operation: plan.operation,
          fromKey,
          toKey,
          acceptedBy: [],
          attempt: 1,
          dryRun: true,
        });
        return { status: 'dry-run', fromKey, toKey, txId, operation: plan.operation, tx } satisfies SwitchOutcome;
      }
      case 'abandoned': {
        const reason = state.reason;
        env.emit('abandoned', { witness: env.witness, fromKey, toKey, attempts, reason });
        // The operator was told a switch went out: say it was called off (an adoption seen while watching was not).
        if (this.#announced) env.notify('abandoned', { fromKey, toKey, attempts, reason });
        return { status: 'abandoned', fromKey, toKey, attempts } satisfies SwitchOutcome;
      }
      case 'failed': {
        const refusedBy = this.#lastRefusals;
        const nodes = refusedBy.length === 0 ? '' : `; refused by ${describeRefusals(refusedBy)}`;
        const why = `${state.error === undefined ? '' : `: ${state.error.message}`}${nodes}`;
        const error = new SwitchFailedError(
          state.error?.code === 'SWITCH_NOT_ENOUGH_RC' ? 'SWITCH_NOT_ENOUGH_RC' : 'SWITCH_NOT_CONFIRMED',
          `the switch of ${env.witness} from ${fromKey} to ${toKey} did not land after ${attempts} attempt(s)${why}`,
          { cause: state.error, details: { fromKey, toKey, attempts } },
        );
        env.emit('failed', {
          witness: env.witness,
          fromKey,
          toKey,
          attempts,
          error,
          ...(refusedBy.length === 0 ? {} : { refusedBy }),
        });
        env.notify('failed', { fromKey, toKey, attempts, error: state.error?.message ?? error.message });
        throw error;
      }
    }
  }

  #watchOf(pending: PendingSwitch): TxWatch {
    return {
      pending,
      scan: new InclusionScan(
        this.#env.chain,
        pending.tx,
        pending.txId,
        this.#env.signal,
        Math.ceil(Math.max(this.#env.expiresInMs, pending.expiresAt - pending.signedAt) / this.#env.blockIntervalMs) +
          3 +
          MAX_ANCHOR_LAG_BLOCKS,
      ),
      peer: new PeerKeyWatch(),
      // Measured on the local clock from signing (a skewed host clock shifts both ends alike).
      unconfirmedAt:
        pending.signedAt +
        Math.max(this.#env.expiresInMs, pending.expiresAt - pending.signedAt) +
        2 * this.#env.blockIntervalMs,
      lastBroadcast: Number.NEGATIVE_INFINITY,
      inFlight: undefined,
      refused: undefined,
      lookedAfterRefusal: false,
      stoodDown: false,
      keyMoved: false,
      readable: false,
      readFailed: false,
      toldUnconfirmed: false,
      lastError: undefined,
      accepted: false,
      rejected: false,
      reported: new Set(),
      sent: [],
    };
  }

  /**
   * Folds the broadcasts that settled since the last look into what the watch knows: some node accepted it, hived
   * refused it for good (and why), the key moved. Only the look writes these, never the send that runs beside it.
   */
  #fold(watch: TxWatch): void {
    for (const { accepted, error } of watch.sent.splice(0)) {
      if (accepted) watch.accepted = true;
      if (error === undefined) continue;
      watch.lastError = error;
      const final = finalRejection(error);
      if (final !== undefined || (error instanceof BroadcastRejectedError && error.dataName)) watch.rejected = true;
      if (final === 'not-enough-rc') watch.refused ??= rcRefusal(error);
      else if (final === 'key-moved') {
        // The chain holds another key: resending cannot help; the reads adopt it once it shows and holds.
        watch.keyMoved = true;
        watch.stoodDown = true;
      } else if (final !== undefined) watch.refused ??= error;
    }
  }

  /** Starts one broadcast of the watched transaction (not awaited); the first one is saved and announced. */
  async #broadcast(watch: TxWatch): Promise<void> {
    const env = this.#env;
    const { pending } = watch;
    watch.lastBroadcast = env.clock.now();
    const first = !this.#announced;
    watch.inFlight = this.#send(watch)
      .catch(() => undefined)
      .finally(() => {
        watch.inFlight = undefined;
      });
    if (!first) return;
    this.#announced = true;
    await env.persist.savePending({ ...pending, broadcastAt: watch.lastBroadcast });
    env.notify('fired', {
      ...this.#request.facts,
      fromKey: pending.fromKey,
      toKey: pending.toKey,
      txId: pending.txId,
      operation: this.#request.plan.operation,
      reason: this.#request.reason,
    });
  }

  async #send(watch: TxWatch): Promise<void> {
    const env = this.#env;
    const { pending } = watch;
    let acceptedBy: string[] = [];
    let error: WitnessTrapError | undefined;
    let failures: Array<{ node: string; error: Error }> = [];
    try {
      const result = await env.chain.broadcast(pending.tx, { timeoutMs: env.broadcastTimeoutMs, signal: env.signal });
      acceptedBy = result.acceptedBy;
      failures = result.failures;
    } catch (thrown) {
      if (env.signal?.aborted) throw new TrapStoppedError();
      error = toWitnessTrapError(thrown, 'BROADCAST_FAILED');
      if (error instanceof BroadcastRejectedError) failures = error.failures;
    }
    this.#broadcasts += 1;
    const refusedBy = failures.map(refusalOf);
    this.#lastRefusals = refusedBy;
    if (refusedBy.length > 0) {
      env.log?.warn(
        `broadcast of ${pending.txId} refused by ${refusedBy.length} node(s): ${describeRefusals(refusedBy)}`,
        {
          txId: pending.txId,
          acceptedBy,
          refusedBy,
        },
      );
    }
    // The one write of this un-awaited send: the look folds it in between its reads (see `#fold`).
    watch.sent.push({ accepted: acceptedBy.length > 0, ...(error === undefined ? {} : { error }) });
    const rc = error !== undefined && finalRejection(error) === 'not-enough-rc';
    if (error !== undefined && (rc || finalRejection(error) === undefined)) {
      env.emit('error', { error: rc ? rcRefusal(error) : error, during: 'broadcast' });
    }
    env.emit('broadcast', {
      txId: pending.txId,
      operation: this.#request.plan.operation,
      fromKey: pending.fromKey,
      toKey: pending.toKey,
      acceptedBy,
      attempt: this.#broadcasts,
      dryRun: false,
      ...(refusedBy.length === 0 ? {} : { refusedBy }),
    });
  }

  /**
   * The caller's fresh reads (`SwitchRequest.fresh`), where the first attempt of a `witness_set_properties` may sign
   * on them: at most one block interval old.
   */
  #freshReads(): FreshReads | undefined {
    const fresh = this.#request.fresh;
    if (fresh === undefined || this.#attempts !== 1) return undefined;
    if (this.#request.plan.operation !== 'witness_set_properties') return undefined;
    const age = this.#env.clock.now() - fresh.readAt;
    return age >= 0 && age <= this.#env.blockIntervalMs ? fresh : undefined;
  }

  /**
   * The header of the hinted anchor (the caller's last irreversible block), read now, on the first attempt only (a
   * later attempt reads a fresh head's); `undefined` without a usable hint, `null` where the read fails.
   */
  #hintedAnchor(signal: AbortSignal): { blockNum: number; header: Promise<BlockHeaderInfo | null> } | undefined {
    const blockNum = this.#request.anchorHint?.lastIrreversibleBlockNum;
    if (this.#attempts !== 1 || blockNum === undefined || !(blockNum >= 1)) return undefined;
    return { blockNum, header: this.#headerOrNull(blockNum, signal) };
  }

  /** Builds the switch on the witness as read, with TaPoS from the fresh decisive `head`, and signs it (bounded). */
  async #sign(
    witness: WitnessState,
    head: HeadState,
    hinted?: { blockNum: number; header: Promise<BlockHeaderInfo | null> },
  ): Promise<PendingSwitch> {
    const env = this.#env;
    const request = this.#request;
    const operation =
      request.plan.operation === 'witness_set_properties'
        ? buildSwitchOperation(witness.owner, request.fromKey, request.toKey)
        : buildWitnessUpdateOperation(witness, request.toKey);
    const unsigned =
      request.plan.operation === 'witness_update'
        ? await this.#incidentTransaction(witness, head, operation)
        : buildTransaction(await this.#survivingAnchor(head, hinted), [operation], { expiresInMs: env.expiresInMs });
    const tx = await withIoTimeout(
      () =>
        env.signer.sign(unsigned, [request.plan.signWith], env.chain.chainId).catch((error: unknown) => {
          throw new SwitchFailedError(
            'SWITCH_NOT_SIGNED',
            `the switch could not be signed with ${request.plan.signWith}`,
            {
              cause: error,
            },
          );
        }),
      env.signTimeoutMs,
      () => {
        throw new SwitchFailedError(
          'SWITCH_SIGN_TIMEOUT',
          `the signer did not answer within ${env.signTimeoutMs} ms; the attempt is spent`,
          { isRetryable: true },
        );
      },
    );
    if (env.signal?.aborted) throw new TrapStoppedError();
    return {
      fromKey: request.fromKey,
      toKey: request.toKey,
      txId: transactionId(tx),
      tx,
      expiresAt: Date.parse(`${tx.expiration}Z`),
      signedAt: env.clock.now(),
      lastAslotAtSigning: witness.lastAslot,
    };
  }

  /**
   * The active-key path has no compare-and-swap on chain, so monitors converge through hived's duplicate check
   * instead: they build the very same transaction for the same incident, and the chain applies it once. TaPoS
   * names the witness's last produced block (the same for every monitor until it produces again) and the
   * expiration is the first whole round after that block's time at least half a round past the head: monitors
   * that read heads a block or two apart sign the same transaction id, unless they straddle a round boundary (the
   * read right before the broadcast and the stand-down cover that case). The operation copies url and props from
   * the witness as read, and monitors with the same backup keys pick the same target. Falls back to the head's
   * TaPoS where that block is too old (TaPoS reaches 65536 blocks back) or cannot be read.
   */
  async #incidentTransaction(witness: WitnessState, head: HeadState, operation: Operation) {
    const env = this.#env;
    const round = 21 * env.blockIntervalMs;
    const fallback = async () =>
      buildTransaction(await this.#survivingAnchor(head), [operation], { expiresInMs: env.expiresInMs });
    // A witness that never produced (a fresh chain) has no last block: the first block of the head's round then.
    const last = witness.lastConfirmedBlockNum;
    const anchorNum = last > 0 ? last : Math.max(1, head.headBlockNumber - (head.headBlockNumber % 21));
    if (head.headBlockNumber - anchorNum > 60_000 || anchorNum > head.headBlockNumber) return fallback();
    const header = await this.#headerOrNull(anchorNum);
    if (header?.id === undefined) return fallback();
    const rounds = Math.max(1, Math.ceil((head.headBlockTime + round / 2 - header.timestamp) / round));
    const expiration = header.timestamp + rounds * round;
    const anchor: HeadState = { ...head, headBlockNumber: anchorNum, headBlockId: header.id };
    return buildTransaction(anchor, [operation], { now: expiration - round, expiresInMs: round });
  }

  /**
   * TaPoS on a block that survives forks: the last irreversible block, read decisively (its id is the same on every
   * node). The head can still be orphaned by a micro-fork, and a transaction that refers to an orphaned block can never
   * apply on the winning fork: it would cost a re-sign and the slots that takes. The expiration still counts from the
   * head's time. Falls back to the head where the irreversible block is unknown, more than
   * {@link MAX_ANCHOR_LAG_BLOCKS} behind (irreversibility stalled: the inclusion scan's window allows that much), or
   * cannot be read in time.
   */
  async #survivingAnchor(
    head: HeadState,
    hinted?: { blockNum: number; header: Promise<BlockHeaderInfo | null> },
  ): Promise<HeadState> {
    const usable = (lib: number) =>
      lib >= 1 &&
      lib < head.headBlockNumber &&
      lib <= head.lastIrreversibleBlockNum &&
      head.headBlockNumber - lib <= MAX_ANCHOR_LAG_BLOCKS;
    if (hinted !== undefined && usable(hinted.blockNum)) {
      const header = await hinted.header;
      if (header?.id !== undefined) return { ...head, headBlockNumber: hinted.blockNum, headBlockId: header.id };
    }
    const lib = head.lastIrreversibleBlockNum;
    if (!usable(lib)) return head;
    const header = await this.#headerOrNull(lib);
    if (header?.id === undefined) return head;
    return { ...head, headBlockNumber: lib, headBlockId: header.id };
  }

  /** A decisive read of a block header for a TaPoS anchor, bounded; `null` where it fails or takes too long. */
  #headerOrNull(blockNum: number, signal?: AbortSignal): Promise<BlockHeaderInfo | null> {
    const env = this.#env;
    return this.#bounded((s) => env.chain.getBlockHeader(blockNum, { decisive: true, signal: s }), signal)
      .then((read) => read.value)
      .catch(() => null);
  }

  async #readWitnessUntilTrusted(): Promise<WitnessState> {
    const env = this.#env;
    return readUntilTrusted(async () => {
      const { value } = await this.#bounded((signal) => env.chain.getWitness(env.witness, { decisive: true, signal }));
      if (value === null) {
        throw new SwitchFailedError('SWITCH_NO_WITNESS', `${env.witness} is not a witness on this chain`, {
          isRetryable: false,
        });
      }
      return value;
    }, this.#loopOptions());
  }

  /**
   * Watches a key other than `fromKey` until it has held for a full block ({@link PeerKeyWatch}: returns it with the
   * head then) or `fromKey` is back (`undefined`), within the time a signed switch would have (`undefined` after it).
   */
  async #awaitPeerKey(): Promise<{ key: PublicKeyString; head: number } | undefined> {
    const env = this.#env;
    const peer = new PeerKeyWatch();
    const deadline = env.clock.now() + env.expiresInMs;
    const reported = new Set<string>();
    for (;;) {
      const head = await this.#tryRead({ reported }, (signal) => env.chain.getHead({ decisive: true, signal }));
      const witness =
        head === undefined
          ? undefined
          : await this.#tryRead({ reported }, (signal) =>
              env.chain.getWitness(env.witness, { decisive: true, signal }),
            );
      const key = witness?.value?.signingKey;
      if (head !== undefined && key !== undefined) {
        if (key === this.#request.fromKey) return undefined;
        if (peer.observe(head.value.headBlockNumber, key)) return { key, head: head.value.headBlockNumber };
      }
      if (env.clock.now() >= deadline) return undefined;
      await sleepOrStop(env.clock, env.pollIntervalMs, env.signal);
    }
  }

  /** One bounded read; a failure is reported once per kind (until a read succeeds) and gives `undefined`. */
  async #tryRead<T>(
    watch: { reported: Set<string>; readFailed?: boolean },
    read: (signal: AbortSignal) => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await this.#bounded(read);
    } catch (thrown) {
      if (this.#env.signal?.aborted) throw new TrapStoppedError();
      const error = toWitnessTrapError(thrown, 'READ_FAILED');
      watch.readFailed = true;
      if (!watch.reported.has(error.code)) {
        watch.reported.add(error.code);
        this.#env.emit('error', { error, during: 'confirm' });
      }
      return undefined;
    }
  }

  /**
   * A chain call, given up after {@link SwitchEnv.ioTimeoutMs} of real time (a guard: clients time out first) and
   * cancelled then: its signal aborts at the timeout and on `stop()`.
   */
  #bounded<T>(work: (signal: AbortSignal) => Promise<T>, parent = this.#env.signal): Promise<T> {
    const ms = this.#env.ioTimeoutMs;
    return withIoTimeout(
      work,
      ms,
      () => {
        throw new TimeoutError(`a chain read did not answer within ${ms} ms`, { isRetryable: true });
      },
      parent,
    );
  }

  #loopOptions() {
    const env = this.#env;
    return {
      clock: env.clock,
      retryMs: env.pollIntervalMs,
      // An attempt that cannot get trusted data within the time a signed one would have is spent.
      deadline: env.clock.now() + env.expiresInMs,
      signal: env.signal,
      report: (error: WitnessTrapError, during: string) => env.emit('error', { error, during }),
      during: 'fire',
    };
  }
}
