import { BroadcastRejectedError, SwitchFailedError, toWitnessTrapError, type WitnessTrapError } from '../errors.js';
import type { SwitchOperation, TrapEvents, TriggerReason } from '../events.js';
import type { NotificationFacts } from '../notify/format.js';
import { buildSwitchOperation } from '../tx/switch-operation.js';
import { buildTransaction, transactionId } from '../tx/transaction.js';
import { buildWitnessUpdateOperation } from '../tx/witness-update-operation.js';
import type {
  ChainClient,
  Clock,
  HeadState,
  NotificationKind,
  PendingSwitch,
  PublicKeyString,
  SignedTransaction,
  Signer,
  SwitchRecord,
  WitnessState,
} from '../types.js';
import { readUntilTrusted, sleepOrStop, TrapStoppedError } from './decisive-read.js';
import { InclusionScan } from './inclusion-scan.js';
import type { SigningPlan } from './key-plan.js';
import { PeerKeyWatch } from './peer-key-watch.js';

/** Emits one typed trap event. */
export type EmitTrapEvent = <K extends keyof TrapEvents>(name: K, payload: TrapEvents[K]) => void;

/** Where the switch machinery keeps what must survive a crash. Implementations report failures, never throw. */
export interface SwitchPersistence {
  /** Saves (or, with `undefined`, clears) the switch in flight. */
  savePending(pending: PendingSwitch | undefined): Promise<void>;
  /** Records a switch that landed and clears the one in flight. */
  recordSwitch(record: SwitchRecord): Promise<void>;
}

/** Everything the fire/confirm machinery needs; the trap and the admin commands build one each. */
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
  /** Signed attempts (each with fresh TaPoS) before giving up. */
  maxAttempts: number;
  dryRun: boolean;
  signal?: AbortSignal;
  emit: EmitTrapEvent;
  notify: (kind: NotificationKind, facts: NotificationFacts) => void;
  persist: SwitchPersistence;
}

