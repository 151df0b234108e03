/**
 * The fault matrix, RPC-node half: one of three API endpoints misbehaves (or all do, for a while) while the trap
 * watches the demo witness. Each case first runs two quiet rounds with the primary up (no false fire), then kills
 * the primary and asserts on the chain: one switch, to the first backup, and, where a healthy endpoint remained,
 * no more missed slots than the threshold (the failover target).
 */
import type { Fault } from '@witness-trap/simnet';
import { afterEach, describe, expect, it } from 'vitest';
import { recordFinding } from '../src/findings.js';
import { keySwitches, missesOf, type Scenario, startScenario, stepUntil } from '../src/scenario.js';

let scenario: Scenario | undefined;
afterEach(async () => {
  await scenario?.close();
  scenario = undefined;
});

const ONE_BAD_ENDPOINT: Array<{ name: string; fault: Fault }> = [
  { name: 'one node down (connections refused)', fault: { kind: 'refuse-connections' } },
  { name: 'one node frozen (stale head)', fault: { kind: 'frozen-head' } },
  { name: 'one node lying (head far ahead, null signing key)', fault: { kind: 'lying-head' } },
  {
    name: 'one node lying (head a little ahead, witness object disagrees)',
    fault: {
      kind: 'lying-head',
      aheadBlocks: 1,
      signingKey: 'STM7jVVfvqPMcBfmMxW9RHxXd4Vy5ZRdr6pUpdGr6Rwv7Lmd3h9Xa',
      totalMissedDelta: 5,
    },
  },
  { name: 'one node slow (latency above the timeout)', fault: { kind: 'latency', ms: 1500 } },
  { name: 'one node erroring on every call (HTTP 503)', fault: { kind: 'error-rate', rate: 1 } },
  {
    name: 'one node erroring on every call (JSON-RPC -32000)',
    fault: { kind: 'error-rate', rate: 1, response: 'rpc-server' },
  },
  { name: 'one node answering HTML error pages', fault: { kind: 'html-error' } },
  { name: 'one node hanging every broadcast', fault: { kind: 'hang-broadcasts' } },
  { name: 'one node silently dropping broadcasts', fault: { kind: 'drop-broadcasts' } },
  { name: 'one node resetting connections mid-response', fault: { kind: 'reset-connection' } },
];

describe('one misbehaving RPC node out of three', () => {
  for (const { name, fault } of ONE_BAD_ENDPOINT) {
    it(`${name}: no false fire in two quiet rounds, then one switch with one missed slot`, async () => {
      scenario = await startScenario();
      const { sim, witness, backupKeys } = scenario;
      const { trap, of } = scenario.trap();
      await trap.arm();
      await sim.injectFault(fault, { endpoint: 0 });
      const run = trap.run();
      expect(await stepUntil(sim, run, 42)).toEqual({ settled: false });
      expect(keySwitches(sim, witness.name)).toHaveLength(0);
      expect(of('triggered')).toHaveLength(0);

      await sim.stopNode(witness.signingKey);
      const result = await stepUntil(sim, run, 60);
      expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
      await sim.advanceSlots(2);
      expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
      expect(keySwitches(sim, witness.name)).toHaveLength(1);
      const [miss] = missesOf(sim, witness.name);
      expect(missesOf(sim, witness.name)).toHaveLength(1);
      const landed = keySwitches(sim, witness.name)[0]?.blockNum ?? 0;
      recordFinding({
        area: 'fault matrix: RPC nodes',
        injected: `${JSON.stringify(fault)} on 1 of 3 endpoints; primary killed after 42 quiet slots`,
        happened: `0 false fires; 1 switch, landed ${landed - (miss?.chargedInBlock ?? 0)} block(s) after the block that showed the miss; 1 missed slot`,
        figures: { missedSlots: 1, switches: 1, errorEvents: of('error').length },
      });
    });
  }
});

