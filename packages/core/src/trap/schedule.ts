import type { HeadState, WitnessSchedule } from '../types.js';

/**
 * hived reshuffles the schedule after every block whose number is a multiple of this (`HIVE_MAX_WITNESSES`),
 * whatever `next_shuffle_block_num` says: witness_schedule.cpp tests `head_block_num() % HIVE_MAX_WITNESSES == 0`.
 */
export const SHUFFLE_PERIOD_BLOCKS = 21;

/**
 * How many missed slots before a shuffle the trap allows for when it projects the witness's next slot: a slot that
 * the current list would give the witness only if at least this many slots before the shuffle block were missed is
 * not watched (watching it costs a head read in every round where it turns out to be someone else's; a round with
 * more than three misses in its last blocks is rare on Hive, and then the miss is seen at the next slot instead).
 */
export const DELAYED_ROUND_MAX_MISSES = 3;

/** Which schedule a slot's producer comes from. */
export type ScheduleSource = 'current' | 'future';

/** One of a witness's future slots, predicted from a head and a schedule. */
export interface SlotPrediction {
  /** The absolute slot. */
  aslot: number;
  /** When it is due, epoch ms. */
  time: number;
  /** Slots after the head (1 = the very next one). */
  k: number;
  /**
   * `future`: the slot lies past the slot the next shuffle block is due in. Whose it is depends on where that block
   * lands (every missed slot before it delays it by one): the witness's by `future_shuffled_witnesses` if the
   * shuffle came on time, or by the current list if enough slots were missed first. A miss found there must be
   * re-checked against where the shuffle block actually landed ({@link producerAfterShuffle}).
   */
  source: ScheduleSource;
  /** The number of the block after which the schedule changes (a multiple of 21). */
  shuffleBlockNum: number;
}

/**
 * The number of the block after which the next shuffle happens: the smallest multiple of 21 above `headBlockNumber`.
 *
 * @example
 * nextShuffleBlock(41); // 42
 * nextShuffleBlock(42); // 63: block 42's own shuffle is already in force
 */
export function nextShuffleBlock(headBlockNumber: number): number {
  return (Math.floor(headBlockNumber / SHUFFLE_PERIOD_BLOCKS) + 1) * SHUFFLE_PERIOD_BLOCKS;
}

/** The round a head is in: heads of one round share one schedule. */
export function roundOf(headBlockNumber: number): number {
  return Math.floor(headBlockNumber / SHUFFLE_PERIOD_BLOCKS);
}

/**
 * Whether `schedule` is the one in force at `head`: its `next_shuffle_block_num` closes the head's round. A read
 * served by a backend (or a proxy cache) from before the last shuffle says the head's own block number, or less.
 *
 * @example
 * scheduleIsFor({ nextShuffleBlockNum: 63, ... }, { headBlockNumber: 42, ... }); // true
 * scheduleIsFor({ nextShuffleBlockNum: 42, ... }, { headBlockNumber: 42, ... }); // false: the round before
 */
export function scheduleIsFor(
  schedule: Pick<WitnessSchedule, 'nextShuffleBlockNum'>,
  head: Pick<HeadState, 'headBlockNumber'>,
): boolean {
  return (
    schedule.nextShuffleBlockNum > head.headBlockNumber &&
    roundOf(schedule.nextShuffleBlockNum - 1) === roundOf(head.headBlockNumber)
  );
}

/**
 * When slot `k` after the head is due, as hived's `get_slot_time`: the head's slot time (its block time rounded
 * down to the interval) plus `k` intervals.
 */
export function slotTime(head: Pick<HeadState, 'headBlockTime'>, k: number, blockIntervalMs: number): number {
  return Math.floor(head.headBlockTime / blockIntervalMs) * blockIntervalMs + k * blockIntervalMs;
}

/** The absolute slot due at `time` (the slot whose start is at or before it), counted from the head. */
export function aslotAt(
  head: Pick<HeadState, 'headBlockTime' | 'currentAslot'>,
  time: number,
  blockIntervalMs: number,
): number {
  const headSlotTime = Math.floor(head.headBlockTime / blockIntervalMs) * blockIntervalMs;
  return head.currentAslot + Math.floor((time - headSlotTime) / blockIntervalMs);
}

/** The scheduled witnesses of a list, without hived's empty padding. */
function scheduled(names: readonly string[], count?: number): string[] {
  const limit = count === undefined ? names.length : Math.min(count, names.length);
  return names.slice(0, limit).filter((name) => name !== '');
}

/**
 * Who produces absolute slot `aslot`, seen from `head` with `schedule` (the schedule in force at that head).
 * Slots up to the shuffle block are certain: however many slots are missed first, the shuffle cannot come earlier.
 * Slots after it come from `futureShuffledWitnesses` and hold only if none is missed before the shuffle.
 * `undefined` for slots at or before the head and beyond what the schedule knows.
 */
