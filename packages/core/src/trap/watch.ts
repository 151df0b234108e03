import { linkSignals } from '../abort.js';
import { nodeAvailability } from '../chain/quorum.js';
import type { WitnessTrapError } from '../errors.js';
import type {
  BlockHeaderInfo,
  ChainClient,
  Clock,
  HeadState,
  Logger,
  NodeStatus,
  PublicKeyString,
  WitnessSchedule,
  WitnessState,
} from '../types.js';
import { readUntilTrusted, sleepOrStop } from './decisive-read.js';
import {
  aslotAt,
  nextSlotOf,
  pastSlotOf,
  producerAfterShuffle,
  roundOf,
  type SlotPrediction,
  scheduleIsFor,
  shuffleTime,
  slotTime,
} from './schedule.js';
import type { EmitTrapEvent, FreshReads } from './switch.js';
import type { WatchHealth } from './watch-health.js';

/** Head reads remembered to learn the host clock's offset from the chain's. */
const AGE_SAMPLES = 16;

/** `https://a unavailable since 2026-12-06T03:01:12.000Z (connection refused)`. */
function describeUnavailable(node: NodeStatus): string {
  const since = node.unavailableSince === undefined ? '' : ` since ${new Date(node.unavailableSince).toISOString()}`;
  return `${node.url} unavailable${since} (${node.unavailableReason ?? 'no answer'})`;
}

/** A witness read running beside a head poll (see `SlotWatcher#pairedWitness`). */
interface PairedRead {
  witness: Promise<WitnessState | undefined>;
  cancel: AbortController;
  /** When it was asked (the trap's clock). */
  askedAt: number;
  /** When its answer came in (the trap's clock). */
  settledAt?: number;
}

/** The reads that showed a miss, as a switch takes them (`anchor` only where one is being read). */
function freshReads(witness: WitnessState, head: HeadState, readAt: number, anchor: FreshReads['anchor']): FreshReads {
  return { witness, head, readAt, ...(anchor === undefined ? {} : { anchor }) };
}

/** What a look at one of the witness's slots found. */
export type SlotVerdict =
  /** The witness produced it (or produced after it: its node is alive). */
  | { kind: 'produced'; blockNum: number; key: PublicKeyString }
  /**
   * Certain: a later block arrived without ours, the slot was ours by the schedule, and the chain charged a miss.
   * `fresh` is the decisive reads that showed it, for a switch to sign on at once (see `SwitchRequest.fresh`).
   */
  | { kind: 'missed'; aslot: number; slotTime: number; seenInBlock: number; witness: WitnessState; fresh: FreshReads }
  /** The chain shows a signing key other than the one being watched: a peer instance or a person switched it. */
  | { kind: 'moved'; witness: WitnessState }
  /** The slot turned out not to be ours, or the evidence did not hold up: nothing is counted. */
  | { kind: 'none' };

/** What the watcher needs. */
export interface SlotWatcherOptions {
  witness: string;
  chain: ChainClient;
  clock: Clock;
  blockIntervalMs: number;
  pollIntervalMs: number;
  emit: EmitTrapEvent;
  log: Logger;
  /** The run's abort signal, read at each wait: a trap that is run again after `stop()` gets a new one. */
  signal: () => AbortSignal;
  /** Told what the watch does (slots expected and checked, reads failing), to say when it stalls. */
  health?: WatchHealth;
}

/**
 * Follows the witness's slots at block pace with few reads: per slot one head read half an interval after the slot
 * is due (more only while the block is late) and one witness read, and the schedule once per round. A slot counts as missed
 * only on decisive reads, when all of these hold: the head is past the slot; the witness's `last_aslot` is before
 * it; the slot was the witness's by the schedule in force then; and `total_missed` grew (hived charges a miss when
 * the next block arrives). A node that is stale, lagging or disagreeing never produces a miss: its reads are
 * waited out, and a witness read that does not show the charge yet is re-read for one block interval, then dropped.
 */
export class SlotWatcher {
  readonly #o: SlotWatcherOptions;
  #head: HeadState | undefined;
  /** The trap's clock when `#head` was read. */
  #headAt = Number.NEGATIVE_INFINITY;
  #schedule: { value: WitnessSchedule; round: number } | undefined;
  #lastTotalMissed: number | undefined;
  #nodesSignature = '';
  /** The unavailable nodes last named in a DEGRADED warning ('' while not degraded). */
  #degradedSaid = '';
  /** Local time minus head block time, of the recent head reads. */
  #ages: number[] = [];
  /**
   * When the baseline was read (local ms) and the witness's last produced slot in it, until the first look after
   * it places it in slots (see `#passedSlot`).
   */
  #baselineAt: { at: number; lastAslot: number } | undefined;
  /**
   * The last slot a check gave a verdict on: never checked again. A switch that lands within an interval of the slot
   * that fired it is followed by a baseline read within that interval, and `#passedSlot` would otherwise check that
   * slot again and charge its miss to the new key.
   */
  #checkedAslot: number | undefined;

