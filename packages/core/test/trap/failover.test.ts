import { afterEach, describe, expect, it } from 'vitest';
import { FailoverTrap } from '../../src/trap.js';
import { keySwitches, missesOf, type Scenario, startScenario, stepUntil } from './sim-harness.js';

let scenario: Scenario | undefined;
afterEach(async () => {
  await scenario?.close();
  scenario = undefined;
});

describe('FailoverTrap on the simulated chain', () => {
  it('switches to the first backup after the first missed slot, signed by the old signing key', async () => {
    scenario = await startScenario();
    const { sim, witness, backupKeys } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions());
    const armed = await trap.arm();
    expect(armed).toMatchObject({ currentKey: witness.signingKey, nextKey: backupKeys[0] });
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, trap.run(), 120);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });

    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    const switches = keySwitches(sim, witness.name);
    expect(switches).toHaveLength(1);
    expect(switches[0]?.operations[0]?.[0]).toBe('witness_set_properties');
    expect(switches[0]?.signerKeys).toEqual([witness.signingKey]);
    expect(missesOf(sim, witness.name)).toHaveLength(1);
  });
});
