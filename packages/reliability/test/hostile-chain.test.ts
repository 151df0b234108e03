/**
 * The hostile chain's own realism items, one scenario each (issue 11): a blackholed RPC node and health URL, a proxy
 * serving a stale schedule across shuffles, a micro-fork orphaning the block that holds the switch, and two monitors
 * whose racing switches are each accepted by a different node. Every assertion is on the chain.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { keySwitches, missesOf, type Scenario, startScenario, stepSlowly, stepUntil } from '../src/scenario.js';

let scenario: Scenario | undefined;
afterEach(async () => {
  await scenario?.close();
  scenario = undefined;
});

describe('on the hostile chain', () => {
  it('a blackholed RPC node (connection accepted, never answered): the switch still lands, once', async () => {
    scenario = await startScenario();
    const { sim, witness, backupKeys } = scenario;
    await sim.injectFault({ kind: 'blackhole' }, { endpoint: 0 });
    const monitor = scenario.trap({ chain: scenario.newChain({ timeoutMs: 300 }) });
    await monitor.trap.arm();
    const run = monitor.trap.run();
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, run, 63);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    await sim.advanceSlots(21);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
  });

  it('a blackholed health URL (the backup host froze): that backup counts as down, the next one gets the switch', async () => {
    scenario = await startScenario();
    const { sim, witness, backupKeys } = scenario;
    const [b1, b2] = backupKeys as [string, string];
    const health = { [b1]: sim.nodeHealthUrl(b1), [b2]: sim.nodeHealthUrl(b2) };
    // The simnet's default for a dead node: its health URL takes the connection and never answers.
    await sim.stopNode(b1);
    const monitor = scenario.trap({ health });
    await stepUntil(sim, monitor.trap.arm(), 21);
    const run = monitor.trap.run();
    // Real time passes beside the chain's (the probes' bound is real time): the background checks of a round end.
    expect(await stepSlowly(sim, run, 42, 80)).toBe(false);
    await sim.stopNode(witness.signingKey);
    expect(await stepSlowly(sim, run, 63, 80)).toBe(true);
    await expect(run).resolves.toMatchObject({ status: 'confirmed', last: { toKey: b2 } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(b2);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(missesOf(sim, witness.name)).toHaveLength(1);
  });

  it('a proxy whose backends are a block apart, across shuffles: no false fire, then one switch on a real miss', async () => {
    // every read behind the proxy, none cached: the schedule read can come from before the shuffle the head is past
    scenario = await startScenario({ proxy: { cacheMs: 0, backends: 2, backendLagBlocks: 1 }, microForkRate: 0 });
    const { sim, witness, backupKeys } = scenario;
    const monitor = scenario.trap({ mode: 'daemon' });
    await monitor.trap.arm();
    const run = monitor.trap.run();
    expect(await stepUntil(sim, run, 84)).toEqual({ settled: false });
    expect(monitor.of('missed')).toEqual([]);
    expect(keySwitches(sim, witness.name)).toEqual([]);
    await sim.stopNode(witness.signingKey);
    for (let i = 0; i < 63 && sim.chain.witness(witness.name)?.signing_key !== backupKeys[0]; i++)
      await sim.advanceSlots(1);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(missesOf(sim, witness.name)).toHaveLength(1);
    await monitor.trap.stop();
  });

  it('a micro-fork orphans the block holding the switch: the switch still lands exactly once', async () => {
    // forks only where the scenario asks (orphanNextHead), so the orphan is the block with the switch
    scenario = await startScenario({ microForkRate: 0 });
    const { sim, witness, backupKeys } = scenario;
    const monitor = scenario.trap();
    await monitor.trap.arm();
    const run = monitor.trap.run();
    await sim.stopNode(witness.signingKey);
    for (let i = 0; i < 63 && keySwitches(sim, witness.name).length === 0; i++) await sim.advanceSlots(1);
    const [landed] = keySwitches(sim, witness.name);
    expect(landed?.blockNum).toBe(sim.chain.head().number);
    sim.orphanNextHead();
    const result = await stepUntil(sim, run, 63);
    expect(sim.chain.forks().map((f) => f.orphaned.num)).toEqual([landed?.blockNum]);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    await sim.advanceSlots(21);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
  });

  it('a micro-fork orphans the head the switch was signed on: the one signed switch still lands (TaPoS on a block that survives)', async () => {
    // forks only where the scenario asks: the block after the broadcast orphans the head the trap read when signing;
    // no proxy, so that the head the trap reads is the chain's head (behind the proxy it is often a block older)
    scenario = await startScenario({ microForkRate: 0, proxy: false });
    const { sim, witness, backupKeys } = scenario;
    const monitor = scenario.trap();
    await monitor.trap.arm();
    const run = monitor.trap.run();
    let signedOn: number | undefined;
    monitor.trap.once('broadcast', () => {
      signedOn = sim.chain.head().number;
      sim.orphanNextHead();
    });
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, run, 63);
    expect(sim.chain.forks().map((f) => f.orphaned.num)).toEqual([signedOn]);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    await sim.advanceSlots(21);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    // One transaction signed and sent: the fork did not cost a re-sign (and the slots that take).
    expect(new Set(sim.chain.broadcasts().map((b) => b.txId)).size).toBe(1);
  });

  it("two monitors' switches are each accepted by a different node: one lands, both end confirmed", async () => {
    // a slow p2p relay (2 s) so that each node accepts its own monitor's switch before it hears of the other's
    scenario = await startScenario({ propagationDelayMs: 2000, microForkRate: 0 });
    const { sim, witness, backupKeys } = scenario;
    const first = scenario.trap({ chain: scenario.newChain({ nodes: [sim.urls[0] as string] }) });
    const second = scenario.trap({ chain: scenario.newChain({ nodes: [sim.urls[1] as string] }) });
    await first.trap.arm();
    await second.trap.arm();
    const both = Promise.all([first.trap.run(), second.trap.run()]);
    const confirmedAt: number[] = [];
    for (const m of [first, second]) m.trap.once('confirmed', () => confirmedAt.push(sim.chain.head().number));
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, both, 63);
    expect(result.settled).toBe(true);
    const outcomes = 'value' in result ? result.value : [];
    expect(outcomes.map((o) => o.status)).toEqual(['confirmed', 'confirmed']);
    const accepted = sim.chain
      .broadcasts()
      .filter((b) => b.accepted && b.operations.includes('witness_set_properties'));
    expect(new Set(accepted.map((b) => b.endpoint)).size).toBe(2);
    // The loser converges within a block of the winner's key (the one-block hold on a peer's key), not at its own
    // transaction's expiry ten blocks later.
    const [landed] = keySwitches(sim, witness.name);
    expect(confirmedAt).toHaveLength(2);
    for (const at of confirmedAt) expect(at - (landed?.blockNum ?? 0)).toBeLessThanOrEqual(2);
    await sim.advanceSlots(21);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
  });
});
