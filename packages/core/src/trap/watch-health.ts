/**
 * The watch's own health: is the trap still looking at the witness's slots? Unhealthy exactly when a due slot check
 * is overdue, or no slot could be predicted for a whole round (no usable schedule). Time between reads is never a
 * problem by itself: the watcher reads rarely between slots on purpose (a few calls per round).
 *
 * The slot watcher tells it what it does (a slot expected, a slot checked, a round without the witness, reads
 * failing or answering); {@link WatchHealth.evaluate} turns that and the clock into a verdict, emits `stalled` when
 * the watch becomes unhealthy and `unstalled` when it recovers, and logs both. The trap evaluates it on a ticker
 * (once per block interval while running) and on every {@link WatchHealth.snapshot}.
 */
import { WitnessTrapError } from '../errors.js';
import type { TrapEvents } from '../events.js';
import type { Clock, Logger } from '../types.js';
import type { SlotPrediction } from './schedule.js';
import type { EmitTrapEvent } from './switch.js';

/** A slot check is overdue once this many block intervals have passed since its slot without a verdict. */
export const CHECK_OVERDUE_BLOCKS = 4;

/** Rounds without any usable schedule before the watch says it predicts nothing. */
const ROUND_BLOCKS = 21;

/**
 * The watch's health, from {@link FailoverTrap.health}: for `/healthz`, status lines and alerts.
 *
 * @example
 * ```ts
 * const h = trap.health();
 * if (!h.healthy) console.error(`watch stalled: ${h.problems.join('; ')}`);
 * ```
 */
export interface TrapHealth {
  /** `false` exactly when a due slot check is overdue, or no slot is predicted for a round. */
  healthy: boolean;
  /** Why it is unhealthy, one sentence each (empty when healthy). */
  problems: string[];
  /** The last slot of the witness the watcher checked: its absolute slot, produced or missed, when (local ms). */
  lastCheck?: { aslot: number; produced: boolean; at: number };
  /** When (local epoch ms) the check of the next predicted slot is due. */
  nextCheckAt?: number;
  /** RPC nodes available now (set by `FailoverTrap#health()`). */
  availableNodes?: number;
  /** RPC nodes configured (set by `FailoverTrap#health()`). */
  configuredNodes?: number;
  /**
   * Fewer than a majority of the configured RPC nodes are available (set by `FailoverTrap#health()`): the trap
   * still decides, and stays healthy, but a miss must hold on two reads a block apart.
   */
  degraded?: boolean;
}

/** What the health monitor needs. */
export interface WatchHealthOptions {
  clock: Clock;
  blockIntervalMs: number;
  emit: EmitTrapEvent;
  log: Logger;
}

type StallReason = TrapEvents['stalled']['reason'];

/** The one owner of the watch's health state (see the file's header). */
export class WatchHealth {
  readonly #o: WatchHealthOptions;
  /** The slot expected next, with when its check is due and when it is overdue (local ms). */
  #expected: { aslot: number; dueAt: number; overdueAt: number } | undefined;
  /** Since when the watcher has been looking for a slot without a usable schedule (local ms). */
  #lookingSince: number | undefined;
  /** Since when every decisive read has failed (local ms); cleared by one that answers. */
  #failingSince: number | undefined;
  #lastCheck: TrapHealth['lastCheck'];
  /** The stall being reported, with when it began. */
  #stall: { reason: StallReason; since: number } | undefined;

  constructor(options: WatchHealthOptions) {
    this.#o = options;
  }

  /** The watcher starts looking for the next slot (a new run, or after a check). */
  looking(): void {
    this.#expected = undefined;
    this.#lookingSince ??= this.#o.clock.now();
  }

  /**
   * The trap is busy with a switch, not watching: no slot is expected until the watcher looks again (a switch that
   * takes longer than a round is told by the switch's own events, not as a stalled watch).
   */
  holdOff(): void {
    this.#expected = undefined;
    this.#lookingSince = undefined;
    this.evaluate();
  }

  /** The watcher read a usable schedule and the witness has no slot in it: nothing to check this round, by design. */
  unscheduled(): void {
    this.#lookingSince = this.#o.clock.now();
  }

