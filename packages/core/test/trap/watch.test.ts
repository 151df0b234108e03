import { ManualClock } from '@witness-trap/simnet';
import { describe, expect, it } from 'vitest';
import type { TrapEvents } from '../../src/events.js';
import type { SlotPrediction } from '../../src/trap/schedule.js';
import { type SlotVerdict, SlotWatcher } from '../../src/trap/watch.js';
import { WatchHealth } from '../../src/trap/watch-health.js';
import type { BlockHeaderInfo, HeadState, WitnessSchedule, WitnessState } from '../../src/types.js';
import { ScriptedChain } from './scripted-chain.js';

const INTERVAL = 3000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % INTERVAL);
const names = (p: string) => Array.from({ length: 21 }, (_, i) => `${p}${String(i).padStart(2, '0')}`);

function head(num: number, aslot: number, witness = 'someone'): HeadState {
  return {
    headBlockNumber: num,
    headBlockId: '0'.repeat(40),
    headBlockTime: T0 + (aslot - 1000) * INTERVAL,
    currentAslot: aslot,
    currentWitness: witness,
    lastIrreversibleBlockNum: num - 15,
  };
}

function witness(fields: Partial<WitnessState> = {}): WitnessState {
  return {
    owner: 'alice',
    url: 'https://example.org',
    signingKey: 'STMkey',
    totalMissed: 10,
    lastAslot: 990,
    lastConfirmedBlockNum: 90,
    props: { accountCreationFee: '3.000 HIVE', maximumBlockSize: 65536, hbdInterestRate: 0 },
    ...fields,
  };
}

/** Two nodes configured, one available: fewer than a majority. */
const DEGRADED = [
  { url: 'http://a', fresh: true, available: true, failures: 0 },
  { url: 'http://b', fresh: false, available: false, failures: 3, unavailableReason: 'failing (connection refused)' },
];

/** alice produces slot `aslot % 21 === at` in the given list. */
function listWithAliceAt(prefix: string, at: number): string[] {
  const list = names(prefix);
  list[at] = 'alice';
  return list;
}

/** A watcher of alice on `chain`, polling every 300 ms of `clock`, with no events or logs. */
function watcherOn(chain: ScriptedChain, clock: ManualClock): SlotWatcher {
  return new SlotWatcher({
    witness: 'alice',
    chain,
    clock,
    blockIntervalMs: INTERVAL,
    pollIntervalMs: 300,
    emit: () => undefined,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    signal: () => new AbortController().signal,
  });
}

async function setup(init: { head: HeadState; current: string[]; future?: string[] }) {
  const clock = new ManualClock(init.head.headBlockTime, { quietMs: 2 });
  const chain = new ScriptedChain({
    head: init.head,
    witness: witness(),
    schedule: {
      currentShuffledWitnesses: init.current,
      numScheduledWitnesses: 21,
      // as hived: the round in force closes at the next multiple of 21 (the watcher checks it)
      nextShuffleBlockNum: (Math.floor(init.head.headBlockNumber / 21) + 1) * 21,
      ...(init.future === undefined ? {} : { futureShuffledWitnesses: init.future }),
    },
  });
  const watcher = watcherOn(chain, clock);
  watcher.baseline(witness());
  const slot = await watcher.nextSlot();
  /** Runs the check of `slot` while the clock moves, one poll at a time. */
  const check = async (): Promise<SlotVerdict> =>
    (await checkStepping(clock, watcher, slot, () => undefined)).verdict as SlotVerdict;
  return { clock, chain, watcher, slot, check };
}

/** A watcher of alice from head #100 (slot 1000), alice due at slot 1003 in the current list. */
function aliceDueAt1003() {
  return setup({ head: head(100, 1000), current: listWithAliceAt('c', 1003 % 21) });
}

/** Degraded nodes; alice's slot 1003 looks missed on the first read (head #103, total_missed 11). */
async function degradedMissSeen() {
  const scenario = await aliceDueAt1003();
  scenario.chain.nodeList = DEGRADED;
  scenario.chain.head = head(103, 1004);
  scenario.chain.witnessAnswers = [witness({ totalMissed: 11 })];
  return scenario;
}

/**
 * Checks `slot` while the clock moves 300 ms at a time, `step(i)` after each move (a test changes the chain there),
 * for up to `steps` moves. Resolves with the verdict and the clock's time when it came.
 */
async function checkStepping(
  clock: ManualClock,
  watcher: SlotWatcher,
  slot: SlotPrediction,
  step: (i: number) => void,
  steps = 40,
): Promise<{ verdict: SlotVerdict | undefined; at: number }> {
  let verdict: SlotVerdict | undefined;
  let at = 0;
  const done = watcher.checkSlot(slot, 'STMkey').then((v) => {
    verdict = v;
    at = clock.now();
  });
  for (let i = 0; i < steps && verdict === undefined; i++) {
    await clock.advance(300);
    step(i);
  }
  await done;
  return { verdict, at };
}

