import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HeadState, WitnessSchedule } from '../types.js';
import {
  aslotAt,
  nextShuffleBlock,
  nextSlotOf,
  pastSlotOf,
  producerAfterShuffle,
  producerOf,
  scheduleIsFor,
  slotTime,
} from './schedule.js';

const INTERVAL = 3000;
const names = (prefix: string) => Array.from({ length: 21 }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

function head(headBlockNumber: number, currentAslot: number, headBlockTime = currentAslot * INTERVAL): HeadState {
  return {
    headBlockNumber,
    headBlockId: '0'.repeat(40),
    headBlockTime,
    currentAslot,
    currentWitness: 'someone',
    lastIrreversibleBlockNum: headBlockNumber - 15,
  };
}

function schedule(current: string[], future?: string[]): WitnessSchedule {
  return {
    currentShuffledWitnesses: current,
    numScheduledWitnesses: current.length,
    nextShuffleBlockNum: 0,
    ...(future === undefined ? {} : { futureShuffledWitnesses: future }),
  };
}

describe('slot arithmetic', () => {
  it('puts slot k at the head slot time plus k intervals, as hived does', () => {
    // A head block stamped mid-slot still counts from the start of its slot.
    expect(slotTime({ headBlockTime: 30_000 + 1200 }, 1, INTERVAL)).toBe(33_000);
    expect(slotTime({ headBlockTime: 30_000 }, 4, INTERVAL)).toBe(42_000);
  });

  it('shuffles after every block whose number is a multiple of 21', () => {
    expect(nextShuffleBlock(41)).toBe(42);
    expect(nextShuffleBlock(42)).toBe(63);
    expect(nextShuffleBlock(1)).toBe(21);
  });

  it('names the producer of a slot from current_shuffled_witnesses[aslot % num] within the round', () => {
    const current = names('c');
    const h = head(100, 1000); // blocks 101..105 remain in this round
    expect(producerOf(1001, h, schedule(current))).toEqual({ producer: current[1001 % 21], source: 'current' });
    expect(producerOf(1005, h, schedule(current))).toEqual({ producer: current[1005 % 21], source: 'current' });
    expect(producerOf(1000, h, schedule(current))).toBeUndefined();
  });

  it('uses future_shuffled_witnesses after the shuffle block, and nothing where the node has no future list', () => {
    const current = names('c');
    const future = names('f');
    const h = head(100, 1000); // shuffle after block 105, i.e. after slot 1005 if none is missed
    expect(producerOf(1006, h, schedule(current, future))).toEqual({ producer: future[1006 % 21], source: 'future' });
    expect(producerOf(1006, h, schedule(current))).toBeUndefined();
  });

  it('finds the next slot across a shuffle boundary', () => {
    const current = names('c');
    const future = names('f');
    const h = head(100, 1000);
    const target = future[1010 % 21] as string;
    const slot = nextSlotOf(target, h, schedule(current, future), INTERVAL);
    // Not in what remains of this round (c-names only), so the first hit is in the next round.
    expect(slot).toEqual({ aslot: 1010, time: 1010 * INTERVAL, k: 10, source: 'future', shuffleBlockNum: 105 });
  });

  it('finds two slots one apart across rounds (last of one round, first of the next)', () => {
    const current = names('w');
    // The next round starts with the witness that ended this one.
    const h = head(104, 1000); // one block (slot 1001) left in this round
    const last = current[1001 % 21] as string;
    const future = [...names('w')];
    const at = 1002 % 21;
    const other = future.indexOf(last);
    [future[at], future[other]] = [future[other] as string, future[at] as string];
    const first = nextSlotOf(last, h, schedule(current, future), INTERVAL);
    expect(first).toMatchObject({ aslot: 1001, source: 'current' });
    const after = head(105, 1001);
    const second = nextSlotOf(last, after, schedule(future, names('x')), INTERVAL);
    expect(second).toMatchObject({ aslot: 1002, k: 1, source: 'current' });
  });

  it('watches a second slot in the same round, which misses before the shuffle make possible', () => {
    const current = names('c');
    const h = head(100, 1000); // the shuffle block is due in slot 1005; one miss before it moves it to 1006
    const witness = current[1006 % 21] as string; // its slot this round was 985; by the current list, next 1006
    const future = names('f');
    future[1015 % 21] = witness; // the next round (if the shuffle comes on time) has it at 1015
    future[1006 % 21] = 'f-other';
    const s = schedule(current, future);
    expect(nextSlotOf(witness, h, s, INTERVAL)).toEqual({
      aslot: 1006,
      time: 1006 * INTERVAL,
      k: 6,
      source: 'future',
      shuffleBlockNum: 105,
    });
    // Settled by where the shuffle block landed: a miss before it made 1006 the witness's slot.
    expect(producerAfterShuffle(1006, 1006, s)).toBe(witness);
    expect(producerAfterShuffle(1006, 1005, s)).toBe('f-other');
    // Without a future list the delayed-round slot is still watched.
    expect(nextSlotOf(witness, h, schedule(current), INTERVAL)).toMatchObject({ aslot: 1006, source: 'future' });
  });

  it('says nothing for a witness not scheduled in the known rounds', () => {
    expect(nextSlotOf('standby', head(100, 1000), schedule(names('c'), names('f')), INTERVAL)).toBeUndefined();
  });

  it('settles a future-list prediction by where the shuffle block landed', () => {
    const s = schedule(names('c'), names('f'));
    // Shuffle block at slot 1005: slot 1006 is in the new round.
    expect(producerAfterShuffle(1006, 1005, s)).toBe(names('f')[1006 % 21]);
    // A miss before the shuffle pushed the shuffle block to slot 1006: 1006 was still the old round's.
    expect(producerAfterShuffle(1006, 1006, s)).toBe(names('c')[1006 % 21]);
  });

  it('maps block times back to absolute slots', () => {
    const h = head(100, 1000, 1000 * INTERVAL);
    expect(aslotAt(h, 995 * INTERVAL, INTERVAL)).toBe(995);
    expect(aslotAt(h, 1003 * INTERVAL + 10, INTERVAL)).toBe(1003);
  });

  it('predicts only slots after the head, owned by the witness, within two rounds (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 20 }), (num, who) => {
        const current = names('c');
        const future = [...names('c')].reverse();
        const h = head(num, num * 2);
        const witness = current[who] as string;
        const slot = nextSlotOf(witness, h, schedule(current, future), INTERVAL);
        if (slot === undefined) return false; // every scheduled witness has a slot within a round
        const producer = producerOf(slot.aslot, h, schedule(current, future));
        // the witness's by the list that governs it, or by the current list where misses delay the shuffle
        const mine =
          producer?.producer === witness || (slot.source === 'future' && current[slot.aslot % 21] === witness);
        return slot.aslot > h.currentAslot && mine && slot.k <= 42 && slot.time === slotTime(h, slot.k, INTERVAL);
      }),
    );
  });
});

