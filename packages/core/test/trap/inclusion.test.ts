import { describe, expect, it } from 'vitest';
import type { TrapEvents } from '../../src/events.js';
import { FailoverTrap } from '../../src/trap.js';
import { keySwitches, scenarios, stepUntil } from './sim-harness.js';

const start = scenarios();

describe('confirmation is inclusion in a block', () => {
  it('a switch a node holds in its pending state but never includes is not confirmed, and is re-signed after expiry', async () => {
    // hived answers witness reads with pending transactions applied: the new key shows before any block has it.
    const scenario = await start({ readsIncludePending: true });
    const { sim, witness, backupKeys } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions({ maxAttempts: 4, confirmTimeoutMs: 9000 }));
    const confirmed: Array<TrapEvents['confirmed']> = [];
    const txIds: string[] = [];
    trap.on('confirmed', (e) => confirmed.push(e));
    trap.on('broadcast', (e) => {
      if (!txIds.includes(e.txId)) txIds.push(e.txId);
    });
    await trap.arm();
    const withheld = await sim.injectFault({ kind: 'withhold-broadcasts' });
    await sim.stopNode(witness.signingKey);
    const run = trap.run();
    let shownBeforeIncluded = false;
    for (let i = 0; i < 80 && txIds.length < 2; i++) {
      await sim.advanceSlots(1);
      const read = (await scenario.chain.getWitness(witness.name)).value?.signingKey;
      if (read === backupKeys[0] && sim.chain.witness(witness.name)?.signing_key === witness.signingKey) {
        shownBeforeIncluded = true;
      }
    }
    // The node showed the new key while no block held it, yet nothing was reported confirmed; it was re-signed.
    expect(shownBeforeIncluded).toBe(true);
    expect(txIds.length).toBeGreaterThanOrEqual(2);
    expect(confirmed).toEqual([]);
    expect(keySwitches(sim, witness.name)).toEqual([]);
    // The node relays again: a later attempt lands, and the confirmation names the block that included it.
    await withheld.remove();
    const result = await stepUntil(sim, run, 80);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    const [included] = keySwitches(sim, witness.name);
    expect(included).toBeDefined();
    expect(confirmed).toEqual([expect.objectContaining({ txId: included?.id, blockNum: included?.blockNum })]);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
  });
});
