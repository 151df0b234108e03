import { describe, expect, it } from 'vitest';
import { dhiveChainClient } from '../../src/chain/dhive-client.js';
import type { TrapEvents } from '../../src/events.js';
import { FailoverTrap } from '../../src/trap.js';
import { keySwitches, scenarios, stepUntil } from './sim-harness.js';

const start = scenarios();

function record(trap: FailoverTrap) {
  const missed: Array<TrapEvents['missed']> = [];
  const errors: string[] = [];
  trap.on('missed', (e) => missed.push(e));
  trap.on('error', (e) => errors.push(e.error.code));
  return { missed, errors };
}

/** A trap armed and running over `endpoints` API endpoints, the first of them then frozen. */
async function runningWithFrozenNode(endpoints: number) {
  const scenario = await start({ endpoints });
  const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const log = {
    debug() {},
    info() {},
    warn: (message: string, fields?: Record<string, unknown>) =>
      warnings.push({ message, ...(fields ? { fields } : {}) }),
    error() {},
  };
  const trap = new FailoverTrap(scenario.trapOptions({ log }));
  const seen = record(trap);
  await trap.arm();
  const run = trap.run();
  await scenario.sim.injectFault({ kind: 'frozen-head' }, { endpoint: 0 });
  return { ...scenario, seen, run, trap, warnings };
}

describe('FailoverTrap never fires on data it does not trust', () => {
  it('does not fire while its only node is frozen, and fires once the node is fresh again', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions());
    const seen = record(trap);
    await trap.arm();
    const run = trap.run();
    await sim.advanceSlots(2);
    await sim.injectFault({ kind: 'frozen-head' });
    await sim.stopNode(witness.signingKey);
    const frozen = await stepUntil(sim, run, 63);
    expect(frozen).toEqual({ settled: false });
    expect(seen.missed).toEqual([]);
    expect(seen.errors).toContain('STALE_DATA');
    expect(keySwitches(sim, witness.name)).toEqual([]);

    await sim.clearFaults();
    const result = await stepUntil(sim, run, 63);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
  });

  it('ignores a frozen node beside two fresh ones: no false fire while the witness produces, a real miss still fires', async () => {
    const { sim, witness, backupKeys, seen, run } = await runningWithFrozenNode(3);
    expect(await stepUntil(sim, run, 63)).toEqual({ settled: false });
    expect(seen.missed).toEqual([]);
    expect(keySwitches(sim, witness.name)).toEqual([]);

    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, run, 63);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(seen.missed).toHaveLength(1);
  });

  it('with two nodes, one frozen: the trap decides on the other (DEGRADED), the miss held a block later, and fires', async () => {
    const { sim, witness, backupKeys, seen, run, trap, warnings } = await runningWithFrozenNode(2);
    const nodeEvents: Array<TrapEvents['nodes']> = [];
    trap.on('nodes', (e) => nodeEvents.push(e));
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, run, 63);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(seen.missed).toHaveLength(1);
    // Said: the frozen node is unavailable, the trap degraded.
    // (The trap tells its first look at the nodes too; the change is the first degraded event.)
    const change = nodeEvents.find((e) => e.degraded);
    expect(change).toMatchObject({ available: 1, configured: 2, degraded: true });
    expect(change?.nodes[0]).toMatchObject({
      available: false,
      unavailableReason: expect.stringMatching(/frozen|advanced/),
    });
    // One warning (not one per read) names the unavailable node, since when and why.
    const degraded = warnings.filter((w) => /^DEGRADED: 1 of 2 RPC nodes available/.test(w.message));
    expect(degraded).toHaveLength(1);
    expect(degraded[0]?.fields?.unavailable).toEqual([
      expect.stringMatching(new RegExp(`^${sim.urls[0]} unavailable since \\d{4}-.*\\(.*(frozen|advanced).*\\)$`)),
    ]);
    // The miss was confirmed on a head at least one block past the one it was first seen in.
    const missedSlot = seen.missed[0]!;
    expect(sim.chain.head().number).toBeGreaterThan(missedSlot.seenInBlock);
  });

  it('with two nodes, one frozen, and minNodes 2 (the strict rule): a real miss waits for both, fires once it is back', async () => {
    const scenario = await start({ endpoints: 2 });
    const { sim, witness, backupKeys } = scenario;
    const strict = dhiveChainClient({
      nodes: sim.urls,
      chainId: sim.chainId,
      clock: sim.clock,
      blockIntervalMs: sim.blockIntervalMs,
      timeoutMs: 2000,
      minNodes: 2,
    });
    try {
      const trap = new FailoverTrap(scenario.trapOptions({ chain: strict }));
      const seen = record(trap);
      await trap.arm();
      const run = trap.run();
      await sim.injectFault({ kind: 'frozen-head' }, { endpoint: 0 });
      await sim.stopNode(witness.signingKey);
      expect(await stepUntil(sim, run, 63)).toEqual({ settled: false });
      expect(keySwitches(sim, witness.name)).toEqual([]);
      expect(seen.missed).toEqual([]);
      expect(seen.errors).toContain('STALE_DATA');

      await sim.clearFaults(0);
      const result = await stepUntil(sim, run, 63);
      expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
      expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    } finally {
      await strict.close();
    }
  });

  it('does not fire on a lying node that claims the witness is missing and keyless', async () => {
    const scenario = await start({ endpoints: 2 });
    const { sim, witness } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions());
    const seen = record(trap);
    await trap.arm();
    const run = trap.run();
    await sim.injectFault({ kind: 'lying-head', aheadBlocks: 1000, totalMissedDelta: 5 }, { endpoint: 1 });
    expect(await stepUntil(sim, run, 84)).toEqual({ settled: false });
    expect(seen.missed).toEqual([]);
    expect(keySwitches(sim, witness.name)).toEqual([]);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(witness.signingKey);
    await trap.stop();
    expect(await run).toMatchObject({ status: 'stopped' });
  });

  it('does not fire on a node that fails half its calls while the witness produces', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions());
    const seen = record(trap);
    let slotsFollowed = 0;
    trap.on('next-slot', () => {
      slotsFollowed += 1;
    });
    await trap.arm();
    const run = trap.run();
    await sim.injectFault({ kind: 'error-rate', rate: 0.5, response: 'http-503' });
    expect(await stepUntil(sim, run, 84)).toEqual({ settled: false });
    // It kept following the witness through the errors (four rounds, a slot in each), and counted no miss.
    expect(slotsFollowed).toBeGreaterThanOrEqual(3);
    expect(seen.missed).toEqual([]);
    expect(keySwitches(sim, witness.name)).toEqual([]);
    await trap.stop();
  });
});