describe('every RPC node misbehaving', () => {
  it('all nodes down while the primary dies: no fire, loud errors; once they are back it fails over', async () => {
    scenario = await startScenario();
    const { sim, witness, backupKeys } = scenario;
    const { trap, of } = scenario.trap();
    await trap.arm();
    const run = trap.run();
    await stepUntil(sim, run, 5);
    const faults = await Promise.all(
      [0, 1, 2].map((endpoint) => sim.injectFault({ kind: 'refuse-connections' }, { endpoint })),
    );
    await sim.stopNode(witness.signingKey);
    expect(await stepUntil(sim, run, 30)).toEqual({ settled: false });
    // Blind: nothing may be broadcast, and the operator must be able to see why.
    expect(sim.chain.broadcasts()).toHaveLength(0);
    const blindMisses = missesOf(sim, witness.name).length;
    expect(blindMisses).toBeGreaterThan(0);
    const errors = of('error');
    const staleNodes = of('nodes').some((e) => e.nodes.every((n) => !n.fresh));
    expect(errors.length > 0 || staleNodes).toBe(true);

    await Promise.all(faults.map((f) => f.remove()));
    const result = await stepUntil(sim, run, 60);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    await sim.advanceSlots(2);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    recordFinding({
      area: 'fault matrix: RPC nodes',
      injected: 'all 3 endpoints refuse connections for 30 slots while the primary is dead, then come back',
      happened: `no broadcast while blind (${blindMisses} slots missed meanwhile, ${errors.length} error events, all nodes reported stale: ${staleNodes}); 1 switch after they came back; ${missesOf(sim, witness.name).length} missed slots in all`,
      figures: { blindMisses, errorEvents: errors.length, switches: 1 },
    });
  });

  it('every node erroring: no fire while the primary is up', async () => {
    scenario = await startScenario();
    const { sim, witness } = scenario;
    const { trap, of } = scenario.trap();
    await trap.arm();
    await Promise.all(
      [0, 1, 2].map((endpoint) => sim.injectFault({ kind: 'error-rate', rate: 1, response: 'http-500' }, { endpoint })),
    );
    const run = trap.run();
    expect(await stepUntil(sim, run, 42)).toEqual({ settled: false });
    expect(sim.chain.broadcasts()).toHaveLength(0);
    expect(keySwitches(sim, witness.name)).toHaveLength(0);
    expect(of('triggered')).toHaveLength(0);
    recordFinding({
      area: 'fault matrix: RPC nodes',
      injected: 'all 3 endpoints answer HTTP 500 for two rounds, primary up',
      happened: `no fire, no broadcast; ${of('error').length} error events, ${of('nodes').length} node-status events`,
    });
  });

  it('every node frozen on the same stale head while the primary dies: no fire on stale data', async () => {
    scenario = await startScenario();
    const { sim, witness } = scenario;
    const { trap, of } = scenario.trap();
    await trap.arm();
    const run = trap.run();
    await stepUntil(sim, run, 3);
    await Promise.all([0, 1, 2].map((endpoint) => sim.injectFault({ kind: 'frozen-head' }, { endpoint })));
    await sim.stopNode(witness.signingKey);
    expect(await stepUntil(sim, run, 42)).toEqual({ settled: false });
    expect(sim.chain.broadcasts().filter((b) => b.accepted)).toHaveLength(0);
    expect(keySwitches(sim, witness.name)).toHaveLength(0);
    recordFinding({
      area: 'fault matrix: RPC nodes',
      injected: 'all 3 endpoints frozen on one head while the primary is dead',
      happened: `no switch decided on stale data (${missesOf(sim, witness.name).length} real misses unseen); ${of('error').length} error events; ${of('triggered').length} triggers`,
    });
  });

  it('every node hanging broadcasts: the switch still lands and is confirmed from the chain', async () => {
    scenario = await startScenario();
    const { sim, witness, backupKeys } = scenario;
    const { trap, of } = scenario.trap();
    await trap.arm();
    await Promise.all([0, 1, 2].map((endpoint) => sim.injectFault({ kind: 'hang-broadcasts' }, { endpoint })));
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, trap.run(), 63);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(missesOf(sim, witness.name)).toHaveLength(1);
    recordFinding({
      area: 'fault matrix: RPC nodes',
      injected: 'all 3 endpoints take broadcasts but never answer them; primary killed',
      happened: `1 switch, confirmed from the chain (${of('broadcast').length} broadcast events reporting ${of(
        'broadcast',
      ).reduce((sum, b) => sum + b.acceptedBy.length, 0)} acceptances in all); 1 missed slot`,
    });
  });

  it('every node dropping broadcasts for good: a one-shot trap fails loudly after its attempts, nothing lands', async () => {
    scenario = await startScenario();
    const { sim, witness } = scenario;
    const { trap, of } = scenario.trap();
    await trap.arm();
    await Promise.all([0, 1, 2].map((endpoint) => sim.injectFault({ kind: 'drop-broadcasts' }, { endpoint })));
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, trap.run(), 200);
    expect(result).toMatchObject({ settled: true, error: { name: 'SwitchFailedError' } });
    expect(keySwitches(sim, witness.name)).toHaveLength(0);
    const failed = of('failed');
    expect(failed).toHaveLength(1);
    expect(of('stopped').map((s) => s.reason)).toEqual(['failed']);
    recordFinding({
      area: 'fault matrix: RPC nodes',
      injected: 'all 3 endpoints answer {} to broadcasts and drop them, for good; primary killed',
      happened: `run rejected with ${failed[0]?.error.code} after ${failed[0]?.attempts} signed attempts ('failed' and 'stopped: failed' events); 0 switches; ${missesOf(sim, witness.name).length} missed slots meanwhile`,
    });
  });
});
