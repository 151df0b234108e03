import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BlockRecord, type ScheduleView, startSimnet } from '../src/index.js';

describe('slot arithmetic under random node failures', () => {
  it('keeps hived invariants: consecutive blocks, aslot gaps charged to the scheduled witness, nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ toggle: fc.nat({ max: 6 }), slots: fc.integer({ min: 1, max: 6 }) }), {
          minLength: 5,
          maxLength: 25,
        }),
        async (steps) => {
          const sim = await startSimnet({ clock: 'manual', witnesses: 7, backupKeys: 0, healthEndpoints: false });
          try {
            // the schedule in force when each block was made (before a reshuffle it may have caused)
            const scheduleBefore = new Map<number, ScheduleView>();
            let current = sim.chain.schedule();
            sim.onBlock((block: BlockRecord) => {
              scheduleBefore.set(block.num, current);
              current = sim.chain.schedule();
            });
            const down = new Set<number>();
            for (const step of steps) {
              const witness = sim.witnesses[step.toggle];
              if (witness && step.toggle < 6) {
                // at least one witness stays up so that the chain moves
                if (down.has(step.toggle)) {
                  down.delete(step.toggle);
                  await sim.startNode(witness.signingKey);
                } else {
                  down.add(step.toggle);
                  await sim.stopNode(witness.signingKey);
                }
              }
              await sim.advanceSlots(step.slots);
            }
            const blocks = sim.chain.blocks();
            const missed = sim.chain.missedSlots();
            const missedByAslot = new Map(missed.map((m) => [m.aslot, m]));
            for (let i = 1; i < blocks.length; i++) {
              const prev = blocks[i - 1] as BlockRecord;
              const block = blocks[i] as BlockRecord;
              const schedule = scheduleBefore.get(block.num) as ScheduleView;
              expect(block.num).toBe(prev.num + 1);
              expect(block.previous).toBe(prev.id);
              expect(block.aslot).toBeGreaterThan(prev.aslot);
              expect(block.timestamp - prev.timestamp).toBe((block.aslot - prev.aslot) * sim.blockIntervalMs);
              expect(block.witness).toBe(schedule.current[block.aslot % schedule.current.length]);
              for (let a = prev.aslot + 1; a < block.aslot; a++) {
                const scheduled = schedule.current[a % schedule.current.length];
                if (scheduled === block.witness) expect(missedByAslot.has(a)).toBe(false);
                else expect(missedByAslot.get(a)).toMatchObject({ witness: scheduled, chargedInBlock: block.num });
              }
            }
            const charged = missed.filter((m) => m.aslot <= (blocks.at(-1)?.aslot ?? 0));
            expect(charged).toHaveLength(missed.length);
            for (const w of sim.witnesses) {
              expect(sim.chain.witness(w.name)?.total_missed).toBe(missed.filter((m) => m.witness === w.name).length);
            }
          } finally {
            await sim.stop();
          }
        },
      ),
      { numRuns: 25, seed: 42 },
    );
  });
});