export function producerOf(
  aslot: number,
  head: Pick<HeadState, 'headBlockNumber' | 'currentAslot'>,
  schedule: WitnessSchedule,
): { producer: string; source: ScheduleSource } | undefined {
  const k = aslot - head.currentAslot;
  if (k < 1) return undefined;
  const blocksLeft = nextShuffleBlock(head.headBlockNumber) - head.headBlockNumber;
  if (k <= blocksLeft) {
    const current = scheduled(schedule.currentShuffledWitnesses, schedule.numScheduledWitnesses);
    const producer = current[aslot % current.length];
    return producer === undefined ? undefined : { producer, source: 'current' };
  }
  const future = scheduled(schedule.futureShuffledWitnesses ?? []);
  if (future.length === 0 || k > blocksLeft + SHUFFLE_PERIOD_BLOCKS) return undefined;
  const producer = future[aslot % future.length];
  return producer === undefined ? undefined : { producer, source: 'future' };
}

/**
 * The witness's next slot after `head`: first within the current round, then (where the node gave it) within the
 * next one. `undefined` where the witness is not scheduled in what is known: look again after the shuffle
 * ({@link shuffleTime}).
 *
 * @example
 * const next = nextSlotOf('alice', head, schedule, 3000);
 * if (next) await clock.sleep(next.time - clock.now());
 */
export function nextSlotOf(
  witness: string,
  head: HeadState,
  schedule: WitnessSchedule,
  blockIntervalMs: number,
): SlotPrediction | undefined {
  const shuffleBlockNum = nextShuffleBlock(head.headBlockNumber);
  const blocksLeft = shuffleBlockNum - head.headBlockNumber;
  const horizon = blocksLeft + SHUFFLE_PERIOD_BLOCKS;
  const current = scheduled(schedule.currentShuffledWitnesses, schedule.numScheduledWitnesses);
  for (let k = 1; k <= horizon; k++) {
    const aslot = head.currentAslot + k;
    const slot = producerOf(aslot, head, schedule);
    // Past the slot the shuffle block is due in, the current list is still in force for as many slots as are
    // missed before it (the shuffle comes with a block, not a slot): after misses, the witness can have a second
    // slot in the same round, 21 slots after its first. That slot is as possible as the future list's where it
    // takes few misses (see DELAYED_ROUND_MAX_MISSES); whichever comes first is watched, and settled by where the
    // shuffle block landed (`producerAfterShuffle`).
    const delayedRound =
      k > blocksLeft &&
      k - blocksLeft <= DELAYED_ROUND_MAX_MISSES &&
      current.length > 0 &&
      current[aslot % current.length] === witness;
    if (slot?.producer === witness || delayedRound) {
      const source: ScheduleSource = k > blocksLeft ? 'future' : 'current';
      return { aslot, time: slotTime(head, k, blockIntervalMs), k, source, shuffleBlockNum };
    }
  }
  return undefined;
}

/** The earliest time the next shuffle can have happened: when its block is due, were no slot missed before it. */
export function shuffleTime(head: HeadState, blockIntervalMs: number): number {
  return slotTime(head, nextShuffleBlock(head.headBlockNumber) - head.headBlockNumber, blockIntervalMs);
}

/**
 * Settles which schedule governed a slot predicted from the future list, once the shuffle block is known: slots
 * after the shuffle block's own slot use the future list, the others the list that was current.
 */
export function producerAfterShuffle(
  aslot: number,
  shuffleBlockAslot: number,
  schedule: WitnessSchedule,
): string | undefined {
  if (aslot > shuffleBlockAslot) {
    const future = scheduled(schedule.futureShuffledWitnesses ?? []);
    return future.length === 0 ? undefined : future[aslot % future.length];
  }
  const current = scheduled(schedule.currentShuffledWitnesses, schedule.numScheduledWitnesses);
  return current.length === 0 ? undefined : current[aslot % current.length];
}

/**
 * The witness's first slot after `afterAslot` that the head has already passed (before the head's own slot) and
 * that the current list certainly governs: slots of the head's round only (a round spans at least as many slots as
 * it has blocks, so those after `headBlockNumber - roundStart` slots back are in it). The watch looks at such a slot
 * where it was busy while it passed (arming, a long check): its miss, charged after the baseline, must be checked,
 * not absorbed into the next slot's count. `k` is below 0; `time` is in the past. `undefined` where there is none.
 *
 * @example
 * // alice at index 0 of a 21-name list, head at aslot 1011 of block 40 (round 1 began at block 21)
 * pastSlotOf('alice', head, schedule, 1000, 3000); // { aslot: 1008, k: -3, source: 'current', ... }
 */
export function pastSlotOf(
  witness: string,
  head: HeadState,
  schedule: WitnessSchedule,
  afterAslot: number,
  blockIntervalMs: number,
): SlotPrediction | undefined {
  const current = scheduled(schedule.currentShuffledWitnesses, schedule.numScheduledWitnesses);
  if (current.length === 0) return undefined;
  const intoRound = head.headBlockNumber - roundOf(head.headBlockNumber) * SHUFFLE_PERIOD_BLOCKS;
  const from = Math.max(afterAslot, head.currentAslot - intoRound) + 1;
  // The head's own slot has its block: produced, by whoever the head names.
  for (let aslot = from; aslot < head.currentAslot; aslot++) {
    if (current[aslot % current.length] !== witness) continue;
    const k = aslot - head.currentAslot;
    return {
      aslot,
      time: slotTime(head, k, blockIntervalMs),
      k,
      source: 'current',
      shuffleBlockNum: nextShuffleBlock(head.headBlockNumber),
    };
  }
  return undefined;
}