/** Checks `slot` while the clock moves, the next block (#104) arriving 3 s after the one the miss was seen in. */
async function checkAsBlockArrives(
  chain: ScriptedChain,
  clock: ManualClock,
  watcher: SlotWatcher,
  slot: SlotPrediction,
): Promise<SlotVerdict | undefined> {
  const { verdict } = await checkStepping(clock, watcher, slot, (i) => {
    if (i === 10) chain.head = head(104, 1005);
  });
  return verdict;
}

/** Every node of {@link DEGRADED} available: a majority again. */
const ALL_BACK = DEGRADED.map((node) => ({ ...node, available: true, fresh: true }));

describe('SlotWatcher', () => {
  it('counts a miss when a later block arrived, the witness did not produce, and total_missed grew', async () => {
    const { chain, slot, check } = await aliceDueAt1003();
    expect(slot).toMatchObject({ aslot: 1003, source: 'current' });
    chain.head = head(103, 1004);
    chain.witness = witness({ totalMissed: 11 });
    expect(await check()).toMatchObject({ kind: 'missed', aslot: 1003, seenInBlock: 103 });
  });

  it('degraded (one of two nodes available): a miss counts only where it holds on a second read a block later', async () => {
    const { chain, clock, watcher, slot } = await degradedMissSeen();
    chain.witness = witness({ totalMissed: 11 });
    expect(await checkAsBlockArrives(chain, clock, watcher, slot)).toMatchObject({
      kind: 'missed',
      aslot: 1003,
      seenInBlock: 103,
    });
    expect(chain.reads.filter((r) => r === 'witness').length).toBeGreaterThanOrEqual(2);
  });

  it('degraded: a miss on the lone node that does not hold a block later (a micro-fork) is not counted', async () => {
    const { chain, clock, watcher, slot } = await degradedMissSeen();
    // The lone node first shows the miss; a block later it switched forks: alice's block at 1003 is there.
    chain.witness = witness({ totalMissed: 10, lastAslot: 1003, lastConfirmedBlockNum: 102 });
    expect(await checkAsBlockArrives(chain, clock, watcher, slot)).toMatchObject({ kind: 'produced' });
    // With a majority of the configured nodes available, the same first read is a miss at once.
    const again = await aliceDueAt1003();
    again.chain.head = head(103, 1004);
    again.chain.witnessAnswers = [witness({ totalMissed: 11 })];
    again.chain.witness = witness({ totalMissed: 10, lastAslot: 1003, lastConfirmedBlockNum: 102 });
    expect(await again.check()).toMatchObject({ kind: 'missed' });
  });

  it('degraded: where a majority of the nodes is available again before the next block, their read decides the miss', async () => {
    const { chain, clock, watcher, slot } = await degradedMissSeen();
    chain.witness = witness({ totalMissed: 11 });
    const start = clock.now();
    const { verdict, at } = await checkStepping(clock, watcher, slot, (i) => {
      // The node judged unavailable is back once the first read showed the miss: two of two available.
      if (chain.reads.includes('witness')) chain.nodeList = ALL_BACK;
      // The next block comes late (two intervals on): the miss must not wait for it.
      if (i === 20) chain.head = head(104, 1005);
    });
    expect(verdict).toMatchObject({ kind: 'missed', aslot: 1003, seenInBlock: 103 });
    // Decided on the nodes back in the quorum within a few polls, not a block later.
    expect(at - start).toBeLessThan(INTERVAL);
    expect(chain.reads.filter((r) => r === 'witness').length).toBeGreaterThanOrEqual(2);
  });

  it('degraded: the second read comes a block interval after the first where the next block is late, not sooner', async () => {
    const { chain, clock, watcher, slot } = await degradedMissSeen();
    chain.witness = witness({ totalMissed: 11 });
    const witnessReads: number[] = [];
    const read = chain.getWitness.bind(chain);
    chain.getWitness = () => {
      witnessReads.push(clock.now());
      return read();
    };
    const start = clock.now();
    const { verdict, at } = await checkStepping(clock, watcher, slot, (i) => {
      // The lone node shows the next block only six seconds on (a lagging proxy, or a slow producer).
      if (i === 20) chain.head = head(104, 1005);
    });
    expect(verdict).toMatchObject({ kind: 'missed', aslot: 1003 });
    expect(witnessReads).toHaveLength(2);
    const [firstRead = 0, secondRead = 0] = witnessReads;
    // Two reads a block apart: the second no sooner than an interval after the first...
    expect(secondRead - firstRead).toBeGreaterThanOrEqual(INTERVAL);
    // ...and not held up until the late block.
    expect(at - start).toBeLessThan(6000);
  });

  it('degraded: a node back in the quorum does not let a witness read that shows the block through', async () => {
    const { chain, clock, watcher, slot } = await degradedMissSeen();
    // The lone node showed the miss; the nodes back show alice's block at 1003 (the lone node was on a micro-fork).
    chain.witness = witness({ totalMissed: 10, lastAslot: 1003, lastConfirmedBlockNum: 102 });
    const { verdict } = await checkStepping(clock, watcher, slot, (i) => {
      if (chain.reads.includes('witness')) chain.nodeList = ALL_BACK;
      if (i === 20) chain.head = head(104, 1005);
    });
    expect(verdict).toMatchObject({ kind: 'produced' });
  });

  it('decides on the witness read beside a lagging head read where it shows the miss charged, without the head again', async () => {
    const { chain, clock, watcher, slot } = await aliceDueAt1003();
    // The head reads lag a block (a proxy's backend behind): #102 at slot 1002 although the slot has passed; the
    // witness read beside them is fresh and shows the miss charged.
    chain.head = head(102, 1002);
    chain.witness = witness({ totalMissed: 11 });
    const readsAt: number[] = [];
    chain.onHeadRead = () => {
      readsAt.push(clock.now());
    };
    const { verdict, at } = await checkStepping(clock, watcher, slot, () => undefined, 80);
    // Seen in the block after the lagging head: the earliest that can have charged the miss.
    expect(verdict).toMatchObject({ kind: 'missed', aslot: 1003, seenInBlock: 103 });
    if (verdict?.kind !== 'missed') throw new Error('not missed');
    // Signed on the head in hand: the switch does not wait for another round trip.
    expect(verdict.fresh.head.headBlockNumber).toBe(102);
    const due = readsAt.filter((read) => read >= slot.time + INTERVAL);
    // One head read once the next block was due (the one the witness read came with), none after it...
    expect(due).toHaveLength(1);
    // ...and the verdict came with that poll, not a poll interval (300 ms) later.
    expect(at).toBe(due[0]);
  });

  it('still reads the head again where a charged witness read came with a head short of the shuffle block (future list)', async () => {
    // Alice only in the next round's list, at slot 1005 (the shuffle block, #105, is due at slot 1004 if nobody misses).
    const future = listWithAliceAt('f', 1005 % 21);
    const { chain, clock, watcher, slot } = await setup({ head: head(103, 1001), current: names('c'), future });
    expect(slot).toMatchObject({ aslot: 1005, source: 'future', shuffleBlockNum: 105 });
    chain.headers.set(105, { number: 105, previous: '', timestamp: T0 + 4 * INTERVAL, witness: 'c04' });
    // The head reads lag below the shuffle block while the witness read shows the miss charged.
    chain.head = head(104, 1003);
    chain.witness = witness({ totalMissed: 11 });
    let lagging = true;
    const readsAt: number[] = [];
    chain.onHeadRead = () => {
      readsAt.push(clock.now());
      if (clock.now() >= slot.time + INTERVAL && !lagging) chain.head = head(106, 1006);
      if (clock.now() >= slot.time + INTERVAL) lagging = false;
    };
    const { verdict } = await checkStepping(clock, watcher, slot, () => undefined, 80);
    expect(verdict).toMatchObject({ kind: 'missed', aslot: 1005, seenInBlock: 106 });
    const due = readsAt.filter((read) => read >= slot.time + INTERVAL);
    // Where the shuffle block landed decides whether the slot was ours: the head was read again, at once.
    expect(due).toHaveLength(2);
    expect(due[1]).toBe(due[0]);
  });

  it('degraded: a miss settled on a charged witness read beside a lagging head still holds on a read a block later', async () => {
    const lagging = async (catchUp: boolean) => {
      const { chain, clock, watcher, slot } = await aliceDueAt1003();
      chain.nodeList = DEGRADED;
      // The head reads lag two blocks: #101 at slot 1001, while #102 (slot 1002) and #103 (slot 1004, which charged
      // alice's miss at 1003) are made.
      chain.head = head(101, 1001);
      chain.witness = witness({ totalMissed: 11 });
      const witnessReads: number[] = [];
      const read = chain.getWitness.bind(chain);
      chain.getWitness = (...args: Parameters<typeof read>) => {
        witnessReads.push(clock.now());
        return read(...args);
      };
      const { verdict } = await checkStepping(
        clock,
        watcher,
        slot,
        () => {
          // Right after the charged witness read, the head catches up (#103, the block that charged it), or not.
          if (catchUp && witnessReads.length > 0) chain.head = head(103, 1004);
        },
        80,
      );
      const [firstRead = 0] = witnessReads;
      return { verdict, apart: (witnessReads.at(-1) ?? 0) - firstRead };
    };
    const caughtUp = await lagging(true);
    // Seen in the block after the lagging head: the earliest that can have charged the miss.
    expect(caughtUp.verdict).toMatchObject({ kind: 'missed', aslot: 1003, seenInBlock: 102 });
    // The second read a block interval after the first: a head past the lagging one is no block later than the
    // state the charged witness read showed (#103 may be the very block that charged it)...
    expect(caughtUp.apart).toBeGreaterThanOrEqual(INTERVAL);
    // ...and not held up by head reads that keep lagging: no head past the slot is needed to count from.
    const stillLagging = await lagging(false);
    expect(stillLagging.verdict).toMatchObject({ kind: 'missed', aslot: 1003, seenInBlock: 102 });
    expect(stillLagging.apart).toBeGreaterThanOrEqual(INTERVAL);
    expect(stillLagging.apart).toBeLessThanOrEqual(INTERVAL + 300);
  });

  it('degraded: a second read whose total_missed is behind the first is read again, not taken for a fork at once', async () => {
    // The lone node's second answer comes from a backend a block behind (count 10, before the charge), the next
    // one is back at 11.
    const behind = await degradedMissSeen();
    behind.chain.witnessAnswers.push(witness({ totalMissed: 10 }));
    behind.chain.witness = witness({ totalMissed: 11 });
    expect(await checkAsBlockArrives(behind.chain, behind.clock, behind.watcher, behind.slot)).toMatchObject({
      kind: 'missed',
      aslot: 1003,
    });
    // A count that stays behind for a block interval is a fork's: not counted.
    const fork = await degradedMissSeen();
    fork.chain.witness = witness({ totalMissed: 10 });
    expect(await checkAsBlockArrives(fork.chain, fork.clock, fork.watcher, fork.slot)).toEqual({ kind: 'none' });
  });

  it('never checks a slot again after its verdict: a baseline read right after a switch does not bring it back', async () => {
    const { chain, watcher, slot, check } = await setup({
      head: head(100, 1000),
      current: listWithAliceAt('c', 1003 % 21),
      future: listWithAliceAt('f', 10),
    });
    chain.head = head(103, 1004);
    chain.witness = witness({ totalMissed: 11 });
    expect(await check()).toMatchObject({ kind: 'missed', aslot: slot.aslot });
    // The switch landed within the interval, and the trap re-armed on the new key at once: the slot that fired it
    // is within an interval of that baseline, but it was the old key's, and counted already.
    watcher.baseline(witness({ totalMissed: 11, signingKey: 'STMnew' }));
    const next = await watcher.nextSlot();
    expect(next.aslot).toBeGreaterThan(slot.aslot);
  });

  it('does not count a miss the chain did not charge (a witness read that stays behind)', async () => {
    const { chain, slot, check } = await aliceDueAt1003();
    expect(slot.aslot).toBe(1003);
    chain.head = head(103, 1004);
    chain.witness = witness({ totalMissed: 10 });
    expect(await check()).toEqual({ kind: 'none' });
  });

  it('waits for a lagging witness read to show the charge, within one interval', async () => {
    const { chain, check } = await aliceDueAt1003();
    chain.head = head(103, 1004);
    chain.witnessAnswers = [witness({ totalMissed: 10 }), witness({ totalMissed: 10 })];
    chain.witness = witness({ totalMissed: 11 });
    expect(await check()).toMatchObject({ kind: 'missed', aslot: 1003 });
  });

  it('takes the head as proof when it is our block, and a later last_aslot as proof the node is alive', async () => {
    const produced = await aliceDueAt1003();
    produced.chain.head = head(103, 1003, 'alice');
    expect(await produced.check()).toMatchObject({ kind: 'produced', blockNum: 103 });

    const alive = await aliceDueAt1003();
    alive.chain.head = head(104, 1004);
    alive.chain.witness = witness({ lastAslot: 1003, totalMissed: 10 });
    expect(await alive.check()).toMatchObject({ kind: 'produced' });
  });

  it('treats our slot produced by someone else as a wrong schedule, not a miss', async () => {
    const { chain, check } = await aliceDueAt1003();
    chain.head = head(103, 1003, 'mallory');
    chain.witness = witness({ totalMissed: 11 });
    expect(await check()).toEqual({ kind: 'none' });
  });

  it('settles a slot predicted from the future list by where the shuffle block landed', async () => {
    // Head 103: blocks 104 and 105 (the shuffle block) are left in the round; alice is only in the next round's list.
    const future = listWithAliceAt('f', 1005 % 21);
    const onTime = await setup({ head: head(103, 1001), current: names('c'), future });
    expect(onTime.slot).toMatchObject({ aslot: 1005, source: 'future', shuffleBlockNum: 105 });
    onTime.chain.headers.set(105, { number: 105, previous: '', timestamp: T0 + 3 * INTERVAL, witness: 'c03' });
    onTime.chain.head = head(107, 1006);
    onTime.chain.witness = witness({ totalMissed: 11 });
    expect(await onTime.check()).toMatchObject({ kind: 'missed', aslot: 1005 });

    // Two misses before the shuffle pushed block 105 to slot 1005 itself: that slot was still the old round's.
    const late = await setup({ head: head(103, 1001), current: names('c'), future });
    late.chain.headers.set(105, { number: 105, previous: '', timestamp: T0 + 5 * INTERVAL, witness: 'c05' });
    late.chain.head = head(106, 1006);
    late.chain.witness = witness({ totalMissed: 11 });
    expect(await late.check()).toEqual({ kind: 'none' });
  });

  it('settles a slot that was not ours at once, not after waiting an interval for total_missed to move', async () => {
    // Alice at slot 1005 in the next round's list; two misses before the shuffle pushed block 105 to slot 1005
    // itself, so that slot was the old round's (someone else's), and total_missed does not move.
    const { chain, clock, watcher, slot } = await setup({
      head: head(103, 1001),
      current: names('c'),
      future: listWithAliceAt('f', 1005 % 21),
    });
    chain.headers.set(105, { number: 105, previous: '', timestamp: T0 + 5 * INTERVAL, witness: 'c05' });
    chain.head = head(106, 1006);
    const began = clock.now();
    const { verdict, at } = await checkStepping(clock, watcher, slot, () => undefined);
    expect(verdict).toEqual({ kind: 'none' });
    // Within a poll or two: the witness's next slot may be a few blocks away, and the watch must be free for it.
    expect(at - began).toBeLessThan(INTERVAL / 2);
  });

  it('asks again for the shuffle block a lagging node has no header for yet, while the head is past it', async () => {
    // As the test above: alice only in the next round's list, at slot 1005; the shuffle block 105 landed on time.
    const { chain, clock, watcher, slot } = await setup({
      head: head(103, 1001),
      current: names('c'),
      future: listWithAliceAt('f', 1005 % 21),
    });
    expect(slot).toMatchObject({ aslot: 1005, source: 'future', shuffleBlockNum: 105 });
    chain.head = head(107, 1006);
    chain.witness = witness({ totalMissed: 11 });
    // The node serving the header lags the one that served the head: no header for block 105 for a moment.
    const { verdict } = await checkStepping(clock, watcher, slot, (i) => {
      if (i === 4) chain.headers.set(105, { number: 105, previous: '', timestamp: T0 + 3 * INTERVAL, witness: 'c03' });
    });
    expect(verdict).toMatchObject({ kind: 'missed', aslot: 1005 });
  });

  it('counts a miss in a second slot of the round checked before the shuffle block exists (the current list governs)', async () => {
    // Head 103: blocks 104 and 105 (the shuffle block) are left; alice has slot 1004 by the current list, three slots
    // on, which is hers only if slots are missed before the shuffle block: it is watched as a `future` slot.
    const { chain, slot, check } = await setup({
      head: head(103, 1001),
      current: listWithAliceAt('c', 1004 % 21),
      future: names('f'),
    });
    expect(slot).toMatchObject({ aslot: 1004, source: 'future', shuffleBlockNum: 105 });
    // Slots 1002 and 1003 were missed by others, alice missed 1004, and block 104 came at slot 1005: the head is
    // still below the shuffle block, whose header no node has yet.
    chain.head = head(104, 1005);
    chain.witness = witness({ totalMissed: 11 });
    expect(await check()).toMatchObject({ kind: 'missed', aslot: 1004, seenInBlock: 104 });
  });

  it('reports a key it is not watching as moved', async () => {
    const { chain, check } = await aliceDueAt1003();
    chain.head = head(103, 1004);
    chain.witness = witness({ signingKey: 'STMother', totalMissed: 11 });
    expect(await check()).toMatchObject({ kind: 'moved', witness: { signingKey: 'STMother' } });
  });

  it('decides nothing while reads are stale, then decides on fresh data', async () => {
    const { chain, clock, watcher, slot } = await aliceDueAt1003();
    chain.stale = true;
    chain.head = head(103, 1004);
    chain.witness = witness({ totalMissed: 11 });
    let verdict: SlotVerdict | undefined;
    const done = watcher.checkSlot(slot, 'STMkey').then((v) => {
      verdict = v;
    });
    for (let i = 0; i < 20; i++) await clock.advance(300);
    expect(verdict).toBeUndefined();
    chain.stale = false;
    for (let i = 0; i < 20 && verdict === undefined; i++) await clock.advance(300);
    await done;
    expect(verdict).toMatchObject({ kind: 'missed' });
  });

  it('reads the schedule once at the last block of a round, and does not spin while the shuffle block is late', async () => {
    const clock = new ManualClock(head(104, 1001).headBlockTime, { quietMs: 2 });
    const chain = new ScriptedChain({
      head: head(104, 1001),
      witness: witness(),
      schedule: { currentShuffledWitnesses: names('c'), numScheduledWitnesses: 21, nextShuffleBlockNum: 105 },
    });
    const watcher = watcherOn(chain, clock);
    let found: unknown;
    void watcher.nextSlot().then((slot) => {
      found = slot;
    });
    // The shuffle block (105) does not come for 30 s: the watcher read this round's schedule once (alice is not in
    // it), and waits, reading the head now and then.
    for (let i = 0; i < 100; i++) await clock.advance(300);
    expect(chain.reads.filter((r) => r === 'schedule')).toHaveLength(1);
    expect(chain.reads.length).toBeLessThanOrEqual(25);
    // Block 105 arrives and the new round's list names alice: it reads the schedule once and finds her slot.
    chain.head = head(105, 1012);
    chain.schedule = {
      currentShuffledWitnesses: listWithAliceAt('n', 1015 % 21),
      numScheduledWitnesses: 21,
      nextShuffleBlockNum: 126,
    };
    for (let i = 0; i < 20 && found === undefined; i++) await clock.advance(300);
    expect(found).toMatchObject({ aslot: 1015, source: 'current' });
    expect(chain.reads.filter((r) => r === 'schedule')).toHaveLength(2);
  });

  it("predicts the shuffle block's own slot from a head one block before it (a watch that first looks there)", async () => {
    // Head #104 at slot 1007: the shuffle block #105 is due at slot 1008, which the current list gives alice.
    const start = head(104, 1007);
    const clock = new ManualClock(start.headBlockTime, { quietMs: 2 });
    const chain = new ScriptedChain({
      head: start,
      witness: witness(),
      schedule: {
        currentShuffledWitnesses: listWithAliceAt('c', 1008 % 21),
        futureShuffledWitnesses: names('f'),
        numScheduledWitnesses: 21,
        nextShuffleBlockNum: 105,
      },
    });
    const watcher = watcherOn(chain, clock);
    watcher.baseline(witness());
    let found: SlotPrediction | undefined;
    void watcher.nextSlot().then((slot) => {
      found = slot;
    });
    for (let i = 0; i < 20 && found === undefined; i++) await clock.advance(300);
    // Waiting for the shuffle instead, the watch would next look from #105 (slot 1009, alice dead): 1008 passed.
    expect(found).toMatchObject({ aslot: 1008, k: 1, source: 'current' });
  });
});

