/**
 * A daemon's reads leave nothing on the long-lived signals they follow. Node 20's `AbortSignal.any` keeps a WeakRef
 * to every signal it composes in each source for good (Node 22 and 24 clear it on collection): composed with the
 * run's stop signal at nearly every read, it grew a daemon's heap for as long as it ran (measured on Node 20.20:
 * 5,044 WeakRefs after 800 rounds). The trap links signals itself and unlinks them when each read settles.
 */
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { FailoverTrap } from '../../src/trap.js';
import { keySwitches, scenarios } from './sim-harness.js';

const start = scenarios();
let composed: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  composed = vi.spyOn(AbortSignal, 'any');
});
afterEach(() => {
  composed.mockRestore();
});

it('decisive reads on a caller signal leave no listener on it and compose nothing through AbortSignal.any', async () => {
  const scenario = await start({ endpoints: 3 });
  const caller = new AbortController();
  for (let i = 0; i < 50; i++) {
    await scenario.chain.getHead({ decisive: true, signal: caller.signal });
    await scenario.chain.getWitness(scenario.witness.name, { decisive: true, signal: caller.signal });
  }
  // A node's call the decision did not wait for may still be out: it unlinks when it settles.
  expect(getEventListeners(caller.signal, 'abort').length).toBeLessThanOrEqual(3);
  await vi.waitFor(() => expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0), { timeout: 2000 });
  expect(composed).not.toHaveBeenCalled();
});

it('a daemon watching five rounds and failing over composes nothing through AbortSignal.any', async () => {
  const scenario = await start({ endpoints: 3 });
  const { sim, witness, backupKeys } = scenario;
  const trap = new FailoverTrap(scenario.trapOptions({ mode: 'daemon' }));
  await trap.arm();
  const run = trap.run();
  await sim.advanceSlots(5 * 21);
  await sim.stopNode(witness.signingKey);
  await sim.advanceSlots(2 * 21);
  expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
  expect(keySwitches(sim, witness.name)).toHaveLength(1);
  await trap.stop();
  expect(await run).toMatchObject({ status: 'stopped' });
  expect(composed).not.toHaveBeenCalled();
});
