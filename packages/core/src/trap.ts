import { EventEmitter } from 'eventemitter3';
import { nodeAvailability } from './chain/quorum.js';
import { systemClock } from './clock.js';
import { SwitchFailedError, toWitnessTrapError, type WitnessTrapError } from './errors.js';
import type { SwitchOperation, TrapEvents, TriggerReason } from './events.js';
import type { NotificationFacts } from './notify/format.js';
import { memoryStateStore } from './state/memory-state-store.js';
import { chainProblems, optionProblems, refusal, resolveActiveKey, type SignerWithActiveKey } from './trap/arming.js';
import { BackupHealth } from './trap/backup-health.js';
import { Carryover } from './trap/carryover.js';
import {
  ConfirmationCodes,
  type ControlCommand,
  ControlDesk,
  type ControlProgress,
  type ControlRefusalCode,
  type ControlResult,
  type KeyRole,
  type ManualSwitchRequest,
  manualTarget,
  type PauseState,
  refusalOf,
  type TrapControl,
} from './trap/control.js';
import { readUntilTrusted, sleepOrStop, TrapStoppedError } from './trap/decisive-read.js';
import { Exhaustion } from './trap/exhaustion.js';
import type { HealthProbe } from './trap/health.js';
import { withIoTimeout } from './trap/io-timeout.js';
import { KeyLedger } from './trap/key-ledger.js';
import { nextBackupKey, type SigningPlan, switchesInWindow } from './trap/key-plan.js';
import { MissLedger } from './trap/miss-policy.js';
import { NextKeyChooser } from './trap/next-key.js';
import { NotifyDispatch } from './trap/notify-dispatch.js';
import { Preemption } from './trap/preemption.js';
import { type PreemptiveOptions, preemptiveProblems } from './trap/preemptive.js';
import { sharedAbortController } from './trap/run-signal.js';
import type { SlotPrediction } from './trap/schedule.js';
import { StateKeeper } from './trap/state-keeper.js';
import { stillMissing, stillMissingSince } from './trap/still-wanted.js';
import {
  adoptPeerSwitch,
  type EmitTrapEvent,
  type FreshReads,
  runSwitch,
  type SwitchEnv,
  type SwitchOutcome,
  type SwitchRequest,
} from './trap/switch.js';
import { SwitchGate } from './trap/switch-gate.js';
import { timingProblems } from './trap/timing-options.js';
import { SlotWatcher } from './trap/watch.js';
import { type TrapHealth, WatchHealth } from './trap/watch-health.js';
import { isNullSigningKey, isValidPublicKey } from './tx/public-key.js';
import {
  type ChainClient,
  type Clock,
  type Logger,
  type NodeStatus,
  type Notifier,
  NULL_SIGNING_KEY,
  type PendingSwitch,
  type PublicKeyString,
  type StateStore,
  type SwitchRecord,
  type WitnessState,
} from './types.js';

/** One-shot: stop after one confirmed switch (the mouse trap). Daemon: re-arm on the new key and keep watching. */
export type TrapMode = 'one-shot' | 'daemon';

/** Options of {@link FailoverTrap}. Durations are milliseconds of the trap's clock. */
export interface FailoverTrapOptions {
  /** The witness account to watch. */
  witness: string;
  /** Reads the chain and broadcasts (`dhiveChainClient`, or the simnet's). */
  chain: ChainClient;
  /**
   * Signs the switch. Holds the signing keys the trap may switch away from and, optionally, the owner's active key
   * (named by an `activeKey` property, as `wifKeyRing` does, or found in the account's active authority).
   */
  signer: SignerWithActiveKey;
  /** The keys to fail over to, in order. The key on chain may be among them: it is then skipped. */
  backupKeys: PublicKeyString[];
  /** Told after each broadcast, confirmation, failure. @default [] */
  notifiers?: Notifier[];
  /** Missed slots, counted after arming, that fire the trap. @default 1 */
  misses?: number;
  /** The window those misses must fall within. @default 3_600_000 (1 h) */
  windowMs?: number;
  /** @default 'one-shot' */
  mode?: TrapMode;
  /** Sign and report the switch, never broadcast it. @default false */
  dryRun?: boolean;
  /** Where the state that must survive a restart lives. @default memoryStateStore() */
  state?: StateStore;
  /** @default systemClock */
  clock?: Clock;
  /** The chain's block interval. @default chain.getBlockInterval() */
  blockIntervalMs?: number;
  /** Head polling while a block is due. @default blockIntervalMs / 10, at least 20 */
  pollIntervalMs?: number;
  /**
   * How long one signed switch is awaited on chain: its expiration. Short, so that an attempt that did not land is
   * re-signed with fresh TaPoS soon; long enough to ride out a few slots missed by other producers. Rounded to
   * whole seconds as hived stores expirations.
   * @default 10 block intervals, at least 3000 (30 s on Hive)
   */
  confirmTimeoutMs?: number;
  /** Per notifier and message, in real time (it bounds a network call, not chain time). @default 10_000 */
  notifyTimeoutMs?: number;
  /** Signed attempts (fresh TaPoS each) before a switch fails. @default 3 */
  maxAttempts?: number;
  /** Per-node broadcast timeout. @default 2 block intervals, at least 1000 */
  broadcastTimeoutMs?: number;
  /**
   * The longest wait for `signer.sign`, real time. An external signer that does not answer spends the attempt (an
   * `error` event), and the next attempt signs again. @default 2 block intervals, at least 2000
   */
  signTimeoutMs?: number;
  /**
   * The longest wait for one state save, real time. A store that cannot save in time is reported (`error`,
   * `STATE_WRITE_TIMEOUT`) and the switch goes out anyway: the chain, not the file, is the truth. @default 1000
   */
  saveTimeoutMs?: number;
  /** `stop()` resolves within this (real time), whatever the run is waiting on. @default 5000 */
  stopTimeoutMs?: number;
  /** Daemon: a key that failed is not switched back to for this long. @default 86_400_000 (24 h) */
  cooldownMs?: number;
  /** Daemon: at most `count` switches within `windowMs` (anti-flap). @default { count: 3, windowMs: 3_600_000 } */
  maxSwitches?: { count: number; windowMs: number };
  /** Daemon: when every backup has failed, set the null key (disable the witness). @default false */
  killSwitch?: boolean;
  /** Health URL of a key's node (backup or primary). A backup whose node is down or far behind is skipped. */
  health?: Record<PublicKeyString, string>;
  /** How a health URL is probed. @default httpHealthProbe (GET, 2xx = up, head from a JSON body) */
  healthProbe?: HealthProbe;
  /** A node further behind our head than this is out of sync. @default 20 */
  healthMaxLagBlocks?: number;
  /**
   * Switch before the slot when the current key's node health URL is dark for `darkChecks` consecutive probes, a
   * probe interval (the poll interval) apart, in a window from `watchSlots` blocks before its slot up to
   * `leadSlots` blocks before it, the last moment a switch still lands first: zero missed blocks for a node dead at
   * least 2 blocks before its slot. A probe unanswered within the interval counts as dark. Needs `health` for the
   * current key. Defaults inside: `{ darkChecks: 3, leadSlots: 1.5, watchSlots: 4 }` (see {@link PreemptiveOptions}).
   * @default false
   */
  preemptive?: false | PreemptiveOptions;
  /** Duplicate notifications (same dedupe key) within this are dropped. @default 3_600_000 */
  notifyDedupeMs?: number;
  /** @default a logger that drops everything */
  log?: Logger;
}