/** A scripted chain whose schedule reads take `ms` of the clock to answer (a slow node, or one far away). */
class SlowScheduleChain extends ScriptedChain {
  constructor(
    init: ConstructorParameters<typeof ScriptedChain>[0],
    readonly clock: ManualClock,
    readonly ms: number,
  ) {
    super(init);
  }
  override async getSchedule() {
    await this.clock.sleep(this.ms);
    return super.getSchedule();
  }
}

describe('the watch says when it stalls (issue 19 defect 4)', () => {
  /** Head 100 at slot 1000, alice due at slot 1003 by the current list. */
  function aliceAt1003(scheduleReadMs?: number) {
    const start = head(100, 1000);
    const clock = new ManualClock(start.headBlockTime, { quietMs: 2 });
    const schedule = {
      currentShuffledWitnesses: listWithAliceAt('c', 1003 % 21),
      numScheduledWitnesses: 21,
      nextShuffleBlockNum: 105,
    };
    const init = { head: start, witness: witness(), schedule };
    const chain =
      scheduleReadMs === undefined ? new ScriptedChain(init) : new SlowScheduleChain(init, clock, scheduleReadMs);
    return { clock, chain };
  }

  function watched(chain: ScriptedChain, clock: ManualClock) {
    const events: Array<[string, unknown]> = [];
    const emit = <K extends keyof TrapEvents>(name: K, payload: TrapEvents[K]) => void events.push([name, payload]);
    const log = { debug() {}, info() {}, warn() {}, error() {} };
    const health = new WatchHealth({ clock, blockIntervalMs: INTERVAL, emit, log });
    const watcher = new SlotWatcher({
      witness: 'alice',
      chain,
      clock,
      blockIntervalMs: INTERVAL,
      pollIntervalMs: 300,
      emit,
      log,
      signal: () => new AbortController().signal,
      health,
    });
    watcher.baseline(witness());
    return { watcher, health, events };
  }

  it('uses a schedule read that is slow (1.6 s at 3 s blocks) but still for the head it follows', async () => {
    const { clock, chain } = aliceAt1003(1600);
    const { watcher, health } = watched(chain, clock);
    let found: unknown;
    void watcher.nextSlot().then((slot) => {
      found = slot;
    });
    for (let i = 0; i < 40 && found === undefined; i++) await clock.advance(300);
    expect(found).toMatchObject({ aslot: 1003 });
    expect(health.snapshot()).toMatchObject({ healthy: true, problems: [] });
  });

  it('is unhealthy and says so once when no slot is predicted for a round, and recovers', async () => {
    const { clock, chain } = aliceAt1003();
    chain.stale = true;
    const { watcher, health, events } = watched(chain, clock);
    let found: unknown;
    void watcher.nextSlot().then((slot) => {
      found = slot;
    });
    // Half a round of failed reads: not yet a stall.
    for (let i = 0; i < 35; i++) await clock.advance(300);
    expect(health.snapshot().healthy).toBe(true);
    // A whole round and more: unhealthy, told once, with the cause.
    for (let i = 0; i < 200; i++) await clock.advance(300);
    const h = health.snapshot();
    expect(h.healthy).toBe(false);
    expect(h.problems.join('; ')).toMatch(/no slot of the witness predicted/);
    const stalled = events.filter(([name]) => name === 'stalled');
    expect(stalled).toEqual([['stalled', expect.objectContaining({ reason: 'reads-failing' })]]);
    chain.stale = false;
    for (let i = 0; i < 40 && found === undefined; i++) await clock.advance(300);
    expect(found).toMatchObject({ aslot: 1003 });
    expect(health.snapshot()).toMatchObject({ healthy: true, nextCheckAt: expect.any(Number) });
    expect(events.filter(([name]) => name === 'unstalled')).toHaveLength(1);
  });

  it('holds off while the trap is switching: a switch longer than a round is not a stalled watch', async () => {
    const { clock, chain } = aliceAt1003();
    const { health, events } = watched(chain, clock);
    health.looking();
    await clock.advance(10 * INTERVAL);
    health.holdOff();
    await clock.advance(30 * INTERVAL);
    expect(health.snapshot()).toMatchObject({ healthy: true, problems: [] });
    expect(events.filter(([n]) => n === 'stalled')).toEqual([]);
    // Watching again: counted from the new look.
    health.looking();
    await clock.advance(23 * INTERVAL);
    expect(health.snapshot().healthy).toBe(false);
  });

  it('is unhealthy when a due slot check is overdue, healthy between slots however long, and tells each check', async () => {
    const { clock, chain } = aliceAt1003();
    const { watcher, health, events } = watched(chain, clock);
    const slot = await watcher.nextSlot();
    expect(slot.aslot).toBe(1003);
    // The chain stands still (the head stays below the slot): the check cannot decide.
    let verdict: SlotVerdict | undefined;
    const done = watcher.checkSlot(slot, 'STMkey').then((v) => {
      verdict = v;
    });
    // Up to 3 intervals after the slot (due 9 s after the head): not overdue yet.
    for (let i = 0; i < 60; i++) await clock.advance(300);
    expect(health.snapshot().healthy).toBe(true);
    for (let i = 0; i < 20; i++) await clock.advance(300);
    expect(health.snapshot()).toMatchObject({ healthy: false });
    expect(events.filter(([n]) => n === 'stalled')).toEqual([
      ['stalled', expect.objectContaining({ reason: 'check-overdue', aslot: 1003 })],
    ]);
    chain.head = head(103, 1003, 'alice');
    for (let i = 0; i < 40 && verdict === undefined; i++) await clock.advance(300);
    await done;
    expect(verdict).toMatchObject({ kind: 'produced' });
    expect(events.filter(([n]) => n === 'slot')).toEqual([
      ['slot', expect.objectContaining({ witness: 'alice', aslot: 1003, produced: true, blockNum: 103 })],
    ]);
    expect(health.snapshot()).toMatchObject({ healthy: true, lastCheck: { aslot: 1003, produced: true } });
    // A long quiet stretch before the next slot is found (no read in between) is no problem.
    await clock.advance(15 * INTERVAL);
    expect(health.snapshot().healthy).toBe(true);
  });
});

