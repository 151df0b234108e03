/**
 * Whether a witness has certainly missed a slot since its last block, read from one head and one schedule: what
 * `status` calls MISSING BLOCKS. Certain only: a slot counts where the schedule in force surely gave it to the witness.
 */
import {
  type HeadState,
  roundOf,
  SHUFFLE_PERIOD_BLOCKS,
  scheduleIsFor,
  slotTime,
  type WitnessSchedule,
} from '@witness-trap/core';

/**
 * Slots at the head that are never called missed: a public node's proxy serves the witness object from a cache or a
 * backend a block behind the head it serves, so the witness's newest block can be missing from the witness read.
 */
export const READ_LAG_SLOTS = 2;

/** A slot the witness had, after its last block, that has passed without its block (for `gap`: the slot by which one surely had). */
export interface MissedSlot {
  aslot: number;
  /** When it was due, epoch ms. */
  time: number;
  /**
   * `schedule`: this round's list gave it the slot; `previous-round`: it produced nothing in the last `n` slots of
   * the round before (each list gives each of its witnesses one slot in any `n` in a row; `aslot` is that round's
   * last); `gap`: more slots passed than any two rounds leave between its slots (`aslot` is the one by which it
   * surely had one).
   */
  evidence: 'schedule' | 'previous-round' | 'gap';
}

/**
 * The witness's latest missed slot, or `undefined` where every slot it surely had since `lastAslot` was produced.
 *
 * Three tests, each certain for a witness scheduled in this round and the one before (slots within
 * {@link READ_LAG_SLOTS} of the head aside): (1) the slots after this round's shuffle block (`roundStartAslot`, or
 * where it is unknown the latest `headBlockNumber - roundStart` slots) are all the current list's, so one of them
 * that the list gives the witness, after its last block, was missed; (2) the last `n` slots up to the shuffle block
 * were the previous list's, which gave the witness one of them: a last block before them holds a miss; (3) without
 * the shuffle block, a witness never waits `2n` slots or more (last in one round, first in the next).
 * Tests 1 and 2 together keep a witness that misses every slot MISSING from its first missed slot on, across rounds.
 */
export function missedSlotOf(
  witness: string,
  lastAslot: number,
  head: HeadState,
  schedule: WitnessSchedule,
  blockIntervalMs: number,
  roundStartAslot?: number,
): MissedSlot | undefined {
  const list = schedule.currentShuffledWitnesses
    .slice(0, Math.min(schedule.numScheduledWitnesses, schedule.currentShuffledWitnesses.length))
    .filter((name) => name !== '');
  const n = list.length;
  if (n === 0 || !list.includes(witness)) return undefined;
  // The head block is the witness's own where it produced it, whatever a lagging witness read says.
  const last = head.currentWitness === witness ? Math.max(lastAslot, head.currentAslot) : lastAslot;
  const at = (aslot: number) => slotTime(head, aslot - head.currentAslot, blockIntervalMs);
  const inRound = head.headBlockNumber - roundOf(head.headBlockNumber) * SHUFFLE_PERIOD_BLOCKS;
  // A schedule read from before the shuffle the head is past (a lagging backend) says nothing about this round.
  const current = scheduleIsFor(schedule, head);
  const roundStart = roundStartAslot ?? head.currentAslot - inRound;
  for (let aslot = head.currentAslot - READ_LAG_SLOTS; aslot > roundStart && aslot > last; aslot--) {
    if (current && list[aslot % n] === witness) return { aslot, time: at(aslot), evidence: 'schedule' };
  }
  if (roundStartAslot !== undefined && roundStartAslot <= head.currentAslot - READ_LAG_SLOTS) {
    if (last <= roundStartAslot - n)
      return { aslot: roundStartAslot, time: at(roundStartAslot), evidence: 'previous-round' };
  }
  if (head.currentAslot - READ_LAG_SLOTS - last >= 2 * n) {
    const aslot = last + 2 * n - 1;
    return { aslot, time: at(aslot), evidence: 'gap' };
  }
  return undefined;
}