/** How {@link FailoverTrap.run} ended. */
export interface TrapOutcome {
  /**
   * `confirmed`: one-shot, the switch is on chain (ours or a peer's). `dry-run`: one-shot dry run, signed not sent.
   * `stopped`: `stop()` was called. `exhausted`: no key left to switch to (or the kill switch was set).
   */
  status: 'confirmed' | 'dry-run' | 'stopped' | 'exhausted';
  /** Every switch made by this run, in order. */
  switches: SwitchOutcome[];
  /** The last of them. */
  last?: SwitchOutcome;
}

/** A snapshot of the trap, for `witness-trap status` and health endpoints. */
export interface TrapStatus {
  witness: string;
  /** `arm()` succeeded. */
  armed: boolean;
  /** `run()` is in progress. */
  running: boolean;
  mode: TrapMode;
  dryRun: boolean;
  /** The signing key on chain, as the trap last saw it. */
  currentKey?: PublicKeyString;
  /** The key the next switch would go to (cooldowns applied; health is checked when firing). */
  nextKey?: PublicKeyString;
  /** How the next switch would be signed. */
  operation?: SwitchOperation;
  /** The witness's next slot (chain time, epoch ms). */
  nextSlot?: { aslot: number; time: number };
  /** Misses counted in the window now. */
  missesInWindow: number;
  /** Misses that fire the trap. */
  threshold: number;
  /** The last trusted head the trap read. */
  headBlockNumber?: number;
  /** The chain client's view of its RPC nodes. */
  nodes: NodeStatus[];
  /** A switch signed and not yet confirmed (it survives a restart). */
  pending?: Pick<PendingSwitch, 'fromKey' | 'toKey' | 'txId' | 'expiresAt'>;
  /** Switches this trap instance made or adopted. */
  switches: number;
  /** Set while paused ({@link FailoverTrap.pause}): watching, but firing nothing on its own. */
  paused?: PauseState;
  /** Which configured key is on chain: `backup` (with `backupIndex`), `held` (a key we hold: the primary), `null`. */
  keyRole?: KeyRole;
  /** 1-based place of the on-chain key among the backup keys, where `keyRole` is `backup`. */
  backupIndex?: number;
  /** The last miss this trap saw (chain time of the slot, epoch ms). */
  lastMiss?: { aslot: number; slotTime: number; seenInBlock: number };
  /** How many RPC nodes are fresh now (of `nodes.length`): the same as `availableNodes` (its older name). */
  freshNodes: number;
  /** How many RPC nodes are available now (answering, head advancing and near the clock): only they decide. */
  availableNodes: number;
  /** How many RPC nodes are configured. */
  configuredNodes: number;
  /**
   * Fewer than a majority of the configured nodes are available: the trap still decides on the available ones,
   * but a miss must hold on two decisive reads a block apart (see docs/rpc-nodes.md).
   */
  degraded: boolean;
  /** The configured backup keys, in order: the only keys a remote's `switch` may name. */
  backupKeys: PublicKeyString[];
  /** The last switch that landed, from the state (this run's or an earlier one's). */
  lastSwitch?: SwitchRecord;
}

/** The event map in eventemitter3's form: one payload argument per event. */
export type TrapEventArgs = { [K in keyof TrapEvents]: [payload: TrapEvents[K]] };

type Decision =
  | { kind: 'fire'; reason: TriggerReason; facts: NotificationFacts; lastAslot: number; fresh?: FreshReads }
  | { kind: 'moved'; witness: WitnessState }
  | { kind: 'manual'; request: ManualSwitchRequest };

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Automatic failover of a Hive witness's block-signing key. Arm it, run it: on the first missed slot (or the
 * configured count within a window) it switches the signing key to the next backup with `witness_set_properties`
 * (a compare-and-swap: several traps on one witness make exactly one switch), confirms the new key on chain, and
 * tells the operator.
 *
 * Every await on the failover path, from a decided miss to the switch's end, is bounded: health probes (the next-key
 * choice's, trap/next-key.ts), chain reads and the "still wanted?" check (trap/still-wanted.ts) are cancelled when
 * they run past their bound; a state save is reported and left behind (a disk write takes no signal), as is a signer
 * (see trap/switch.ts for the machine's own list). Before a decision, pre-emption's window (trap/preemption.ts) and
 * exhaustion's recovery probe (trap/exhaustion.ts) are bounded the same way, each probe by its timeout. Outside that
 * path, the watch's decisive reads are waited out until a node answers with data the trap may act on, on purpose (a
 * watcher that gives up protects nobody): that wait is never silent, it is reported as `error` events and, past a due
 * slot or a round, as `stalled` ({@link FailoverTrap.health}).
 *
 * The trap decides on the chain client's AVAILABLE RPC nodes (see `dhiveChainClient` and docs/rpc-nodes.md): one
 * node that is down, erroring or frozen never blinds it, nor stops it arming. Where fewer than a majority of the
 * configured nodes are available it runs DEGRADED: a miss counts only where it holds on a second decisive read a
 * block later, and it says so (a warning per change naming each unavailable node and since when, the `nodes` event,
 * `status()` and `health()` with `availableNodes`, `configuredNodes`, `degraded`).
 *
 * @example
 * ```ts
 * const trap = new FailoverTrap({ witness: 'alice', chain, signer, backupKeys: ['STM...'] });
 * trap.on('missed', (e) => console.log(`missed slot ${e.aslot}`));
 * trap.on('confirmed', (e) => console.log(`now signing with ${e.toKey}`));
 * const outcome = await trap.run(); // one-shot: resolves after one confirmed switch
 * ```
 */