describe('scheduleIsFor', () => {
  it("takes a schedule only for the head's own round (a proxy backend can serve the round before)", () => {
    expect(scheduleIsFor({ nextShuffleBlockNum: 63 }, { headBlockNumber: 42 })).toBe(true);
    expect(scheduleIsFor({ nextShuffleBlockNum: 63 }, { headBlockNumber: 62 })).toBe(true);
    expect(scheduleIsFor({ nextShuffleBlockNum: 42 }, { headBlockNumber: 42 })).toBe(false);
    expect(scheduleIsFor({ nextShuffleBlockNum: 42 }, { headBlockNumber: 43 })).toBe(false);
    expect(scheduleIsFor({ nextShuffleBlockNum: 84 }, { headBlockNumber: 42 })).toBe(false);
  });
});

describe('pastSlotOf: a slot of the witness the head has passed', () => {
  const list = names('w');
  list[0] = 'alice';
  it("finds the witness's slot after the given one and before the head's own, in the head's round", () => {
    // Block 40 is 19 blocks into round 1 (from block 21): aslots after 1011 - 19 are certainly in it.
    expect(pastSlotOf('alice', head(40, 1011), schedule(list), 1000, INTERVAL)).toMatchObject({
      aslot: 1008,
      k: -3,
      time: 1008 * INTERVAL,
      source: 'current',
      shuffleBlockNum: 42,
    });
  });
  it('finds none at or before the slot given, at the head itself, or before the round began', () => {
    expect(pastSlotOf('alice', head(40, 1011), schedule(list), 1008, INTERVAL)).toBeUndefined();
    expect(pastSlotOf('alice', head(40, 1008), schedule(list), 1000, INTERVAL)).toBeUndefined();
    // Block 24 is 3 blocks into its round: the shuffle block 21 may be at aslot 1008 itself (the previous list's).
    expect(pastSlotOf('alice', head(24, 1011), schedule(list), 1000, INTERVAL)).toBeUndefined();
    expect(pastSlotOf('alice', head(25, 1011), schedule(list), 1000, INTERVAL)?.aslot).toBe(1008);
    expect(pastSlotOf('alice', head(42, 1011), schedule(list), 1000, INTERVAL)).toBeUndefined();
  });
});
