import { afterEach, describe, expect, it } from 'vitest';
import { type Simnet, slotsIfMissing, startSimnet, TIDY_CHAIN } from '../src/index.js';

let sim: Simnet | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe('slotsIfMissing', () => {
  it("projects the witness's next missed slots across shuffles, as the chain then charges them", async () => {
    // A tidy chain: a micro-fork would move the slots the projection is checked against.
    sim = await startSimnet({ clock: 'manual', ...TIDY_CHAIN, witnesses: 7, seed: 'slots-ahead' });
    const name = sim.witnesses[0]?.name ?? '';
    let checked = 0;
    for (let start = 0; start < 60; start += 5) {
      await sim.advanceSlots(5);
      const projected = slotsIfMissing(sim.chain, name, 2);
      if (projected === undefined) continue;
      const before = sim.chain.missedSlots(name).length;
      await sim.stopNode(sim.witnesses[0]?.signingKey ?? '');
      while (sim.chain.missedSlots(name).length < before + 2) await sim.advanceSlots(1);
      expect(
        sim.chain
          .missedSlots(name)
          .slice(before)
          .map((m) => m.aslot),
      ).toEqual(projected);
      await sim.startNode(sim.witnesses[0]?.signingKey ?? '');
      checked++;
    }
    // With 7 witnesses and a shuffle every 21 blocks, some of the gaps cross a shuffle: both kinds were checked.
    expect(checked).toBeGreaterThan(8);
  });

  it('says it cannot know a slot past the next shuffle', async () => {
    sim = await startSimnet({ clock: 'manual', ...TIDY_CHAIN, witnesses: 21, seed: 'slots-ahead' });
    expect(slotsIfMissing(sim.chain, sim.witnesses[0]?.name ?? '', 5)).toBeUndefined();
  });
});