  /** A slot was predicted; `offsetMs` is the host clock's offset from the chain's (the watcher's `clockOffsetMs`). */
  expect(slot: SlotPrediction, offsetMs: number, checkDelayMs: number): void {
    const at = slot.time + offsetMs;
    this.#lookingSince = undefined;
    this.#expected = {
      aslot: slot.aslot,
      dueAt: at + checkDelayMs,
      overdueAt: at + CHECK_OVERDUE_BLOCKS * this.#o.blockIntervalMs,
    };
    this.evaluate();
  }

  /** The watcher settled a slot it expected (produced, missed, or not the witness's after all). */
  settled(verdict: { aslot: number; produced?: boolean }): void {
    if (verdict.produced !== undefined) {
      this.#lastCheck = { aslot: verdict.aslot, produced: verdict.produced, at: this.#o.clock.now() };
    }
    this.#expected = undefined;
    this.#lookingSince = this.#o.clock.now();
    this.evaluate();
  }

  /** A decisive read failed (after the client's own retries across nodes). */
  readFailed(): void {
    this.#failingSince ??= this.#o.clock.now();
  }

  /** A decisive read answered with data the trap may act on. */
  readAnswered(): void {
    this.#failingSince = undefined;
  }

  /** The health now; emits `stalled` / `unstalled` on a change. */
  evaluate(): TrapHealth {
    const now = this.#o.clock.now();
    const problems: string[] = [];
    let reason: StallReason | undefined;
    let since = now;
    let aslot: number | undefined;
    const expected = this.#expected;
    if (expected !== undefined && now > expected.overdueAt) {
      reason = 'check-overdue';
      since = expected.overdueAt;
      aslot = expected.aslot;
      problems.push(`the check of slot ${expected.aslot} is overdue by ${Math.round((now - expected.dueAt) / 1000)} s`);
    }
    const roundMs = (ROUND_BLOCKS + 1) * this.#o.blockIntervalMs;
    if (expected === undefined && this.#lookingSince !== undefined && now - this.#lookingSince > roundMs) {
      reason = 'no-slot-predicted';
      since = this.#lookingSince + roundMs;
      problems.push(
        `no slot of the witness predicted for ${Math.round((now - this.#lookingSince) / 1000)} s (no usable schedule)`,
      );
    }
    if (reason !== undefined && this.#failingSince !== undefined) {
      // The cause, where there is one: the chain cannot be read.
      reason = 'reads-failing';
      problems.push(`decisive reads failing since ${new Date(this.#failingSince).toISOString()}`);
    }
    this.#report(reason, since, aslot, problems);
    return {
      healthy: problems.length === 0,
      problems,
      ...(this.#lastCheck === undefined ? {} : { lastCheck: { ...this.#lastCheck } }),
      ...(expected === undefined ? {} : { nextCheckAt: expected.dueAt }),
    };
  }

  /** The health now, as {@link FailoverTrap.health} returns it. */
  snapshot(): TrapHealth {
    return this.evaluate();
  }

  #report(reason: StallReason | undefined, since: number, aslot: number | undefined, problems: string[]): void {
    const { emit, log } = this.#o;
    if (reason === undefined) {
      const stall = this.#stall;
      if (stall === undefined) return;
      this.#stall = undefined;
      const at = this.#o.clock.now();
      log.info('the watch is checking slots again', { stalledSince: stall.since, forMs: at - stall.since });
      emit('unstalled', { since: stall.since, at });
      return;
    }
    if (this.#stall?.reason === reason) return;
    this.#stall = { reason, since: this.#stall?.since ?? since };
    const message = `watch stalled: ${problems.join('; ')}`;
    log.warn(message, { reason, since: this.#stall.since, ...(aslot === undefined ? {} : { aslot }) });
    emit('stalled', { reason, since: this.#stall.since, message, ...(aslot === undefined ? {} : { aslot }) });
    emit('error', {
      error: new WitnessTrapError('WATCH_STALLED', message, 'runtime', { isRetryable: true, details: { reason } }),
      during: 'watch',
    });
  }
}