describe('the host clock offset', () => {
  it('is not learned from a decisive head held back behind an available node (a frozen node not found out yet)', async () => {
    const now = head(100, 1000).headBlockTime + 100;
    const clock = new ManualClock(now, { quietMs: 2 });
    // The decisive head is three blocks old (9 s, past the two intervals that count as skew): a node that froze
    // holds it back, while the other available node is at the chain's real head.
    const chain = new ScriptedChain({ head: head(97, 997), witness: witness(), schedule: undefined as never });
    chain.nodeList = [
      { url: 'http://fresh', fresh: true, available: true, failures: 0, headBlockNumber: 100, headAgeMs: 100 },
      { url: 'http://frozen', fresh: true, available: true, failures: 0, headBlockNumber: 97, headAgeMs: 9100 },
    ];
    const watcher = watcherOn(chain, clock);
    await watcher.readHead();
    expect(watcher.clockOffsetMs).toBe(0);
    // Where no node is ahead, an old head does measure the host clock (a host 9 s ahead): it still counts.
    chain.nodeList = chain.nodeList.map((node) => ({ ...node, headBlockNumber: 97 }));
    await watcher.readHead();
    expect(watcher.clockOffsetMs).toBe(9100);
  });
});

/** A scripted chain whose every read answers `ms` of the clock after it is asked, with the state of then (a slow node). */
class SlowChain extends SlowScheduleChain {
  override async getHead() {
    await this.clock.sleep(this.ms);
    return super.getHead();
  }
  override async getWitness() {
    await this.clock.sleep(this.ms);
    return super.getWitness();
  }
  override async getBlockHeader(blockNum: number) {
    await this.clock.sleep(this.ms);
    return super.getBlockHeader(blockNum);
  }
}

