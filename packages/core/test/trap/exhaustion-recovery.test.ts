import { describe, expect, it } from 'vitest';
import type { TrapEvents } from '../../src/events.js';
import { FailoverTrap } from '../../src/trap.js';
import { keySwitches, type Scenario, scenarios } from './sim-harness.js';

const start = scenarios();

/** Steps one slot at a time until `done()` or `maxSlots` pass; says whether `done()` came true. */
async function stepWhile(s: Scenario, done: () => boolean, maxSlots: number): Promise<boolean> {
  for (let i = 0; i < maxSlots && !done(); i++) await s.sim.advanceSlots(1);
  return done();
}

describe('exhaustion recovery (trap/exhaustion.ts, composed by the trap)', () => {
  it('an exhausted daemon fails over as soon as a key node proves up, not after the miss policy fires again', async () => {
    // refused, not blackholed: a probe's timeout is real time, which the manual clock cannot step
    const scenario = await start({ deadNodes: 'refuse' });
    const { sim, witness } = scenario;
    const [b1] = scenario.backupKeys as [string];
    const rotation = [witness.signingKey, b1];
    const health = Object.fromEntries(rotation.map((k) => [k, sim.nodeHealthUrl(k)]));
    // Three misses fire the policy: a recovery that waited for it would take three more rounds of b1's slots.
    const trap = new FailoverTrap(scenario.trapOptions({ mode: 'daemon', backupKeys: rotation, health, misses: 3 }));
    const exhausted: Array<TrapEvents['exhausted']> = [];
    const triggered: Array<TrapEvents['triggered']> = [];
    trap.on('exhausted', (e) => exhausted.push(e));
    trap.on('triggered', (e) => triggered.push(e));
    await trap.arm();
    const run = trap.run();
    const signingKey = () => sim.chain.witness(witness.name)?.signing_key;

    await sim.stopNode(witness.signingKey);
    expect(await stepWhile(scenario, () => signingKey() === b1, 120)).toBe(true);
    // b1 dies too, and the primary's node is still down: nothing to switch to.
    await sim.stopNode(b1);
    expect(await stepWhile(scenario, () => exhausted.length > 0, 120)).toBe(true);
    expect(exhausted).toEqual([{ witness: witness.name, triedKeys: [witness.signingKey], killSwitch: false }]);

    // The primary's node is repaired: its health URL, probed after b1's next slot, is the proof.
    await sim.startNode(witness.signingKey);
    const before = triggered.length;
    expect(await stepWhile(scenario, () => signingKey() === witness.signingKey, 42)).toBe(true);
    await trap.stop();
    await run;
    expect(keySwitches(sim, witness.name).map((t) => t.signerKeys[0])).toEqual([witness.signingKey, b1]);
    expect(triggered.slice(before).map((e) => e.reason)).toEqual(['missed']);
    expect(exhausted).toHaveLength(1);
  });
});
