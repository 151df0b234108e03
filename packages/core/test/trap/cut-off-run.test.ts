import { describe, expect, it } from 'vitest';
import { memoryStateStore } from '../../src/state/memory-state-store.js';
import { FailoverTrap } from '../../src/trap.js';
import { keySwitches, scenarios, stepUntil } from './sim-harness.js';

const start = scenarios();

describe('a one-shot run cut off after its switch (trap/carryover.ts, composed by the trap)', () => {
  it('is finished by the next start, as confirmed, with no second switch and nothing announced again', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const [b1] = scenario.backupKeys as [string];
    const store = memoryStateStore();
    const first = new FailoverTrap(scenario.trapOptions({ state: store }));
    await first.arm();
    await sim.stopNode(witness.signingKey);
    expect(await stepUntil(sim, first.run(), 80)).toMatchObject({ value: { status: 'confirmed' } });
    // The process died between the confirmation and the run's end: the switch is recorded, its run is not ended.
    const saved = store.saved;
    const last = saved?.history.at(-1);
    if (saved === undefined || last === undefined) throw new Error('the first run saved no switch');
    delete last.ended;
    await store.save(saved);

    const again = new FailoverTrap(scenario.trapOptions({ state: store }));
    const announced: string[] = [];
    for (const event of ['broadcast', 'confirmed', 'triggered'] as const) again.on(event, () => announced.push(event));
    const result = await stepUntil(sim, again.run(), 5);
    expect(result).toMatchObject({
      value: { status: 'confirmed', last: { fromKey: witness.signingKey, toKey: b1, byPeer: false } },
    });
    expect(announced).toEqual([]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(store.saved?.history.at(-1)?.ended).toBe(true);
  });
});