/** One switch to make. */
export interface SwitchRequest {
  fromKey: PublicKeyString;
  toKey: PublicKeyString;
  reason: TriggerReason;
  plan: SigningPlan;
  /**
   * Asked before re-signing after an attempt expired unconfirmed: `false` abandons the switch (the reason for it is
   * gone, e.g. the witness produced again). @default always true
   */
  stillWanted?: () => Promise<boolean>;
  /** A switch signed by an earlier run, still valid: rebroadcast this same transaction before signing a new one. */
  resume?: PendingSwitch;
  /** Extra facts for the `fired` notification (the missed slot, the count). */
  facts?: NotificationFacts;
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

/** hived's reasons a transaction can never be included: re-signing with fresh TaPoS is the only way on. */
const UNINCLUDABLE = new Set(['expired', 'tapos', 'transaction_expiration_exception', 'transaction_tapos_exception']);
const UNINCLUDABLE_CODES = new Set([4030100, 4030200]);

/** The chain refused the transaction for good (expired, bad TaPoS, missing authority): it will never land. */
function isFinalRejection(error: WitnessTrapError): boolean {
  if (!(error instanceof BroadcastRejectedError)) return false;
  if (error.dataName !== undefined && UNINCLUDABLE.has(error.dataName)) return true;
  return error.failures.some((f) => {
    const code = (f.error as { dataCode?: number }).dataCode;
    const name = (f.error as { dataName?: string }).dataName;
    return (
      (code !== undefined && UNINCLUDABLE_CODES.has(code)) ||
      name === 'tx_missing_other_auth' ||
      name === 'tx_missing_active_auth'
    );
  });
}

/**
 * The one place a key switch is fired and confirmed; the trap, `switchNow`, `disableWitness` and `enableWitness` all
 * come through here.
 *
 * 1. Reads the witness (decisive). Where the chain no longer shows `fromKey`, someone else switched: adopt it once
 *    it has held for a full block (else, where `fromKey` comes back, it was only pending somewhere: carry on).
 * 2. Signs once, saves the signed transaction as pending (before any broadcast, so a crash can resume it).
 * 3. Broadcasts it to every node; rebroadcasts the SAME transaction while it is valid and not seen on chain.
 * 4. Confirms by inclusion: our transaction id in a block's `transaction_ids`, scanned from the block its TaPoS
 *    refers to up to the head; `blockNum` is that block. Never an RPC `{}`, never the witness object alone: hived's
 *    reads reflect pending transactions, which may yet be dropped. A key someone else set is adopted once it has
 *    held for a full block ({@link PeerKeyWatch}).
 * 5. Past its expiration, unincluded: re-signs with fresh TaPoS while `stillWanted`, up to `maxAttempts`.
 *
 * @throws SwitchFailedError (after a `failed` event) when no attempt landed; TrapStoppedError on `stop()` (the
 * pending switch stays saved for the next start).
 */
export async function executeSwitch(env: SwitchEnv, request: SwitchRequest): Promise<SwitchOutcome> {
  const { clock, emit, witness } = env;
  const started = clock.now();
  const { fromKey, toKey, plan } = request;
  if (request.resume === undefined) emit('triggered', { witness, reason: request.reason, fromKey, toKey });
  let pending = request.resume;
  let attempts = pending === undefined ? 0 : 1;
  // A resumed switch that was broadcast before the restart was announced (`fired`) then: never say it twice.
  const announced = request.resume?.broadcastAt !== undefined;
  const tally: Tally = { broadcasts: 0, accepted: false, refused: false, notified: announced };
  let lastError: WitnessTrapError | undefined;

  for (;;) {
    if (pending === undefined) {
      if (attempts >= env.maxAttempts) break;
      attempts += 1;
      let prepared: Prepared;
      try {
        prepared = await prepareAttempt(env, request);
      } catch (thrown) {
        if (thrown instanceof TrapStoppedError) throw thrown;
        // No trusted read within the attempt's time, or nothing that can sign: the attempt is spent, and a
        // failure that cannot pass (a key the signer lacks) ends the switch at once, loudly.
        lastError = toWitnessTrapError(thrown, 'SWITCH_NOT_PREPARED');
        if (!lastError.isRetryable) break;
        continue;
      }
      if (prepared.kind === 'moved') {
        const adopted = await awaitPeerKey(env, request.fromKey);
        if (adopted !== undefined) {
          return confirm(env, request, {
            onChainKey: adopted.key,
            txId: undefined,
            byPeer: true,
            started,
            attempts,
            blockNum: adopted.head,
          });
        }
        // The key went back (it was only pending somewhere), or it did not settle in time: sign our own.
        continue;
      }
      pending = prepared.pending;
      if (env.dryRun) {
        emit('broadcast', {
          txId: pending.txId,
          operation: plan.operation,
          fromKey,
          toKey,
          acceptedBy: [],
          attempt: 1,
          dryRun: true,
        });
        return { status: 'dry-run', fromKey, toKey, txId: pending.txId, operation: plan.operation, tx: pending.tx };
      }
      await env.persist.savePending(pending);
    }

    const result = await broadcastUntilSettled(env, request, pending, tally);
    if (result.kind === 'included') {
      return confirm(env, request, {
        onChainKey: toKey,
        txId: pending.txId,
        byPeer: false,
        started,
        attempts,
        blockNum: result.blockNum,
      });
    }
    if (result.kind === 'peer') {
      return confirm(env, request, {
        onChainKey: result.key,
        txId: undefined,
        byPeer: true,
        started,
        attempts,
        blockNum: result.head,
      });
    }
    lastError = result.error;
    await env.persist.savePending(undefined);
    pending = undefined;
    if (request.stillWanted !== undefined && !(await request.stillWanted())) {
      return { status: 'abandoned', fromKey, toKey, attempts };
    }
  }

  const error = new SwitchFailedError(
    'SWITCH_NOT_CONFIRMED',
    `the switch of ${witness} from ${fromKey} to ${toKey} did not land after ${attempts} attempt(s)`,
    { cause: lastError, details: { fromKey, toKey, attempts } },
  );
  emit('failed', { witness, fromKey, toKey, attempts, error });
  env.notify('failed', { fromKey, toKey, attempts, error: lastError?.message ?? error.message });
  throw error;
}

type Prepared = { kind: 'moved'; key: PublicKeyString } | { kind: 'signed'; pending: PendingSwitch };

/** Reads the witness and the head (decisive), builds the switch and signs it. */
async function prepareAttempt(env: SwitchEnv, request: SwitchRequest): Promise<Prepared> {
  const { chain, clock, witness } = env;
  const loop = {
    clock,
    retryMs: env.pollIntervalMs,
    // An attempt that cannot get trusted data within the time a signed one would have is spent.
    deadline: clock.now() + env.expiresInMs,
    signal: env.signal,
    report: (error: WitnessTrapError, during: string) => env.emit('error', { error, during }),
    during: 'fire',
  };
  const state = await readUntilTrusted(async () => {
    const { value } = await chain.getWitness(witness, { decisive: true });
    if (value === null) {
      throw new SwitchFailedError('SWITCH_NO_WITNESS', `${witness} is not a witness on this chain`, {
        isRetryable: false,
      });
    }
    return value;
  }, loop);
  if (state.signingKey !== request.fromKey) return { kind: 'moved', key: state.signingKey };
  const { value: head } = await readUntilTrusted(() => chain.getHead({ decisive: true }), loop);
  const operation = buildOperation(request, state);
  const unsigned = buildTransaction(head, [operation], { expiresInMs: env.expiresInMs });
  let tx: SignedTransaction;
  try {
    tx = await env.signer.sign(unsigned, [request.plan.signWith], chain.chainId);
  } catch (error) {
    throw new SwitchFailedError('SWITCH_NOT_SIGNED', `the switch could not be signed with ${request.plan.signWith}`, {
      cause: error,
    });
  }
  return {
    kind: 'signed',
    pending: {
      fromKey: request.fromKey,
      toKey: request.toKey,
      txId: transactionId(tx),
      tx,
      expiresAt: Date.parse(`${tx.expiration}Z`),
      signedAt: clock.now(),
    },
  };
}

function buildOperation(request: SwitchRequest, state: WitnessState) {
  return request.plan.operation === 'witness_set_properties'
    ? buildSwitchOperation(state.owner, request.fromKey, request.toKey)
    : buildWitnessUpdateOperation(state, request.toKey);
}

type Settled =
  | { kind: 'included'; blockNum: number }
  | { kind: 'peer'; key: PublicKeyString; head: number }
  | { kind: 'dead'; error: WitnessTrapError };

/** What the broadcasts of one switch achieved so far. */
interface Tally {
  broadcasts: number;
  /** Some node accepted one of our transactions. */
  accepted: boolean;
  /** Every node refused one of them with a verdict from hived (e.g. the key no longer matched: a peer won). */
  refused: boolean;
  notified: boolean;
}

/**
 * Broadcasts `pending` and watches the chain until a block includes it, someone else's key has held on chain for a
 * full block, or the transaction can no longer land (the head past its expiration with every block up to it read,
 * or refused for good). The broadcast runs beside the watching, never in its way: a node that takes the
 * transaction and never answers cannot hold up the confirmation. The same transaction is rebroadcast every two
 * block intervals while it waits (duplicates are harmless; a node that dropped it gets it again).
 */
async function broadcastUntilSettled(
  env: SwitchEnv,
  request: SwitchRequest,
  pending: PendingSwitch,
  tally: Tally,
): Promise<Settled> {
  const { clock, emit } = env;
  const rebroadcastMs = 2 * env.blockIntervalMs;
  const scan = new InclusionScan(env.chain, pending.tx, pending.txId, env.signal);
  const peer = new PeerKeyWatch();
  let lastBroadcast = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;
  let refused: WitnessTrapError | undefined;
  let lookedAfterRefusal = false;
  let lastError: WitnessTrapError | undefined;
  const send = async (): Promise<void> => {
    const sent = await broadcastOnce(env, pending);
    tally.broadcasts += 1;
    if (sent.acceptedBy.length > 0) tally.accepted = true;
    if (sent.error !== undefined) {
      lastError = sent.error;
      if (isFinalRejection(sent.error) || (sent.error instanceof BroadcastRejectedError && sent.error.dataName)) {
        tally.refused = true;
      }
      if (isFinalRejection(sent.error)) refused = sent.error;
      else emit('error', { error: sent.error, during: 'broadcast' });
    }
    emit('broadcast', {
      txId: pending.txId,
      operation: request.plan.operation,
      fromKey: pending.fromKey,
      toKey: pending.toKey,
      acceptedBy: sent.acceptedBy,
      attempt: tally.broadcasts,
      dryRun: false,
    });
  };
  for (;;) {
    if (inFlight === undefined && refused === undefined && clock.now() - lastBroadcast >= rebroadcastMs) {
      lastBroadcast = clock.now();
      const first = tally.broadcasts === 0 && !tally.notified;
      // A stop() ends the wait for this broadcast; the transaction stays saved as pending.
      inFlight = send()
        .catch(() => undefined)
        .finally(() => {
          inFlight = undefined;
        });
      if (first) {
        tally.notified = true;
        await env.persist.savePending({ ...pending, broadcastAt: lastBroadcast });
        env.notify('fired', {
          ...request.facts,
          fromKey: pending.fromKey,
          toKey: pending.toKey,
          txId: pending.txId,
          operation: request.plan.operation,
          reason: request.reason,
        });
      }
    }
    // A refused transaction is settled by the next reads at once (a peer won, or it never will land); after that
    // look, and while a peer's key is watched through a block, the reads keep their pace.
    if (refused === undefined || peer.watching || lookedAfterRefusal) {
      await sleepOrStop(clock, env.pollIntervalMs, env.signal);
    }
    lookedAfterRefusal = refused !== undefined;
    const head = await readHead(env);
    if (head === undefined) continue;
    const blockNum = await scanTo(env, scan, head.headBlockNumber);
    if (blockNum !== undefined) return { kind: 'included', blockNum };
    const key = await readSigningKey(env);
    if (key === undefined) continue;
    const expired = head.headBlockTime >= pending.expiresAt;
    // Our key shown while ours may still be pending (or about to be read in its block) is not someone else's.
    const maybeOurs =
      key === pending.toKey &&
      refused === undefined &&
      (tally.accepted || !tally.refused) &&
      !(expired && scan.covered(head.headBlockNumber));
    const foreign = key !== pending.fromKey && !maybeOurs;
    if (peer.observe(head.headBlockNumber, foreign ? key : undefined)) {
      return { kind: 'peer', key, head: head.headBlockNumber };
    }
    if (key !== pending.fromKey) continue;
    if (refused !== undefined) return { kind: 'dead', error: refused };
    // The head is past the expiration and every block up to it was read: no block holds it, and none can.
    if (expired && scan.covered(head.headBlockNumber)) {
      return {
        kind: 'dead',
        error:
          lastError ??
          new SwitchFailedError('SWITCH_EXPIRED', `switch ${pending.txId} expired unconfirmed`, { isRetryable: true }),
      };
    }
  }
}

/** What watching a peer's key needs of the switch environment. */
export type PeerReadEnv = Pick<
  SwitchEnv,
  'chain' | 'witness' | 'clock' | 'pollIntervalMs' | 'expiresInMs' | 'signal' | 'emit'
>;

/**
 * Where a read showed a key other than `fromKey` (someone else switched, or a transaction only pending somewhere):
 * watches it until it has held for a full block ({@link PeerKeyWatch}: adopt it; returns it with the head then) or
 * `fromKey` is back (returns `undefined`), within the time a signed switch would have (`undefined` after it).
 */
export async function awaitPeerKey(
  env: PeerReadEnv,
  fromKey: PublicKeyString,
): Promise<{ key: PublicKeyString; head: number } | undefined> {
  const peer = new PeerKeyWatch();
  const deadline = env.clock.now() + env.expiresInMs;
  for (;;) {
    const head = await readHead(env);
    const key = head === undefined ? undefined : await readSigningKey(env);
    if (head !== undefined && key !== undefined) {
      if (key === fromKey) return undefined;
      if (peer.observe(head.headBlockNumber, key)) return { key, head: head.headBlockNumber };
    }
    if (env.clock.now() >= deadline) return undefined;
    await sleepOrStop(env.clock, env.pollIntervalMs, env.signal);
  }
}

/** Carries `scan` on to `head`; a failed block read is reported and retried at the next poll. */
async function scanTo(env: SwitchEnv, scan: InclusionScan, head: number): Promise<number | undefined> {
  try {
    return await scan.upTo(head);
  } catch (error) {
    if (env.signal?.aborted) throw new TrapStoppedError();
    env.emit('error', { error: toWitnessTrapError(error, 'READ_FAILED'), during: 'confirm' });
    return undefined;
  }
}

async function broadcastOnce(
  env: SwitchEnv,
  pending: PendingSwitch,
): Promise<{ acceptedBy: string[]; error?: WitnessTrapError }> {
  try {
    const result = await env.chain.broadcast(pending.tx, { timeoutMs: env.broadcastTimeoutMs, signal: env.signal });
    return { acceptedBy: result.acceptedBy };
  } catch (error) {
    if (env.signal?.aborted) throw new TrapStoppedError();
    return { acceptedBy: [], error: toWitnessTrapError(error, 'BROADCAST_FAILED') };
  }
}

/** The witness's signing key by a decisive read, or `undefined` where no trusted answer came (reported). */
async function readSigningKey(env: PeerReadEnv): Promise<PublicKeyString | undefined> {
  try {
    const { value } = await env.chain.getWitness(env.witness, { decisive: true, signal: env.signal });
    return value?.signingKey;
  } catch (error) {
    if (env.signal?.aborted) throw new TrapStoppedError();
    env.emit('error', { error: toWitnessTrapError(error, 'READ_FAILED'), during: 'confirm' });
    return undefined;
  }
}

/** The head by a decisive read, or `undefined` where no trusted answer came (reported). */
async function readHead(env: PeerReadEnv): Promise<HeadState | undefined> {
  try {
    return (await env.chain.getHead({ decisive: true, signal: env.signal })).value;
  } catch (error) {
    if (env.signal?.aborted) throw new TrapStoppedError();
    env.emit('error', { error: toWitnessTrapError(error, 'READ_FAILED'), during: 'confirm' });
    return undefined;
  }
}

async function confirm(
  env: SwitchEnv,
  request: SwitchRequest,
  seen: {
    onChainKey: PublicKeyString;
    txId: string | undefined;
    byPeer: boolean;
    started: number;
    attempts: number;
    /** The block that included our transaction, or the head at which a peer's key was adopted. */
    blockNum: number;
  },
): Promise<SwitchOutcome> {
  const { clock, witness } = env;
  const elapsedMs = clock.now() - seen.started;
  const record: SwitchRecord = {
    fromKey: request.fromKey,
    toKey: seen.onChainKey,
    at: clock.now(),
    byPeer: seen.byPeer,
    confirmedBlock: seen.blockNum,
    ...(seen.txId === undefined ? {} : { txId: seen.txId }),
  };
  await env.persist.recordSwitch(record);
  const payload: TrapEvents['confirmed'] = {
    witness,
    fromKey: request.fromKey,
    toKey: seen.onChainKey,
    blockNum: seen.blockNum,
    byPeer: seen.byPeer,
    elapsedMs,
    ...(seen.txId === undefined ? {} : { txId: seen.txId }),
  };
  env.emit('confirmed', payload);
  env.notify('confirmed', {
    fromKey: request.fromKey,
    toKey: seen.onChainKey,
    blockNum: seen.blockNum,
    txId: seen.txId,
    byPeer: seen.byPeer,
    elapsedMs,
  });
  return {
    status: 'confirmed',
    fromKey: request.fromKey,
    toKey: seen.onChainKey,
    blockNum: seen.blockNum,
    byPeer: seen.byPeer,
    elapsedMs,
    attempts: seen.attempts,
    operation: request.plan.operation,
    ...(seen.txId === undefined ? {} : { txId: seen.txId }),
  };
}
