/**
 * A slot of the witness that passes while the trap is still arming (issue 19, "never blind"). With one of two RPC
 * nodes blackholed from the start, every decisive read of the arming waits a block interval for it before deciding
 * on the other: the witness's baseline is read, the next block (which charges the slot just missed) arrives, and
 * only then does the watch read its first head. That slot must be checked, not absorbed into the next one's count a
 * round later. Manual clock: the window is made exactly (arm mid-slot, one block before the watch first looks).
 */
import { slotsIfMissing } from '@witness-trap/simnet';
import { describe, expect, it } from 'vitest';
import type { TrapEvents } from '../../src/events.js';
import { FailoverTrap } from '../../src/trap.js';
import { keySwitches, missesOf, scenarios, stepUntil } from './sim-harness.js';

const start = scenarios();
/** Short blocks: the blackholed node is cut after an interval of real time (the client's own timer). */
const INTERVAL = 300;

describe('a slot that passes while the trap arms', () => {
  it('is checked when the watch first looks: one missed slot, the switch lands before the next', async () => {
    const scenario = await start({ endpoints: 2, blockIntervalMs: INTERVAL });
    const { sim, witness, backupKeys } = scenario;
    await sim.injectFault({ kind: 'blackhole' }, { endpoint: 1 });
    const [slot = 0, next = 0] = slotsIfMissing(sim.chain, witness.name, 2) ?? [];
    expect(next - slot).toBeGreaterThan(5);
    // The primary's node dies before its slot; the trap arms in the middle of that slot, when it is missed but
    // not yet charged (hived charges a miss with the next block).
    await sim.stopNode(witness.signingKey);
    const head = sim.chain.head();
    await sim.clock.advance((slot - head.aslot) * INTERVAL + INTERVAL / 2);
    const trap = new FailoverTrap(scenario.trapOptions());
    const missed: Array<TrapEvents['missed']> = [];
    trap.on('missed', (e) => missed.push(e));
    const armed = await trap.arm();
    expect(armed.baselineTotalMissed).toBe(sim.chain.witness(witness.name)?.total_missed);
    // The next block charges the miss before the watch reads its first head.
    await sim.clock.advance(INTERVAL);
    expect(missesOf(sim, witness.name).map((m) => m.aslot)).toEqual([slot]);

    const result = await stepUntil(sim, trap.run(), 40);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(missed.map((e) => e.aslot)).toEqual([slot]);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    // Landed before the witness's next slot: that one is produced on the backup key, the only miss is the first.
    await sim.advanceSlots(next - sim.chain.head().aslot + 1);
    expect(missesOf(sim, witness.name).map((m) => m.aslot)).toEqual([slot]);
  }, 60_000);
});