/**
 * A watcher of alice over a chain whose every read takes 0.6 interval, from `start`, with `schedule`: resolves once it
 * has predicted a slot. `settle` checks that slot from half an interval after it, the clock moving 100 ms at a time
 * (`onTick` changes the chain as it goes), and says the verdict and how many intervals after the slot it came.
 */
async function slowWatch(start: HeadState, schedule: WitnessSchedule, headers: BlockHeaderInfo[] = []) {
  const clock = new ManualClock(start.headBlockTime, { quietMs: 2 });
  const chain = new SlowChain({ head: start, witness: witness(), schedule }, clock, 0.6 * INTERVAL);
  for (const header of headers) chain.headers.set(header.number, header);
  const watcher = watcherOn(chain, clock);
  watcher.baseline(witness());
  let predicted: SlotPrediction | undefined;
  void watcher.nextSlot().then((s) => {
    predicted = s;
  });
  for (let i = 0; i < 30 && predicted === undefined; i++) await clock.advance(300);
  if (predicted === undefined) throw new Error('no slot predicted');
  const slot = predicted;
  const settle = async (onTick: (sinceSlot: number) => void = () => undefined) => {
    await clock.advance(slot.time + INTERVAL / 2 - clock.now());
    let verdict: SlotVerdict | undefined;
    let settledAt = Number.NaN;
    void watcher.checkSlot(slot, 'STMkey').then((v) => {
      verdict = v;
      settledAt = clock.now();
    });
    for (let i = 0; i < 100 && verdict === undefined; i++) {
      await clock.advance(100);
      onTick((clock.now() - slot.time) / INTERVAL);
    }
    return { verdict, intervals: (settledAt - slot.time) / INTERVAL };
  };
  return { chain, slot, settle };
}

