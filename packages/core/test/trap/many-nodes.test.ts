/**
 * Many RPC nodes: a decisive read asks every node at once, each call listening on the run's abort signal. Node warns
 * on stderr past ten listeners on one signal (MaxListenersExceededWarning), which would break the CLI's promise of
 * nothing but its own lines on stderr. The trap's signals take that many listeners (they are all removed again).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FailoverTrap } from '../../src/trap.js';
import { keySwitches, scenarios, stepUntil } from './sim-harness.js';

const start = scenarios();
const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
beforeEach(() => {
  warnings.length = 0;
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});

it('fails over through seven RPC nodes without a listener warning', async () => {
  const scenario = await start({ endpoints: 7 });
  const { sim, witness, backupKeys } = scenario;
  const trap = new FailoverTrap(scenario.trapOptions());
  await trap.arm();
  await sim.stopNode(witness.signingKey);
  expect(await stepUntil(sim, trap.run(), 63)).toMatchObject({ settled: true, value: { status: 'confirmed' } });
  expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
  expect(keySwitches(sim, witness.name)).toHaveLength(1);
  await new Promise((resolve) => setImmediate(resolve));
  expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
});