export class FailoverTrap extends EventEmitter<TrapEventArgs> implements TrapControl<TrapStatus> {
  readonly #o: FailoverTrapOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #mode: TrapMode;
  readonly #dryRun: boolean;
  /** The firing policy's window, misses since produced, the last miss (trap/miss-policy.ts). */
  readonly #misses: MissLedger;
  readonly #state: StateKeeper;
  readonly #notify: NotifyDispatch;
  #blockIntervalMs = 0;
  #pollIntervalMs = 0;
  #armed: TrapEvents['armed'] | undefined;
  /** The one owner of the on-chain key as last seen, the keys held, and the backup order (trap/key-ledger.ts). */
  readonly #keys: KeyLedger;
  /** A switch an earlier run left pending, or a one-shot run it left cut off (trap/carryover.ts). */
  readonly #carryover: Carryover;
  #controller = sharedAbortController();
  #running: Promise<TrapOutcome> | undefined;
  #watcher: SlotWatcher | undefined;
  #nextSlot: SlotPrediction | undefined;
  #switches: SwitchOutcome[] = [];
  /** What the key nodes' health URLs last showed (trap/backup-health.ts). */
  readonly #backups: BackupHealth;
  /** Every switch of this trap goes through the machine one at a time (trap/switch-gate.ts). */
  readonly #gate = new SwitchGate(() => {
    // Switching, not watching: the watch's health counts again from the watcher's next look.
    this.#watchHealth?.holdOff();
  });
  /** Since when no backup key is usable, what to do then, and the recovery when a key proves up (trap/exhaustion.ts). */
  readonly #exhaustion: Exhaustion;
  /** The pre-emptive check before each slot of the key on chain (trap/preemption.ts). */
  readonly #preemption: Preemption;
  /** The key a failover switches to: cooldowns, health, the active-key path (trap/next-key.ts). */
  readonly #nextKey: NextKeyChooser;
  /** Pause state and manual switches handed to the run loop (see trap/control.ts). */
  readonly #desk = new ControlDesk();
  /** One-time codes of `switch` / `disable` asked with `confirm: true`. */
  readonly #codes = new ConfirmationCodes();
  /** Whether the watch is still checking slots (see trap/watch-health.ts); made at arming. */
  #watchHealth: WatchHealth | undefined;

  constructor(options: FailoverTrapOptions) {
    super();
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? SILENT;
    this.#mode = options.mode ?? 'one-shot';
    this.#dryRun = options.dryRun ?? false;
    this.#misses = new MissLedger(options.misses ?? 1, options.windowMs ?? 3_600_000);
    this.#state = new StateKeeper(
      options.state ?? memoryStateStore(),
      options.witness,
      (error) => this.#emit('error', { error, during: 'state' }),
      options.saveTimeoutMs ?? 1000,
    );
    this.#keys = new KeyLedger({
      backupKeys: options.backupKeys,
      ...(options.cooldownMs === undefined ? {} : { cooldownMs: options.cooldownMs }),
      failedKeys: () => (this.#mode === 'daemon' ? this.#state.snapshot().failedKeys : []),
    });
    this.#backups = new BackupHealth({
      clock: this.#clock,
      backupKeys: options.backupKeys,
      urls: options.health,
      ...(options.healthProbe === undefined ? {} : { probe: options.healthProbe }),
      maxLagBlocks: options.healthMaxLagBlocks ?? 20,
      blockIntervalMs: () => this.#blockIntervalMs,
      headBlockNumber: () => this.#watcher?.head?.headBlockNumber,
    });
    this.#carryover = new Carryover({
      mode: this.#mode,
      log: this.#log,
      headTime: async () => {
        const read = () => options.chain.getHead({ decisive: true });
        return (await readUntilTrusted(read, this.#loop('arm'))).value.headBlockTime;
      },
      drop: () => this.#state.savePending(undefined),
    });
    this.#nextKey = new NextKeyChooser({
      backupKeys: options.backupKeys,
      cooldownMs: options.cooldownMs ?? 86_400_000,
      failedKeys: () => (this.#mode === 'daemon' ? this.#state.snapshot().failedKeys : []),
      health: this.#backups,
      planFor: (key) => this.#keys.planFor(key),
    });
    this.#preemption = new Preemption({
      preemptive: options.preemptive,
      urls: options.health,
      probe: () => this.#backups.options().probe,
      timing: () => ({ blockIntervalMs: this.#blockIntervalMs, pollIntervalMs: this.#pollIntervalMs }),
      clock: this.#clock,
      log: this.#log,
    });
    this.#exhaustion = new Exhaustion({
      backupKeys: options.backupKeys,
      mode: this.#mode,
      killSwitch: options.killSwitch === true,
    });
    this.#notify = new NotifyDispatch({
      witness: options.witness,
      notifiers: options.notifiers ?? [],
      clock: this.#clock,
      timeoutMs: options.notifyTimeoutMs ?? 10_000,
      dedupeMs: options.notifyDedupeMs ?? 3_600_000,
      report: {
        delivered: (notifier, kind, elapsedMs) => this.#emit('notified', { notifier, kind, elapsedMs }),
        failed: (notifier, kind, error) => this.#emit('notify-failed', { notifier, kind, error }),
      },
    });
  }

  /**
   * Reads the chain and decides: which configured key is on chain, which comes next, how the switch will be signed.
   * Reconciles a switch left pending by an earlier run (see {@link FailoverTrap.run}). Broadcasts nothing.
   *
   * @throws ConfigError listing every problem (unknown or disabled witness, no backup key other than the current
   * one, an invalid backup key, no key that can sign the switch).
   */
  async arm(): Promise<TrapEvents['armed']> {
    try {
      return await this.#arm();
    } catch (error) {
      throw toWitnessTrapError(error, 'ARM_FAILED');
    }
  }

  async #arm(): Promise<TrapEvents['armed']> {
    const o = this.#o;
    // Arming again starts from the chain, not from what an earlier arming concluded.
    this.#keys.onChain(undefined, 'arming again');
    this.#carryover.clear();
    const early = [
      ...optionProblems({
        backupKeys: o.backupKeys,
        misses: o.misses ?? 1,
        windowMs: o.windowMs ?? 3_600_000,
      }),
      ...timingProblems(o),
    ];
    this.#blockIntervalMs = o.blockIntervalMs ?? (await o.chain.getBlockInterval());
    this.#pollIntervalMs = o.pollIntervalMs ?? Math.max(20, Math.round(this.#blockIntervalMs / 10));
    const loop = this.#loop('arm', this.#clock.now() + Math.max(30_000, 10 * this.#blockIntervalMs));
    const { value: witness, receivedAt: baselineReadAt } = await readUntilTrusted(
      () => o.chain.getWitness(o.witness, { decisive: true }),
      loop,
    );
    const heldKeys = new Set(await o.signer.publicKeys());
    const needsActive = witness !== null && !heldKeys.has(witness.signingKey);
    const account = needsActive ? (await readUntilTrusted(() => o.chain.getAccount(o.witness), loop)).value : null;
    this.#keys.signing(heldKeys, needsActive ? resolveActiveKey(o.signer, heldKeys, account) : o.signer.activeKey);
    const validBackups = o.backupKeys.filter((k) => typeof k === 'string' && isValidPublicKey(k, k.slice(0, 3)));
    const saved = await this.#state.load();
    const reconciled = witness !== null ? await this.#carryover.reconcile(saved.pending, witness) : 'none';
    if (reconciled === 'resumed' && saved.pending !== undefined) {
      this.#keys.onChain(saved.pending.fromKey, 'a pending switch resumed');
    }
    const resumed = reconciled !== 'none';
    const cutOff =
      !resumed && witness !== null ? this.#carryover.finishCutOffRun(saved.history.at(-1), witness) : undefined;
    if (cutOff !== undefined) this.#keys.onChain(cutOff, 'a cut-off run finished');
    const onChain = this.#keys.current ?? witness?.signingKey;
    const current = witness === null || onChain === undefined ? witness : { ...witness, signingKey: onChain };
    const { problems: late, plan } = chainProblems(
      o.witness,
      current,
      validBackups,
      this.#keys.held,
      this.#keys.active,
    );
    // A one-shot run that finds its switch already on chain is done: nothing left to arm for.
    const doneAlready = this.#carryover.doneAlready(witness);
    const preemptive = o.preemptive ? preemptiveProblems(o.preemptive) : [];
    const problems = [
      ...early,
      ...preemptive.map((message) => ({ code: 'CONFIG_INVALID_OPTION', message })),
      ...(doneAlready ? [] : late),
    ];
    if (problems.length > 0 || plan === undefined || witness === null) throw refusal(problems);
    this.#keys.onChain(plan.currentKey, 'armed');
    if (this.#mode === 'daemon' && this.#keys.active === undefined) {
      const unsignable = validBackups.filter((key) => !this.#keys.held.has(key));
      if (unsignable.length > 0) {
        // Not a refusal (the first failover works), but a daemon on such a key could not switch away again.
        this.#log.warn('no private key held for some backup keys and no active key: no failover away from them', {
          keys: unsignable,
        });
      }
    }
    const now = this.#clock.now();
    this.#misses.reset();
    this.#watchHealth ??= new WatchHealth({
      clock: this.#clock,
      blockIntervalMs: this.#blockIntervalMs,
      emit: this.#emitFn,
      log: this.#log,
    });
    this.#watcher = this.#newWatcher();
    // From when the baseline was read: a slot that passes before the watch first looks is still checked.
    this.#watcher.baseline(witness, baselineReadAt);
    await this.#state.armed(now, witness.totalMissed);
    this.#armed = {
      witness: o.witness,
      currentKey: plan.currentKey,
      nextKey: plan.nextKey ?? plan.currentKey,
      backupKeys: [...o.backupKeys],
      operation: plan.plan?.operation ?? 'witness_update',
      baselineTotalMissed: witness.totalMissed,
      mode: this.#mode,
      dryRun: this.#dryRun,
      resumed,
    };
    this.#emit('armed', this.#armed);
    return this.#armed;
  }

  /**
   * Arms if needed, then watches. One-shot: resolves after one confirmed switch (ours or a peer's), or rejects with
   * a SwitchFailedError after every retry. Daemon: re-arms on the new key after each switch and resolves on
   * {@link FailoverTrap.stop}.
   *
   * Restart safety: a switch saved as pending by an earlier run is reconciled before anything is sent. The chain
   * shows its new key: it is confirmed (a one-shot run is then done). The chain shows another key: adopted. The
   * chain still shows the old key and the transaction has not expired: the SAME signed transaction is rebroadcast
   * and confirmed. Expired: dropped, and the trap fires again only on a new miss, counted after this arming (the
   * miss that fired it is history and the node may be back; firing on it again would act on stale evidence).
   */
  run(): Promise<TrapOutcome> {
    if (this.#running !== undefined) return this.#running;
    if (this.#controller.signal.aborted) this.#controller = sharedAbortController();
    const ticker = new AbortController();
    const stopTicker = () => ticker.abort();
    this.#controller.signal.addEventListener('abort', stopTicker, { once: true });
    void this.#tickHealth(ticker.signal);
    const run = this.#controller.signal;
    this.#running = this.#runLoop().finally(() => {
      ticker.abort();
      run.removeEventListener('abort', stopTicker);
      this.#running = undefined;
      this.#desk.drain(new TrapStoppedError());
    });
    return this.#running;
  }

  /**
   * Stops watching. A switch in flight is not abandoned half-way: its signed transaction is saved as pending before
   * any broadcast, so the next start confirms or rebroadcasts it. Resolves once the run loop has ended and the
   * notifications sent so far are out, or after `stopTimeoutMs` (real time) whatever still hangs (a signer, a
   * disk, a notifier): a stop is never held hostage.
   */
  async stop(): Promise<void> {
    this.#controller.abort(new TrapStoppedError());
    const ms = this.#o.stopTimeoutMs ?? 5000;
    const ended = async () => {
      await this.#running?.catch(() => undefined);
      await this.#notify.idle();
      return true;
    };
    const inTime = await withIoTimeout(ended, ms, () => false);
    if (!inTime) this.#log.warn('stop: gave up waiting for the run to end', { waitedMs: ms });
  }

  /** A snapshot of what the trap knows now. */
  status(): TrapStatus {
    const pending = this.#state.snapshot().pending;
    const head = this.#watcher?.head;
    const current = this.#keys.current;
    return {
      witness: this.#o.witness,
      armed: this.#armed !== undefined,
      running: this.#running !== undefined,
      mode: this.#mode,
      dryRun: this.#dryRun,
      ...(current === undefined ? {} : { currentKey: current }),
      ...(current === undefined ? {} : this.#keys.nextKeyFacts(current, this.#clock.now())),
      ...(this.#nextSlot === undefined ? {} : { nextSlot: { aslot: this.#nextSlot.aslot, time: this.#nextSlot.time } }),
      missesInWindow: this.#misses.policy.countAt(this.#clock.now()),
      threshold: this.#misses.policy.threshold,
      ...(head === undefined ? {} : { headBlockNumber: head.headBlockNumber }),
      nodes: this.#o.chain.nodes(),
      ...(pending === undefined
        ? {}
        : {
            pending: {
              fromKey: pending.fromKey,
              toKey: pending.toKey,
              txId: pending.txId,
              expiresAt: pending.expiresAt,
            },
          }),
      switches: this.#switches.length,
      ...(this.#desk.paused === undefined ? {} : { paused: { ...this.#desk.paused } }),
      ...this.#keys.describe(),
      ...(this.#misses.last === undefined ? {} : { lastMiss: this.#misses.last }),
      freshNodes: this.#o.chain.nodes().filter((node) => node.fresh).length,
      ...this.#nodeCounts(),
      backupKeys: [...this.#o.backupKeys],
      ...(this.#state.snapshot().history.length === 0
        ? {}
        : { lastSwitch: { ...this.#state.snapshot().history.at(-1) } as SwitchRecord }),
    };
  }

  /**
   * Whether the watch is still checking the witness's slots: unhealthy exactly when a due slot check is overdue
   * (no verdict 4 block intervals after the slot) or no slot could be predicted for a round (no usable schedule).
   * Never unhealthy because time passed between reads: the watcher reads rarely between slots on purpose. The
   * change is also told as `stalled` / `unstalled` events (with a log line and an `error` event), evaluated once per
   * block interval while running. Before the first arming there is nothing to check: healthy, with no `lastCheck`.
   *
   * @example
   * ```ts
   * const h = trap.health();
   * res.statusCode = h.healthy ? 200 : 503;
   * res.end(JSON.stringify(h));
   * ```
   */
  health(): TrapHealth {
    return { ...(this.#watchHealth?.snapshot() ?? { healthy: true, problems: [] }), ...this.#nodeCounts() };
  }

  /** The RPC nodes available now, of those configured, and whether the trap runs degraded. */
  #nodeCounts(): { availableNodes: number; configuredNodes: number; degraded: boolean } {
    const { available, configured, degraded } = nodeAvailability(this.#o.chain.nodes());
    return { availableNodes: available, configuredNodes: configured, degraded };
  }

  /**
   * Pauses the trap: it keeps watching (status, events, recoveries, a peer's switch adopted) but fires no automatic
   * switch until {@link FailoverTrap.resume}. A manual switch still works. Emits `paused`.
   * @param options.by - Who asked, e.g. `telegram:12345`. @default 'api'
   * @returns `false` where it was paused already (nothing changed).
   */
  pause(options: { by?: string } = {}): boolean {
    const state = { at: this.#clock.now(), by: options.by ?? 'api' };
    if (!this.#desk.pause(state)) return false;
    this.#log.warn('paused: watching, but not firing', { by: state.by });
    this.#emit('paused', state);
    return true;
  }

  /**
   * Resumes a paused trap. Misses are counted afresh from now (the ones seen while paused never fire it), so the
   * next miss that meets the policy fires. Emits `resumed`.
   * @param options.by - Who asked. @default 'api'
   * @returns `false` where it was not paused.
   */
  resume(options: { by?: string } = {}): boolean {
    if (!this.#desk.resume()) return false;
    const state = { at: this.#clock.now(), by: options.by ?? 'api' };
    this.#misses.reset();
    this.#log.info('resumed: armed again', { by: state.by });
    this.#emit('resumed', state);
    return true;
  }

  /**
   * The control entry point for remotes (Telegram commands, a web UI, custom tooling): `status`, `pause`, `resume`,
   * `switch` (to the next backup, or a configured backup key `to`), `disable` (the null key). Emits `command` on
   * receipt, then `command-refused` or `command-executed`. A switch goes through the very path of an automatic one
   * (the compare-and-swap `witness_set_properties`, confirmation by inclusion, notifications, state), reason
   * `manual`: a running trap runs it in its own loop, between two waits, never beside another switch.
   *
   * @example
   * ```ts
   * const result = await trap.command({ command: 'switch', by: 'api' });
   * if (result.ok) console.log(result.switch?.status); // 'confirmed'
   * else console.log(result.code, result.message); // e.g. 'NOT_A_BACKUP_KEY'
   * ```
   */
  async command(request: ControlCommand, progress?: ControlProgress): Promise<ControlResult> {
    const { command, by } = request;
    const to = request.command === 'switch' ? request.to : undefined;
    this.#emit('command', { command, by, at: this.#clock.now(), ...(to === undefined ? {} : { to }) });
    const refuse = (code: ControlRefusalCode | 'SWITCH_FAILED', message: string): ControlResult => {
      this.#emit('command-refused', { command, by, at: this.#clock.now(), code, message });
      return { ok: false, command, code, message };
    };
    const executed = (made?: SwitchOutcome): ControlResult => {
      const facts =
        made === undefined
          ? {}
          : {
              fromKey: made.fromKey,
              toKey: made.toKey,
              ...('txId' in made && made.txId !== undefined ? { txId: made.txId } : {}),
              ...('blockNum' in made ? { blockNum: made.blockNum } : {}),
            };
      this.#emit('command-executed', { command, by, at: this.#clock.now(), ...facts });
      return { ok: true, command, ...(made === undefined ? {} : { switch: made }) };
    };
    if (command === 'status') return executed();
    if (command === 'pause') return this.pause({ by }) ? executed() : refuse('NO_CHANGE', 'already paused');
    if (command === 'resume') return this.resume({ by }) ? executed() : refuse('NO_CHANGE', 'not paused');
    // A confirmation stands for the switch or disable it was issued for, checked again against the chain now.
    let asked: ControlCommand = request;
    if (request.command === 'confirm') {
      const redeemed = this.#codes.redeem(by, request.code, this.#clock.now());
      if ('code' in redeemed) return refuse(redeemed.code, redeemed.message);
      asked =
        redeemed.command === 'disable' ? { command: 'disable', by } : { command: 'switch', by, to: redeemed.toKey };
    }
    const current = this.#keys.current;
    if (this.#armed === undefined || current === undefined) return refuse('NOT_ARMED', 'the trap has not armed yet');
    if (this.#controller.signal.aborted) return refuse('STOPPED', 'the trap is stopping');
    if (this.#desk.busy) return refuse('BUSY', 'another manual switch is in flight');
    const target = manualTarget(
      asked,
      current,
      this.#o.backupKeys,
      this.#keys.nextKeyFacts(current, this.#clock.now()).nextKey,
    );
    if ('code' in target) return refuse(target.code, target.message);
    if ((asked.command === 'switch' || asked.command === 'disable') && asked.confirm === true) {
      const issued = this.#codes.issue(by, asked.command, target.toKey, this.#clock.now());
      this.#emit('command-pending', {
        command,
        by,
        at: this.#clock.now(),
        toKey: issued.toKey,
        expiresAt: issued.expiresAt,
      });
      const confirmation = { code: issued.code, toKey: issued.toKey, expiresAt: issued.expiresAt };
      return { ok: true, command, confirmation };
    }
    try {
      const outcome =
        this.#running !== undefined
          ? await this.#desk.enqueue(target.toKey, by, progress)
          : await this.#desk.direct(() => this.#withProgress(progress, () => this.switchNow({ to: target.toKey, by })));
      if (outcome.status === 'abandoned') return refuse('SWITCH_FAILED', 'the switch was abandoned');
      return executed(outcome);
    } catch (error) {
      const why = refusalOf(error);
      return refuse(why.code, why.message);
    }
  }

  /**
   * A manual switch (the CLI's `switch`), through the same fire/confirm path as a failover, reason `manual`.
   * @param options.to - The key to switch to. @default the next backup key
   * @throws ConfigError where `to` is not a valid key or is the current one; SwitchFailedError where it did not land.
   */
  async switchNow(options: { to?: PublicKeyString; by?: string } = {}): Promise<SwitchOutcome> {
    if (this.#armed === undefined) await this.arm();
    const state = await this.#readWitnessOrFail();
    this.#keys.onChain(state.signingKey, 'read before a manual switch');
    const to = options.to ?? nextBackupKey({ currentKey: state.signingKey, backupKeys: this.#o.backupKeys, now: 0 });
    if (to === undefined || to === state.signingKey || !isValidPublicKey(to, to.slice(0, 3))) {
      throw refusal([
        {
          code: to === undefined ? 'CONFIG_NO_BACKUP_KEY' : 'CONFIG_INVALID_KEY',
          message:
            to === undefined
              ? 'no backup key to switch to'
              : `cannot switch to ${to}: not a valid key, or already the signing key`,
        },
      ]);
    }
    const outcome = await this.#switchTo({
      fromKey: state.signingKey,
      toKey: to,
      reason: 'manual',
      plan: this.#keys.planFor(state.signingKey),
      ...(options.by === undefined ? {} : { facts: { by: options.by } }),
    });
    if (outcome.status === 'confirmed') {
      // A running daemon watches the new key from here; otherwise the next run arms on it.
      if (this.#running !== undefined && this.#mode === 'daemon') await this.#rearm(outcome.toKey);
      else this.#keys.onChain(outcome.toKey, 'manual switch confirmed');
    }
    return outcome;
  }

  /** Runs `work`, telling `progress` about its broadcast (the switches of a trap never overlap, so it is this one's). */
  async #withProgress<T>(progress: ControlProgress | undefined, work: () => Promise<T>): Promise<T> {
    const onBroadcast = progress?.broadcast;
    if (onBroadcast === undefined) return work();
    let told = false;
    const listener = (event: TrapEvents['broadcast']) => {
      if (told) return;
      told = true;
      try {
        onBroadcast(event);
      } catch (error) {
        this.#log.error('a control progress callback threw', { error: String(error) });
      }
    };
    this.on('broadcast', listener);
    try {
      return await work();
    } finally {
      this.off('broadcast', listener);
    }
  }

  /**
   * A manual switch handed to the run loop: the same machinery as a failover (reason `manual`), then the same
   * aftermath (one-shot: done; daemon: re-armed on the new key; the null key: nothing left to watch). A switch that
   * did not land is reported to whoever asked and does not end the run: the trap keeps guarding the key on chain.
   */
  async #manual(request: ManualSwitchRequest): Promise<TrapOutcome | undefined> {
    let outcome: SwitchOutcome;
    try {
      const witness = await this.#readWitnessOrFail();
      const fromKey = witness.signingKey;
      if (fromKey === request.toKey) {
        throw refusal([{ code: 'CONFIG_INVALID_KEY', message: `${fromKey} is already the signing key` }]);
      }
      outcome = await this.#withProgress(request.progress, () =>
        this.#switchTo({
          fromKey,
          toKey: request.toKey,
          reason: 'manual',
          facts: { by: request.by },
          plan: this.#keys.planFor(fromKey),
        }),
      );
    } catch (error) {
      request.settle({ error: toWitnessTrapError(error) });
      if (error instanceof TrapStoppedError || this.#controller.signal.aborted) throw error;
      return undefined;
    }
    request.settle({ outcome });
    if (outcome.status === 'confirmed' && isNullSigningKey(outcome.toKey)) {
      // Disabled by hand: the witness left the schedule, there is nothing left to watch. Not an exhaustion.
      this.#switches.push(outcome);
      await this.#state.markEnded();
      return this.#end('confirmed', outcome);
    }
    return this.#afterSwitch(outcome);
  }

  /** The watch, interrupted at once when a manual switch is queued (it then becomes the decision). */
  async #watchOrManual(): Promise<Decision> {
    for (;;) {
      const request = this.#desk.take();
      if (request !== undefined) return { kind: 'manual', request };
      try {
        return await this.#watch();
      } catch (error) {
        if (this.#controller.signal.aborted || !this.#desk.waiting) throw error;
      }
    }
  }

  async #runLoop(): Promise<TrapOutcome> {
    try {
      if (this.#armed === undefined) await this.arm();
      const done = this.#carryover.takeFinished();
      if (done !== undefined) {
        this.#switches.push(done);
        if (this.#mode === 'one-shot') {
          await this.#state.markEnded();
          return this.#end('confirmed', done);
        }
      }
      const pending = this.#carryover.takeResume();
      if (pending !== undefined) {
        // Rebroadcasting needs no key; the plan only matters if the saved transaction expires and is re-signed.
        const operation =
          pending.tx.operations[0]?.[0] === 'witness_update' ? 'witness_update' : 'witness_set_properties';
        const plan = this.#keys.planFor(pending.fromKey) ?? { operation, signWith: pending.fromKey };
        const ended = await this.#daemonSurvives(async () => {
          const outcome = await this.#switchTo({
            fromKey: pending.fromKey,
            toKey: pending.toKey,
            reason: 'missed',
            plan,
            resume: pending,
            // The same rule as a live run: re-sign only while the old key is on chain and has not produced since.
            stillWanted: (signal) => this.#stillMissingSince(pending, signal),
          });
          return this.#afterSwitch(outcome);
        });
        if (ended !== undefined) return ended;
      }
      for (;;) {
        const decision = await this.#watchOrManual();
        if (decision.kind === 'fire' && this.#desk.paused !== undefined) {
          // Paused: the evidence is seen and told (`missed`), but acted on only after a resume, on new misses.
          this.#log.warn('paused: not firing', { reason: decision.reason, by: this.#desk.paused.by });
          this.#misses.reset();
          continue;
        }
        const ended = await this.#daemonSurvives(() =>
          decision.kind === 'manual'
            ? this.#manual(decision.request)
            : decision.kind === 'moved'
              ? this.#adopt(decision.witness)
              : this.#failover(decision),
        );
        if (ended !== undefined) return ended;
      }
    } catch (thrown) {
      if (thrown instanceof TrapStoppedError || this.#controller.signal.aborted) {
        return this.#end('stopped');
      }
      const error = toWitnessTrapError(thrown);
      if (!(error instanceof SwitchFailedError)) this.#emit('error', { error, during: 'run' });
      this.#emit('stopped', { reason: error instanceof SwitchFailedError ? 'failed' : 'error', error });
      this.#notify.send('stopped', {
        reason: error instanceof SwitchFailedError ? 'failed' : 'error',
        error: error.message,
      });
      throw error;
    }
  }

  /**
   * A daemon outlives any one switch that did not land, live, resumed after a restart, or on the exhaustion and
   * kill-switch path (a `failed` was already told; anything else is reported here as an `error`): the witness is
   * still missing, and the next miss tries again. A one-shot run ends with the error, as does `stop()`.
   */
  async #daemonSurvives(work: () => Promise<TrapOutcome | undefined>): Promise<TrapOutcome | undefined> {
    try {
      return await work();
    } catch (thrown) {
      if (this.#mode !== 'daemon' || thrown instanceof TrapStoppedError || this.#controller.signal.aborted) {
        throw thrown;
      }
      const error = toWitnessTrapError(thrown);
      if (!(error instanceof SwitchFailedError)) this.#emit('error', { error, during: 'fire' });
      this.#log.warn('a switch did not land; still watching, the next miss tries again', { code: error.code });
      this.#misses.reset();
      return undefined;
    }
  }

  /** While running: the watch's health evaluated once per block interval, so that a stall is told as it starts. */
  async #tickHealth(signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        await sleepOrStop(this.#clock, this.#blockIntervalMs || 3000, signal);
        this.#watchHealth?.evaluate();
      }
    } catch {
      // Ended with the run.
    }
  }

  /** Watches slots until the policy fires, or the chain shows another key. */
  async #watch(): Promise<Decision> {
    const watcher = this.#watcher ?? this.#newWatcher();
    this.#watcher = watcher;
    for await (const step of watcher.steps(() => this.#keys.current ?? '')) {
      if (step.phase === 'predicted') {
        this.#nextSlot = step.slot;
        // Pre-emptive switch: the current key's node dark before its slot (trap/preemption.ts); no miss at all.
        const dark = await this.#preemption.check(step.slot, this.#keys.current, this.#watcher);
        if (dark !== undefined) {
          return {
            kind: 'fire',
            reason: 'preemptive',
            facts: { aslot: dark.aslot },
            lastAslot: Number.POSITIVE_INFINITY,
          };
        }
        continue;
      }
      const { verdict } = step;
      if (this.#o.health !== undefined && this.#keys.current !== undefined) {
        const probing = this.#backups.probe(this.#keys.current).catch(() => undefined);
        // Exhausted (daemon, no kill switch): a key's node proving up is the signal to fail over again, at once.
        if (this.#exhaustion.watching(verdict.kind)) {
          const provedUp = this.#exhaustion.recoveryKey(this.#keys.current, await probing);
          if (provedUp !== undefined) {
            this.#log.warn('a backup node proved up while exhausted: failing over again', { key: provedUp });
            const facts = { misses: this.#misses.sinceProduced };
            return { kind: 'fire', reason: 'missed', facts, lastAslot: Number.POSITIVE_INFINITY };
          }
        }
      }
      if (verdict.kind === 'moved') return verdict;
      if (verdict.kind === 'produced') {
        this.#exhaustion.end();
        if (this.#misses.produced()) {
          this.#emit('recovered', { witness: this.#o.witness, blockNum: verdict.blockNum, key: verdict.key });
          this.#notify.send('recovered', { blockNum: verdict.blockNum, key: verdict.key });
        }
        continue;
      }
      if (verdict.kind !== 'missed') continue;
      const counted = this.#misses.missed({
        aslot: verdict.aslot,
        slotTime: verdict.slotTime,
        seenInBlock: verdict.seenInBlock,
      });
      this.#emit('missed', {
        witness: this.#o.witness,
        aslot: verdict.aslot,
        slotTime: verdict.slotTime,
        seenInBlock: verdict.seenInBlock,
        missesInWindow: counted.missesInWindow,
        threshold: this.#misses.policy.threshold,
        key: verdict.witness.signingKey,
      });
      if (counted.fire) {
        return {
          kind: 'fire',
          reason: 'missed',
          facts: { aslot: verdict.aslot, misses: counted.missesInWindow },
          lastAslot: verdict.witness.lastAslot,
          fresh: verdict.fresh,
        };
      }
    }
    // The watcher's stream never ends on its own: it throws (stop, wake-up) or is left by a decision.
    throw new TrapStoppedError();
  }

  /** The policy fired: choose the next key (cooldowns, caps, health) and switch; returns an outcome when done. */
  async #failover(decision: Extract<Decision, { kind: 'fire' }>): Promise<TrapOutcome | undefined> {
    const fromKey = this.#keys.current ?? '';
    const now = this.#clock.now();
    if (this.#mode === 'daemon') {
      await this.#state.keyFailed(fromKey, now);
      const cap = this.#o.maxSwitches ?? { count: 3, windowMs: 3_600_000 };
      if (switchesInWindow(this.#state.snapshot().history, now, cap.windowMs) >= cap.count) {
        const error = new SwitchFailedError(
          'SWITCH_CAP_REACHED',
          `${cap.count} switches within ${cap.windowMs} ms already: not switching again (anti-flap)`,
        );
        this.#emit('error', { error, during: 'fire' });
        this.#notify.send('failed', { fromKey, error: error.message });
        this.#misses.reset();
        return undefined;
      }
    }
    const toKey = await this.#nextKey.choose(fromKey, now);
    if (toKey === undefined) return this.#exhausted(fromKey, decision);
    this.#exhaustion.end();
    const outcome = await this.#switchTo({
      fromKey,
      toKey,
      reason: decision.reason,
      facts: decision.facts,
      plan: this.#keys.planFor(fromKey),
      stillWanted: (signal) => this.#stillMissing(fromKey, decision.lastAslot, signal),
      ...(this.#watcher?.head === undefined ? {} : { anchorHint: this.#watcher.head }),
      ...(decision.fresh === undefined ? {} : { fresh: decision.fresh }),
    });
    return await this.#afterSwitch(outcome);
  }

  /**
   * Every backup has failed or is down (as probed just now): say so loudly. With the kill switch (daemon), set the
   * null key and end. Without it, a daemon keeps watching and alerting: it fails over again as soon as a key's node
   * proves it is up (its health URL, probed after each slot) or the witness produces again (`recovered`).
   */
  async #exhausted(fromKey: PublicKeyString, decision: Extract<Decision, { kind: 'fire' }>) {
    const { triedKeys, killSwitch, alert, next } = this.#exhaustion.enter(fromKey, this.#clock.now());
    // One alert per episode: the daemon re-checks at every miss, and says it again only after a recovery.
    if (alert) {
      this.#emit('exhausted', { witness: this.#o.witness, triedKeys, killSwitch });
      this.#notify.send('exhausted', { triedKeys: triedKeys.join(','), killSwitch });
    }
    if (next === 'end') return this.#end('exhausted');
    if (next === 'watch') {
      this.#log.warn('no usable backup key: still watching; will fail over as soon as a key proves up', {
        triedKeys,
      });
      this.#misses.reset();
      return undefined;
    }
    const outcome = await this.#switchTo({
      fromKey,
      toKey: NULL_SIGNING_KEY,
      reason: 'kill-switch',
      facts: decision.facts,
      plan: this.#keys.planFor(fromKey),
    });
    if (outcome.status === 'confirmed') this.#switches.push(outcome);
    return this.#end('exhausted', outcome);
  }

  /** After a switch: one-shot ends; daemon re-arms on the key now on chain. */
  async #afterSwitch(outcome: SwitchOutcome): Promise<TrapOutcome | undefined> {
    if (outcome.status === 'abandoned') {
      this.#misses.reset();
      return undefined;
    }
    this.#switches.push(outcome);
    if (outcome.status === 'dry-run') {
      if (this.#mode === 'one-shot') return this.#end('dry-run', outcome);
      this.#misses.reset();
      return undefined;
    }
    if (this.#mode === 'one-shot') {
      await this.#state.markEnded();
      return this.#end('confirmed', outcome);
    }
    return this.#rearm(outcome.toKey);
  }

  /**
   * The chain shows a key we did not set while watching: a peer instance or a person switched. Adopted through the
   * switch machine once it has held for a full block (recorded and announced there); dropped if it reverts.
   */
  async #adopt(seen: WitnessState): Promise<TrapOutcome | undefined> {
    const outcome = await this.#gate.run(() =>
      adoptPeerSwitch(this.#switchEnv(), this.#keys.current ?? '', seen.signingKey),
    );
    return this.#afterSwitch(outcome);
  }

  /** Daemon: watch the new key. A disabled witness (null key) cannot miss: the run ends. */
  async #rearm(key: PublicKeyString): Promise<TrapOutcome | undefined> {
    this.#keys.onChain(key, 'switched');
    this.#misses.reset();
    if (isNullSigningKey(key)) return this.#end('exhausted', this.#switches.at(-1));
    const witness = await this.#readWitnessOrFail();
    this.#watcher?.baseline(witness);
    this.#keys.onChain(witness.signingKey, 're-armed');
    const next = this.#keys.nextKeyFacts(witness.signingKey, this.#clock.now());
    this.#armed = {
      ...(this.#armed as TrapEvents['armed']),
      currentKey: witness.signingKey,
      nextKey: next.nextKey ?? witness.signingKey,
      operation: next.operation ?? 'witness_update',
      baselineTotalMissed: witness.totalMissed,
      resumed: false,
    };
    await this.#state.armed(this.#clock.now(), witness.totalMissed);
    this.#emit('armed', this.#armed);
    return undefined;
  }

  /**
   * The one entry point of this trap into the switch machine: "switch from `fromKey` to `toKey` now". Automatic
   * failovers, the kill switch, a resumed switch and manual switches ({@link FailoverTrap.switchNow}, remote
   * control) all come through here, one at a time.
   * @throws ConfigError where no key can sign the switch; SwitchFailedError where it did not land.
   */
  #switchTo(request: Omit<SwitchRequest, 'plan'> & { plan: SigningPlan | undefined }): Promise<SwitchOutcome> {
    const { plan } = request;
    if (plan === undefined) {
      throw refusal([
        { code: 'CONFIG_NO_SIGNING_KEY', message: `no private key held for ${request.fromKey}, and no active key` },
      ]);
    }
    return this.#gate.run(() => runSwitch(this.#switchEnv(), { ...request, plan }));
  }

  #switchEnv(): SwitchEnv {
    const interval = this.#blockIntervalMs;
    return {
      chain: this.#o.chain,
      signer: this.#o.signer,
      witness: this.#o.witness,
      clock: this.#clock,
      blockIntervalMs: interval,
      pollIntervalMs: this.#pollIntervalMs,
      expiresInMs: this.#o.confirmTimeoutMs ?? Math.max(3000, 10 * interval),
      broadcastTimeoutMs: this.#o.broadcastTimeoutMs ?? Math.max(1000, 2 * interval),
      signTimeoutMs: this.#o.signTimeoutMs ?? Math.max(2000, 2 * interval),
      ioTimeoutMs: Math.max(10_000, 5 * interval),
      maxAttempts: this.#o.maxAttempts ?? 3,
      dryRun: this.#dryRun,
      signal: this.#controller.signal,
      emit: this.#emitFn,
      notify: (kind, facts) => this.#notify.send(kind, facts),
      persist: this.#state,
      log: this.#log,
    };
  }

  /** Asked before re-signing a live switch (trap/still-wanted.ts). */
  async #stillMissing(fromKey: PublicKeyString, lastAslot: number, signal: AbortSignal): Promise<boolean> {
    return stillMissing(await this.#readWitnessOrFail(signal), fromKey, lastAslot);
  }

  /** Asked before re-signing a switch resumed after a restart (trap/still-wanted.ts). */
  async #stillMissingSince(pending: PendingSwitch, signal: AbortSignal): Promise<boolean> {
    return stillMissingSince(await this.#readWitnessOrFail(signal), pending, async () => {
      const read = () => this.#o.chain.getHead({ decisive: true, signal });
      return (await readUntilTrusted(read, { ...this.#loop('fire'), signal })).value.headBlockNumber;
    });
  }

  async #readWitnessOrFail(signal?: AbortSignal): Promise<WitnessState> {
    const { value } = await readUntilTrusted(
      () => this.#o.chain.getWitness(this.#o.witness, { decisive: true, ...(signal === undefined ? {} : { signal }) }),
      { ...this.#loop('watch'), ...(signal === undefined ? {} : { signal }) },
    );
    if (value === null)
      throw refusal([{ code: 'CONFIG_UNKNOWN_WITNESS', message: `${this.#o.witness} is not a witness` }]);
    return value;
  }

  #newWatcher(): SlotWatcher {
    return new SlotWatcher({
      witness: this.#o.witness,
      chain: this.#o.chain,
      clock: this.#clock,
      blockIntervalMs: this.#blockIntervalMs,
      pollIntervalMs: this.#pollIntervalMs,
      emit: this.#emitFn,
      log: this.#log,
      signal: () => this.#desk.wakeSignal(this.#controller.signal),
      ...(this.#watchHealth === undefined ? {} : { health: this.#watchHealth }),
    });
  }

  #loop(during: string, deadline?: number) {
    return {
      clock: this.#clock,
      retryMs: this.#pollIntervalMs || 100,
      maxRetryMs: this.#blockIntervalMs || 3000,
      signal: this.#controller.signal,
      report: (error: WitnessTrapError, step: string) => this.#emit('error', { error, during: step }),
      during,
      ...(deadline === undefined ? {} : { deadline }),
    };
  }

  #end(status: TrapOutcome['status'], last?: SwitchOutcome): TrapOutcome {
    const reason = status === 'stopped' ? 'requested' : status === 'dry-run' ? 'confirmed' : status;
    this.#emit('stopped', { reason });
    return { status, switches: [...this.#switches], ...(last === undefined ? {} : { last }) };
  }

  readonly #emitFn: EmitTrapEvent = (name, payload) => this.#emit(name, payload);

  /** Emits without letting a listener's exception reach the failover. */
  #emit<K extends keyof TrapEvents>(name: K, payload: TrapEvents[K]): void {
    try {
      (this.emit as (event: K, arg: TrapEvents[K]) => boolean)(name, payload);
    } catch (error) {
      this.#log.error('an event listener threw', { event: name, error: String(error) });
    }
  }
}