  constructor(options: SlotWatcherOptions) {
    this.#o = options;
  }

  /** The last trusted head. */
  get head(): HeadState | undefined {
    return this.#head;
  }

  /**
   * Starts counting misses from this witness state (the arming baseline, or the state after a switch), read at
   * `readAt` (local ms; default now): a slot of the witness whose next block may have come after that read (its miss
   * charged after the baseline) is checked even where the head has passed it by the time the watch looks.
   */
  baseline(witness: WitnessState, readAt: number = this.#o.clock.now()): void {
    this.#lastTotalMissed = witness.totalMissed;
    this.#baselineAt = { at: readAt, lastAslot: witness.lastAslot };
  }

  /** A decisive head read, waited out until trusted; emits `block` when the head moved, `nodes` on a change. */
  async readHead(): Promise<HeadState> {
    const { value: head, node } = await this.#read((signal) => this.#o.chain.getHead({ decisive: true, signal }));
    if (this.#head === undefined || head.headBlockNumber !== this.#head.headBlockNumber) {
      this.#o.emit('block', {
        number: head.headBlockNumber,
        witness: head.currentWitness,
        aslot: head.currentAslot,
        time: head.headBlockTime,
        node,
      });
    }
    if (this.#head === undefined || head.headBlockNumber >= this.#head.headBlockNumber) {
      this.#head = head;
      this.#headAt = this.#o.clock.now();
    }
    // A decisive head two blocks or more behind an available node's is held back (by a lagging node, or a frozen
    // one not found out yet): its age measures that node's lag, not the host clock, and would make the trap sleep
    // past its slots. Such a read is no sample (a node claiming a head ahead can only suppress samples, never add).
    const freshest = Math.max(
      Number.NEGATIVE_INFINITY,
      ...this.#o.chain
        .nodes()
        .filter((node) => node.available ?? node.fresh)
        .map((node) => node.headBlockNumber ?? Number.NEGATIVE_INFINITY),
    );
    if (freshest < head.headBlockNumber + 2) {
      this.#ages = [...this.#ages.slice(-(AGE_SAMPLES - 1)), this.#o.clock.now() - head.headBlockTime];
    }
    this.#reportNodes();
    return head;
  }

  /**
   * How far the local clock is ahead of the chain's, as learned from head reads: the smallest "now minus head block
   * time" of the recent reads (a head read just after its block shows the skew alone), leaving out decisive heads
   * held back two blocks or more behind an available node's. Only a skew beyond two
   * intervals counts, which normal block age and propagation never reach; below that the chain's slot times are
   * taken as local times, as they are on a host whose clock is right.
   */
  get clockOffsetMs(): number {
    if (this.#ages.length === 0) return 0;
    const offset = Math.min(...this.#ages);
    return Math.abs(offset) > 2 * this.#o.blockIntervalMs ? offset : 0;
  }

  /** A decisive witness read, waited out until trusted. */
  async readWitness(): Promise<WitnessState | null> {
    const { value } = await this.#read((signal) =>
      this.#o.chain.getWitness(this.#o.witness, { decisive: true, signal }),
    );
    return value;
  }

  /**
   * The witness's next slot from a fresh head, reading the schedule when the round changed. Where the witness is
   * not scheduled in what is known, sleeps until the shuffle and looks again.
   */
  async nextSlot(): Promise<SlotPrediction> {
    const { clock, blockIntervalMs, pollIntervalMs } = this.#o;
    this.#o.health?.looking();
    for (;;) {
      // The head the last check read is reused where it is still current: one read per slot, not two.
      const head =
        this.#head !== undefined && clock.now() - this.#headAt < pollIntervalMs ? this.#head : await this.readHead();
      const schedule = await this.#scheduleFor(head);
      if (schedule === undefined) {
        // At least one poll: while the chain stalls, the slot time stays in the past and this must not spin.
        await this.sleepUntil(slotTime(head, 1, blockIntervalMs) + pollIntervalMs, blockIntervalMs / 2);
        await this.readHead();
        continue;
      }
      const slot = this.#passedSlot(head, schedule) ?? nextSlotOf(this.#o.witness, head, schedule, blockIntervalMs);
      if (slot !== undefined) {
        this.#o.health?.expect(slot, this.clockOffsetMs, this.checkDelayMs);
        this.#o.emit('next-slot', {
          aslot: slot.aslot,
          time: slot.time,
          inMs: slot.time + this.clockOffsetMs - clock.now(),
        });
        return slot;
      }
      this.#o.health?.unscheduled();
      this.#o.log.debug('witness not scheduled in the known rounds; looking again after the shuffle', {
        head: head.headBlockNumber,
      });
      await this.sleepUntil(shuffleTime(head, blockIntervalMs) + blockIntervalMs / 2, blockIntervalMs);
      await this.readHead();
    }
  }

  /**
   * At the first look after a baseline: a slot of the witness that the head has already passed although its miss
   * may not be in the baseline (it was in progress at most an interval before the baseline was read, and hived
   * charges a miss with the next block) and that the baseline does not show produced. The watch was busy while it went by (arming, whose reads wait a block
   * for a node that hangs): said in a warning, and checked at once rather than absorbed into the next slot's count.
   */
  #passedSlot(head: HeadState, schedule: WitnessSchedule): SlotPrediction | undefined {
    const { blockIntervalMs } = this.#o;
    const baseline = this.#baselineAt;
    if (baseline === undefined) return undefined;
    this.#baselineAt = undefined;
    // Not a slot the baseline shows produced, nor one checked already.
    const after = Math.max(
      baseline.lastAslot,
      aslotAt(head, baseline.at - this.clockOffsetMs - blockIntervalMs, blockIntervalMs) - 1,
      this.#checkedAslot ?? Number.NEGATIVE_INFINITY,
    );
    const slot = pastSlotOf(this.#o.witness, head, schedule, after, blockIntervalMs);
    if (slot !== undefined) {
      this.#o.log.warn('a slot of the witness passed while the watch was busy: checking it now', {
        aslot: slot.aslot,
        head: head.headBlockNumber,
        headAslot: head.currentAslot,
      });
    }
    return slot;
  }

  /** How long after a slot is due its check starts: half an interval (at least one poll), when its block is in. */
  get checkDelayMs(): number {
    return Math.max(this.#o.pollIntervalMs, this.#o.blockIntervalMs / 2);
  }

  /**
   * The watch as a stream of steps, slot after slot, for as long as the caller keeps reading: each of the witness's
   * slots is first `predicted` (the caller may act before it, e.g. a pre-emptive switch), then, once due, `checked`
   * with its verdict. `watchedKey` is read at each check (the key on chain may change between slots). Errors that
   * end the watch (a stop, a wake-up) are thrown from the stream; read failures are waited out and reported.
   */
  async *steps(
    watchedKey: () => PublicKeyString,
  ): AsyncGenerator<
    { phase: 'predicted'; slot: SlotPrediction } | { phase: 'checked'; slot: SlotPrediction; verdict: SlotVerdict }
  > {
    for (;;) {
      const slot = await this.nextSlot();
      // A slot already passed (see `#passedSlot`) is only checked: nothing can be done before it any more.
      if (slot.k >= 1) yield { phase: 'predicted', slot };
      await this.sleepUntil(slot.time + this.checkDelayMs);
      yield { phase: 'checked', slot, verdict: await this.checkSlot(slot, watchedKey()) };
    }
  }

  /**
   * Sleeps until the chain's clock shows `time` (a slot time), on the trap's clock: a host clock that is off by
   * more than two intervals ({@link SlotWatcher.clockOffsetMs}) is allowed for, so that a wrong NTP setting does not
   * make the trap look at its slots half a minute early or late.
   */
  async sleepUntil(time: number, atLeastMs = 0): Promise<void> {
    const wait = Math.max(time + this.clockOffsetMs - this.#o.clock.now(), atLeastMs);
    await sleepOrStop(this.#o.clock, wait, this.#o.signal());
  }

  /**
   * Waits until the slot is decided and says how: waits for a head at or past the slot (polling only while that
   * block is due, backing off to one read per interval if the chain stalls), then reads the witness.
   */
  async checkSlot(slot: SlotPrediction, watchedKey: PublicKeyString): Promise<SlotVerdict> {
    const verdict = await this.#check(slot, watchedKey);
    this.#checkedAslot = Math.max(slot.aslot, this.#checkedAslot ?? Number.NEGATIVE_INFINITY);
    const produced = verdict.kind === 'produced' ? true : verdict.kind === 'missed' ? false : undefined;
    this.#o.health?.settled({ aslot: slot.aslot, ...(produced === undefined ? {} : { produced }) });
    if (produced !== undefined) {
      this.#o.emit('slot', {
        witness: this.#o.witness,
        aslot: slot.aslot,
        time: slot.time,
        produced,
        ...(verdict.kind === 'produced' ? { blockNum: verdict.blockNum } : {}),
        checkedAt: this.#o.clock.now(),
      });
    }
    return verdict;
  }

  async #check(slot: SlotPrediction, watchedKey: PublicKeyString): Promise<SlotVerdict> {
    const anchor = new AbortController();
    try {
      const verdict = await this.#checkWith(slot, watchedKey, anchor);
      if (verdict.kind !== 'missed') anchor.abort();
      return verdict;
    } catch (error) {
      anchor.abort();
      throw error;
    }
  }

  /**
   * A switch's TaPoS anchor, read beside the reads that settle a likely miss rather than after them: the header of
   * `head`'s last irreversible block (one decisive read, no retry), `null` where it fails. Cancelled by `cancel`
   * (the slot turned out produced, or not ours) and after four block intervals, so it never runs on unbounded.
   */
  #prefetchAnchor(head: HeadState, cancel: AbortController): FreshReads['anchor'] {
    const blockNum = head.lastIrreversibleBlockNum;
    if (!(blockNum >= 1) || blockNum >= head.headBlockNumber) return undefined;
    const bound = new AbortController();
    const timer = setTimeout(() => bound.abort(), 4 * this.#o.blockIntervalMs);
    timer.unref?.();
    const link = linkSignals([cancel.signal, this.#o.signal(), bound.signal]);
    const header: Promise<BlockHeaderInfo | null> = this.#o.chain
      .getBlockHeader(blockNum, { decisive: true, signal: link.signal })
      .then((read) => read.value)
      .catch(() => null)
      .finally(() => {
        clearTimeout(timer);
        link.dispose();
      });
    return { blockNum, header };
  }

  /**
   * A decisive witness read beside a head poll, waited out until trusted as any witness read; cancelled by its own
   * `cancel` (the head it came with was short of the slot) or the check's (the check ended).
   */
  #pairedWitness(check: AbortController): PairedRead {
    const cancel = new AbortController();
    const askedAt = this.#o.clock.now();
    const link = linkSignals([cancel.signal, check.signal]);
    const witness = this.#read(
      (signal) => this.#o.chain.getWitness(this.#o.witness, { decisive: true, signal }),
      link.signal,
    )
      .finally(link.dispose)
      .then(({ value }) => this.#present(value));
    const read: PairedRead = { witness, cancel, askedAt };
    // A read cancelled unused rejects with nobody waiting: that is its end, not an error.
    witness.then(
      () => {
        read.settledAt = this.#o.clock.now();
      },
      () => undefined,
    );
    return read;
  }

  async #checkWith(slot: SlotPrediction, watchedKey: PublicKeyString, cancel: AbortController): Promise<SlotVerdict> {
    const { clock, blockIntervalMs, pollIntervalMs } = this.#o;
    let head = await this.readHead();
    let delay = pollIntervalMs;
    let lastMove = clock.now();
    let lastNumber = head.headBlockNumber;
    // Once the block after the slot is due, each poll reads the witness beside the head: where the head then shows
    // the slot passed, the witness read that settles it is already in (a node that answers late would otherwise
    // cost that round trip again). One that comes with a head short of the slot is cancelled. The switch's TaPoS
    // anchor is read then too, once: a miss is likely, and the anchor's round trip would otherwise follow the miss.
    let paired: PairedRead | undefined;
    let anchor: FreshReads['anchor'];
    // Whether a slot from the future list was ours: read (the shuffle block's header) as soon as a head at or past
    // the shuffle block is in hand and the block after the slot is due, beside the witness read, not after the head
    // read that shows the slot passed (a slow node's round trip again). Cancelled with the anchor.
    let ours: Promise<boolean> | undefined;
    // A paired witness read that shows the slot's miss charged while the head read beside it was short of the slot:
    // that head read lagged (a caching proxy's backend a block behind; a round-robin balancer can hand the head read
    // the lagging backend at every poll, since each poll sends two reads). The witness read is decisive as any other
    // (a majority of the available nodes agree on it), and hived charges `total_missed` only when a block after the
    // slot is applied: it settles the slot without waiting for a head read that shows it passed, which costs a slow
    // node's round trip again and can land on the lagging backend again. Only a slot from the future list, while the
    // head in hand is short of the shuffle block, still needs the head read (again at once, alone): where the shuffle
    // block landed decides whether the slot was ours. The poll's sleep ends early when that witness read comes in
    // after the head read. Once per check.
    let charged: PairedRead | undefined;
    while (head.currentAslot < slot.aslot) {
      if (clock.now() - lastMove > 2 * blockIntervalMs) delay = Math.min(delay * 2, blockIntervalMs);
      // Once per check: a witness read in hand (or one that comes in during the sleep) that shows the charge.
      const early = charged === undefined ? paired : undefined;
      if (early === undefined) await sleepOrStop(clock, delay, this.#o.signal());
      else if (await this.#pollOrCharged(delay, early, slot)) {
        charged = early;
        if (slot.source === 'current' || head.headBlockNumber >= slot.shuffleBlockNum) {
          this.#o.log.debug('the witness read shows the miss charged, the head read beside it lagged: deciding on it', {
            aslot: slot.aslot,
            head: head.headBlockNumber,
          });
          break;
        }
        this.#o.log.debug('the witness read shows the miss charged, the head read beside it lagged: head read again', {
          aslot: slot.aslot,
          head: head.headBlockNumber,
        });
      }
      if (paired !== charged) paired?.cancel.abort();
      const nextBlockDue = clock.now() >= slot.time + this.clockOffsetMs + blockIntervalMs;
      paired = charged ?? (nextBlockDue ? this.#pairedWitness(cancel) : undefined);
      if (nextBlockDue) anchor ??= this.#prefetchAnchor(head, cancel);
      if (
        nextBlockDue &&
        ours === undefined &&
        slot.source === 'future' &&
        head.headBlockNumber >= slot.shuffleBlockNum
      ) {
        ours = this.#wasOurs(slot, head, cancel.signal);
        // Nobody may be waiting for it where the check ends before the witness read (a slot someone else produced).
        ours.catch(() => undefined);
      }
      head = await this.readHead();
      if (head.headBlockNumber !== lastNumber) {
        lastNumber = head.headBlockNumber;
        lastMove = clock.now();
        delay = pollIntervalMs;
      }
    }
    if (head.currentAslot === slot.aslot && head.currentWitness !== this.#o.witness) {
      paired?.cancel.abort();
      // Someone else produced what we took for our slot. Past the shuffle that is the other list in force (the
      // shuffle came on time, or late); within the round the schedule we hold is not the one in force.
      if (slot.source === 'current') {
        this.#o.log.warn('predicted slot was produced by another witness; re-reading the schedule', {
          aslot: slot.aslot,
          producer: head.currentWitness,
        });
      } else {
        this.#o.log.info("a slot predicted from the next round's list was another witness's: the shuffle came late", {
          aslot: slot.aslot,
          producer: head.currentWitness,
        });
      }
      this.#schedule = undefined;
      return { kind: 'none' };
    }
    // Past the slot without our block: a miss is likely, and a switch would need a TaPoS anchor; it is read now,
    // beside the witness (cancelled if the slot turns out produced or not ours).
    const passed = head.currentAslot > slot.aslot;
    if (passed) anchor ??= this.#prefetchAnchor(head, cancel);
    // The block that showed the miss: the head past the slot, or, where the charged witness read settled it while
    // the head read lagged (the loop above), the block after that head, the earliest that can have charged it.
    const seenInBlock = passed ? head.headBlockNumber : head.headBlockNumber + 1;
    // Whether the slot was ours by the schedule in force (the shuffle block's header, where that decides it) is
    // read beside the witness too, not after it (where the loop has not started that read already).
    if (passed || charged !== undefined) ours ??= this.#wasOurs(slot, head, cancel.signal);
    // Known as soon as it is read: a slot that was not ours ends the cross-check below at once (the watch must not
    // spend an interval on it while the witness's next slot comes).
    let notOurs = false;
    ours?.then(
      (was) => {
        notOurs = !was;
      },
      () => undefined,
    );
    // One witness read per slot even when the head shows our block: a key changed by a peer or a person is seen
    // at the next slot, not only at the next miss.
    // When the witness read was asked: the next one (the cross-check below) keeps a poll interval from it.
    let askedAt = paired?.askedAt ?? clock.now();
    let witness = paired === undefined ? await this.#witnessOrNone() : await paired.witness;
    let witnessAt = clock.now();
    if (witness === undefined) return { kind: 'none' };
    if (witness.signingKey !== watchedKey) return { kind: 'moved', witness };
    if (head.currentAslot === slot.aslot) {
      this.#lastTotalMissed = witness.totalMissed;
      return { kind: 'produced', blockNum: head.headBlockNumber, key: witness.signingKey };
    }
    if (witness.lastAslot >= slot.aslot) {
      this.#lastTotalMissed = witness.totalMissed;
      return { kind: 'produced', blockNum: witness.lastConfirmedBlockNum, key: witness.signingKey };
    }
    // The cross-check: hived charges total_missed when the next block arrives. A node that has not applied that
    // block yet shows the old count; give it one interval, never count on the aslot gap alone. (Whether the slot
    // was ours is being read meanwhile, and settled after it.)
    const deadline = clock.now() + blockIntervalMs;
    while (witness.totalMissed <= (this.#lastTotalMissed ?? witness.totalMissed)) {
      if (notOurs) break;
      if (clock.now() >= deadline) {
        this.#o.log.warn('slot looked missed but total_missed did not move; not counted', { aslot: slot.aslot });
        this.#lastTotalMissed = witness.totalMissed;
        return { kind: 'none' };
      }
      const next = await this.#witnessAPollAfter(askedAt);
      askedAt = next.askedAt;
      if (next.witness === undefined) return { kind: 'none' };
      witness = next.witness;
      witnessAt = next.at;
      if (witness.signingKey !== watchedKey) return { kind: 'moved', witness };
      if (witness.lastAslot >= slot.aslot) {
        this.#lastTotalMissed = witness.totalMissed;
        return { kind: 'produced', blockNum: witness.lastConfirmedBlockNum, key: witness.signingKey };
      }
    }
    if (!(await (ours ?? this.#wasOurs(slot, head)))) {
      this.#lastTotalMissed = witness.totalMissed;
      return { kind: 'none' };
    }
    this.#lastTotalMissed = witness.totalMissed;
    if (nodeAvailability(this.#o.chain.nodes()).degraded) {
      // The first read that showed the miss: a witness read that showed it charged while the head lagged came in
      // before the head read that showed the slot passed.
      const firstAt = Math.min(witnessAt, charged?.settledAt ?? witnessAt);
      return this.#confirmDegraded(slot, seenInBlock, passed, witness, firstAt, watchedKey, anchor);
    }
    return {
      kind: 'missed',
      aslot: slot.aslot,
      slotTime: slot.time,
      seenInBlock,
      witness,
      fresh: freshReads(witness, head, witnessAt, anchor),
    };
  }

  /**
   * Degraded (fewer than a majority of the configured RPC nodes available): a miss counts only where it holds on a
   * second decisive read at least one block later, so that a glitch or a micro-fork on a lone node does not fire.
   * The second look waits for a head past the one that showed the miss (`seenInBlock`, where `headPassed`: that head
   * was past the slot; a miss settled on a charged witness read beside a lagging head has no such head, and its
   * block is not known), or a block interval since the first read showed the miss, whichever comes first (polled,
   * backing off to one read per interval if the chain stalls), then reads the witness again: its block since, or a
   * key moved, or `total_missed` below the first read's for a block interval, and the miss is not counted. Where a
   * majority of the configured nodes is available again meanwhile, a head past the slot on their quorum is enough:
   * that read alone would decide outside degraded mode.
   */
  async #confirmDegraded(
    slot: SlotPrediction,
    seenInBlock: number,
    headPassed: boolean,
    witness: WitnessState,
    firstAt: number,
    watchedKey: PublicKeyString,
    anchor: FreshReads['anchor'],
  ): Promise<SlotVerdict> {
    const { clock, blockIntervalMs, pollIntervalMs } = this.#o;
    const { available, configured } = nodeAvailability(this.#o.chain.nodes());
    this.#o.log.warn('DEGRADED: a miss seen on fewer than a majority of the RPC nodes; confirming it a block later', {
      aslot: slot.aslot,
      seenInBlock,
      available,
      configured,
    });
    // Reads a block apart: the next block, or a block interval after the first read showed the miss, whichever
    // comes first. A node behind a caching proxy shows a new block up to a block or more after it was made (a
    // backend a block behind, a cached answer), so waiting for the next block alone cost the lone node's lag twice;
    // an interval on the clock gives a fork the same time to resolve. Where a majority of the configured nodes is
    // available again by then (a node judged frozen or failing for a moment is back), the read is decisive as any
    // read outside degraded mode: a head past the slot is enough, and it is not held up until every node that came
    // back has also reached the block after the first read (a slow node back from a false "frozen" held a miss up
    // for three blocks that way).
    // A miss first shown by a witness read that showed it charged beside a lagging head has no head past the slot to
    // count a block from: its second read comes a block interval after the first, whatever the head reads show by
    // then (they lag on this node), with a head read just before it for the switch to sign on.
    const toInterval = firstAt + blockIntervalMs - clock.now();
    await sleepOrStop(clock, headPassed ? pollIntervalMs : Math.max(pollIntervalMs, toInterval), this.#o.signal());
    let head = await this.readHead();
    let delay = pollIntervalMs;
    const since = clock.now();
    const passed = (): boolean => head.currentAslot > slot.aslot;
    const recovered = (): boolean => passed() && !nodeAvailability(this.#o.chain.nodes()).degraded;
    const settled = (): boolean =>
      (headPassed && head.headBlockNumber > seenInBlock) ||
      ((passed() || !headPassed) && clock.now() - firstAt >= blockIntervalMs) ||
      recovered();
    while (!settled()) {
      if (clock.now() - since > 2 * blockIntervalMs) delay = Math.min(delay * 2, blockIntervalMs);
      // Not past the moment an interval after the first read.
      const untilInterval = firstAt + blockIntervalMs - clock.now();
      await sleepOrStop(clock, untilInterval > 0 ? Math.min(delay, untilInterval) : delay, this.#o.signal());
      head = await this.readHead();
    }
    const byMajority = head.headBlockNumber <= seenInBlock && recovered();
    let askedAt = clock.now();
    let again = await this.#witnessOrNone();
    let againAt = clock.now();
    // A count below the first read's, with no block of the witness, is a node behind the first read (a caching
    // proxy's backend a block behind, or a cached answer) or a fork that orphaned the block that charged the miss:
    // either way the witness has not produced the slot, and a dead witness's miss is charged again within a block.
    // It is read again, a poll interval apart, for up to a block interval before the miss is given up as a fork's.
    const until = clock.now() + blockIntervalMs;
    while (
      again !== undefined &&
      again.signingKey === watchedKey &&
      again.lastAslot < slot.aslot &&
      again.totalMissed < witness.totalMissed &&
      clock.now() < until
    ) {
      this.#o.log.debug('DEGRADED: total_missed on the second read is below the first read; reading it again', {
        aslot: slot.aslot,
        first: witness.totalMissed,
        second: again.totalMissed,
      });
      ({ witness: again, askedAt, at: againAt } = await this.#witnessAPollAfter(askedAt));
    }
    if (again === undefined) return { kind: 'none' };
    if (again.signingKey !== watchedKey) return { kind: 'moved', witness: again };
    if (again.lastAslot >= slot.aslot) {
      this.#o.log.warn('DEGRADED: the miss did not hold on the second read (a glitch or a fork); not counted', {
        aslot: slot.aslot,
        lastAslot: again.lastAslot,
      });
      this.#lastTotalMissed = again.totalMissed;
      return { kind: 'produced', blockNum: again.lastConfirmedBlockNum, key: again.signingKey };
    }
    if (again.totalMissed < witness.totalMissed) {
      this.#o.log.warn(
        'DEGRADED: total_missed stayed below the first read for a block interval (a fork); the miss is not counted',
        { aslot: slot.aslot },
      );
      this.#lastTotalMissed = again.totalMissed;
      return { kind: 'none' };
    }
    this.#lastTotalMissed = again.totalMissed;
    this.#o.log.info(
      byMajority
        ? 'the miss held on a second read, taken once a majority of the RPC nodes was available again'
        : 'DEGRADED: the miss held on a second read a block later',
      { aslot: slot.aslot, head: head.headBlockNumber },
    );
    return {
      kind: 'missed',
      aslot: slot.aslot,
      slotTime: slot.time,
      seenInBlock,
      witness: again,
      fresh: freshReads(again, head, againAt, anchor),
    };
  }

  /**
   * The witness read again a poll interval after the last read was asked (`askedAt`), not after it answered: a read
   * that took that long already is followed at once. With when this one was asked, and when it answered.
   */
  async #witnessAPollAfter(
    askedAt: number,
  ): Promise<{ witness: WitnessState | undefined; askedAt: number; at: number }> {
    const { clock, pollIntervalMs } = this.#o;
    await sleepOrStop(clock, pollIntervalMs - (clock.now() - askedAt), this.#o.signal());
    const asked = clock.now();
    const witness = await this.#witnessOrNone();
    return { witness, askedAt: asked, at: clock.now() };
  }

  /** Whether a witness read shows `slot` missed and charged: `total_missed` past the last count, no block since. */
  #showsCharge(witness: WitnessState | undefined, slot: SlotPrediction): boolean {
    const last = this.#lastTotalMissed;
    return witness != null && last !== undefined && witness.totalMissed > last && witness.lastAslot < slot.aslot;
  }

  /**
   * A poll's sleep of `ms`, ended early where the witness read `paired` is in, or comes in, showing `slot`'s miss
   * charged (resolves `true` then: at once for a read already in). Its wake-up is unlinked when it ends, whichever
   * way.
   */
  async #pollOrCharged(ms: number, paired: PairedRead, slot: SlotPrediction): Promise<boolean> {
    const stop = this.#o.signal();
    const wake = new AbortController();
    const link = linkSignals([wake.signal, stop]);
    paired.witness.then(
      (witness) => {
        if (this.#showsCharge(witness, slot)) wake.abort();
      },
      () => undefined,
    );
    try {
      await sleepOrStop(this.#o.clock, ms, link.signal);
    } catch (error) {
      if (!wake.signal.aborted || stop?.aborted) throw error;
    } finally {
      link.dispose();
    }
    return wake.signal.aborted;
  }

  /** Forgets the schedule, so that the next look reads it again. */
  forgetSchedule(): void {
    this.#schedule = undefined;
  }

  async #witnessOrNone(): Promise<WitnessState | undefined> {
    return this.#present(await this.readWitness());
  }

  /** The witness as read, or `undefined` (said in a warning) where it is gone from the chain. */
  #present(witness: WitnessState | null): WitnessState | undefined {
    if (witness !== null) return witness;
    this.#o.log.warn('the witness vanished from the chain', { witness: this.#o.witness });
    return undefined;
  }

  /**
   * Whether the slot was the witness's by the schedule actually in force. Slots before the shuffle block are
   * certain; one predicted from the future list is settled by where the shuffle block landed (one header read, read
   * again for up to an interval while a node lagging behind the head has none).
   * While the head is still below the shuffle block, the block has not landed: the current list governs every slot
   * up to the head, so the slot is settled by the current list without a read.
   */
  async #wasOurs(slot: SlotPrediction, head: HeadState, cancel?: AbortSignal): Promise<boolean> {
    if (slot.source === 'current') return true;
    const schedule = this.#schedule;
    if (schedule === undefined) return false;
    if (head.headBlockNumber < slot.shuffleBlockNum) {
      return producerAfterShuffle(slot.aslot, Number.POSITIVE_INFINITY, schedule.value) === this.#o.witness;
    }
    const { clock, blockIntervalMs, pollIntervalMs } = this.#o;
    const read = () =>
      this.#read((signal) => this.#o.chain.getBlockHeader(slot.shuffleBlockNum, { decisive: true, signal }), cancel);
    let { value: header } = await read();
    // The head is at or past the shuffle block, so the block exists: a node that has no header for it yet answers
    // from a backend behind the one that served the head (a caching proxy's). It is asked again for one interval
    // before the slot is given up as not ours.
    const deadline = clock.now() + blockIntervalMs;
    while (header === null && clock.now() < deadline) {
      const link = linkSignals([cancel, this.#o.signal()]);
      try {
        await sleepOrStop(clock, pollIntervalMs, link.signal);
      } finally {
        link.dispose();
      }
      ({ value: header } = await read());
    }
    if (header === null) {
      this.#o.log.warn('the shuffle block has no header on the nodes although the head is past it; slot not counted', {
        aslot: slot.aslot,
        shuffleBlockNum: slot.shuffleBlockNum,
      });
      return false;
    }
    const shuffleAslot = aslotAt(head, header.timestamp, this.#o.blockIntervalMs);
    const producer = producerAfterShuffle(slot.aslot, shuffleAslot, schedule.value);
    if (producer !== this.#o.witness) {
      // A slot predicted from the next round's list that the shuffle, landing late, left to the round before: said,
      // since the watch then counts nothing for it.
      this.#o.log.info(
        "a slot predicted from the next round's list was not the witness's: the shuffle block landed late",
        {
          aslot: slot.aslot,
          shuffleBlockNum: slot.shuffleBlockNum,
          shuffleAslot,
          producer,
          head: head.headBlockNumber,
          headAslot: head.currentAslot,
        },
      );
    }
    return producer === this.#o.witness;
  }

  /**
   * The schedule in force at `head`, read once per round. A schedule read must not straddle a shuffle, or it would
   * be taken for the wrong round: it is taken only where it is for the head's round, however slow the read was (a
   * slow node must not blind the watch: a read that straddled a shuffle shows the next round's shuffle block;
   * `undefined` then: look again after it). It is read at the last block of a round too: the shuffle block's own
   * slot is the current list's, and a watch that first looked there (just armed, or its schedule forgotten) and
   * waited for the shuffle instead never predicted that slot, so a miss in it went unchecked. Behind a caching proxy
   * whose backends are a block apart, the schedule can come from before the shuffle the head is past: it is taken
   * only when its `next_shuffle_block_num` closes the head's own round.
   */
  async #scheduleFor(head: HeadState): Promise<WitnessSchedule | undefined> {
    const round = roundOf(head.headBlockNumber);
    if (this.#schedule?.round === round) return this.#schedule.value;
    const { value } = await this.#read((signal) => this.#o.chain.getSchedule({ decisive: true, signal }));
    if (!scheduleIsFor(value, head)) {
      this.#o.log.debug('schedule read is not for the head it follows (a shuffle between them); reading again', {
        head: head.headBlockNumber,
        nextShuffleBlockNum: value.nextShuffleBlockNum,
      });
      return undefined;
    }
    this.#schedule = { value, round };
    return value;
  }

  #reportNodes(): void {
    const nodes = this.#o.chain.nodes();
    const signature = nodes.map((n) => `${n.url}:${n.available ?? n.fresh}`).join(',');
    if (signature !== this.#nodesSignature) {
      this.#nodesSignature = signature;
      const counts = nodeAvailability(nodes);
      // The first too: a node bad from the start is said at the start, not only once it changes.
      this.#o.emit('nodes', { nodes, ...counts });
      const down = counts.degraded ? nodes.filter((node) => !(node.available ?? node.fresh)) : [];
      const said = down.map((node) => node.url).join(',');
      if (said !== this.#degradedSaid) {
        if (counts.degraded) {
          this.#o.log.warn(
            `DEGRADED: ${counts.available} of ${counts.configured} RPC nodes available (${down.map(describeUnavailable).join('; ')}); deciding on them, a miss must hold on two reads a block apart`,
            { ...counts, unavailable: down.map(describeUnavailable) },
          );
        } else {
          this.#o.log.info(`RPC nodes no longer degraded: ${counts.available} of ${counts.configured} available`, {
            ...counts,
          });
        }
        this.#degradedSaid = said;
      }
    }
  }

  /**
   * A decisive read waited out until trusted; the health monitor hears of failures and of the answer. `cancel` ends
   * it early (a read started beside others whose answer turned out not to be needed), as the run's stop does.
   */
  async #read<T>(read: (signal: AbortSignal) => Promise<T>, cancel?: AbortSignal): Promise<T> {
    // Linked, not AbortSignal.any: the run's signal outlives every read (see abort.ts).
    const link = linkSignals([cancel, this.#o.signal()]);
    const signal = link.signal;
    try {
      const value = await readUntilTrusted(() => read(signal), { ...this.#loop('watch'), signal });
      this.#o.health?.readAnswered();
      return value;
    } finally {
      link.dispose();
    }
  }

  #loop(during: string) {
    return {
      clock: this.#o.clock,
      retryMs: this.#o.pollIntervalMs,
      maxRetryMs: this.#o.blockIntervalMs,
      signal: this.#o.signal(),
      report: (error: WitnessTrapError, step: string) => {
        this.#o.health?.readFailed();
        this.#o.emit('error', { error, during: step });
      },
      during,
    };
  }
}