/**
 * {@link slowWatch} from head #103 (slot 1001), alice only in the next round's list at slot 1005, the shuffle block
 * 105 landed on time (slot 1003).
 */
async function slowFutureSlot() {
  const watch = await slowWatch(
    head(103, 1001),
    {
      currentShuffledWitnesses: names('c'),
      futureShuffledWitnesses: listWithAliceAt('f', 1005 % 21),
      numScheduledWitnesses: 21,
      nextShuffleBlockNum: 105,
    },
    [{ number: 105, previous: '', timestamp: T0 + 3 * INTERVAL, witness: 'c03' }],
  );
  expect(watch.slot).toMatchObject({ aslot: 1005, source: 'future', shuffleBlockNum: 105 });
  return watch;
}

describe('a miss with a node that answers 0.6 block late (issue 19, timing)', () => {
  it('reads the witness beside the head polls once the next block is due: the miss is settled a round trip sooner', async () => {
    // alice due at slot 1003 (the current list); its block never comes, the next one arrives 1.3 intervals after
    // the slot (a late block), and every read takes 0.6 interval.
    const { chain, slot, settle } = await slowWatch(head(100, 1000), {
      currentShuffledWitnesses: listWithAliceAt('c', 1003 % 21),
      numScheduledWitnesses: 21,
      nextShuffleBlockNum: 105,
    });
    expect(slot).toMatchObject({ aslot: 1003 });
    // The TaPoS anchor a switch would sign on: the last irreversible block of the head read before the slot.
    chain.headers.set(85, { number: 85, previous: '', timestamp: T0 - 15 * INTERVAL, witness: 'c00' });
    const { verdict, intervals } = await settle((sinceSlot) => {
      if (sinceSlot >= 1.3 && chain.head.currentAslot < 1004) {
        chain.head = head(103, 1004);
        chain.witness = witness({ totalMissed: 11 });
      }
    });
    expect(verdict).toMatchObject({ kind: 'missed', aslot: 1003 });
    // The first head read (from half an interval after the slot) is short of the slot; the next poll, asked once
    // the next block is due, brings the head past it and, beside it, the witness that shows the miss: settled about
    // 1.8 intervals after the slot. A witness read only after that head would settle it 0.6 interval later.
    expect(intervals).toBeLessThan(2.1);
    // The anchor was read from that same poll on, not from the miss: it is in when the miss is settled (read only
    // once the head showed the slot passed, it would take 0.6 interval more, and the switch would wait for it).
    const anchor = verdict?.kind === 'missed' ? verdict.fresh.anchor : undefined;
    expect(anchor?.blockNum).toBe(85);
    let header: unknown;
    void anchor?.header.then((h) => {
      header = h;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(header).toMatchObject({ number: 85 });
  });

  it('reads the shuffle block that settles a slot from the future list beside the witness, not after it', async () => {
    // Head 103: alice is only in the next round's list, at slot 1005; the shuffle block 105 landed on time.
    const { chain, settle } = await slowFutureSlot();
    // The miss is on chain by the time the check reads: block 107 at slot 1006, total_missed grown.
    chain.head = head(107, 1006);
    chain.witness = witness({ totalMissed: 11 });
    const { verdict, intervals } = await settle();
    expect(verdict).toMatchObject({ kind: 'missed', aslot: 1005 });
    // The head (0.6 interval), then the witness and the shuffle block's header together (0.6): 1.7 intervals after
    // the slot. The header read after the witness's would make it 2.3.
    expect(intervals).toBeLessThan(2);
  });

  it('reads the shuffle block beside the first witness read once the head in hand is past it, not after the head that shows the miss', async () => {
    // Alice only in the next round's list, at slot 1005; the shuffle block 105 landed on time (slot 1003), and the
    // head is past it (#106 at slot 1004) when the check starts. The block after alice's slot comes late, 1.3
    // intervals after it.
    const { chain, settle } = await slowFutureSlot();
    chain.head = head(106, 1004);
    const { verdict, intervals } = await settle((sinceSlot) => {
      if (sinceSlot >= 1.3 && chain.head.currentAslot < 1006) {
        chain.head = head(107, 1006);
        chain.witness = witness({ totalMissed: 11 });
      }
    });
    expect(verdict).toMatchObject({ kind: 'missed', aslot: 1005, seenInBlock: 107 });
    // The header was read beside the witness reads of the polls before: the miss is settled with the head and the
    // witness read that show it, 1.8 intervals after the slot here; read after that head, it takes a read more (2.4).
    expect(intervals).toBeLessThan(2.1);
  });
});
