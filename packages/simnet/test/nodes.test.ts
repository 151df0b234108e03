import { afterEach, describe, expect, it } from 'vitest';
import { type NodeHealth, type Simnet, startSimnet } from '../src/index.js';
import { dhiveClient, rpc } from './helpers.js';

let sim: Simnet | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe('witness nodes', () => {
  it('each have a health URL that goes dark while the node is down', async () => {
    // refused, not blackholed: the test asserts the immediate refusal (the blackhole has its own test)
    sim = await startSimnet({ clock: 'manual', deadNodes: 'refuse' });
    const demo = sim.witnesses[0] as NonNullable<Simnet['witnesses'][0]>;
    const url = sim.nodeHealthUrl(demo.signingKey);
    const health = (await (await fetch(url)).json()) as NodeHealth;
    expect(health).toMatchObject({ key: demo.signingKey, producing: true, witness: demo.name });
    expect(health.head_block_number).toBe(sim.chain.head().number);
    const backupUrl = sim.nodeHealthUrl(demo.backupKeys[0]?.publicKey as string);
    expect(((await (await fetch(backupUrl)).json()) as NodeHealth).producing).toBe(false);
    const viaRpc = await rpc(url, 'condenser_api.get_dynamic_global_properties');
    expect(viaRpc.result).toMatchObject({ head_block_number: sim.chain.head().number });
    await sim.stopNode(demo.signingKey);
    await expect(fetch(url)).rejects.toThrow();
    await sim.startNode(demo.signingKey);
    expect(((await (await fetch(url)).json()) as NodeHealth).producing).toBe(true);
  });

  it('adds a node for a key made later, which produces once that key is on chain', async () => {
    sim = await startSimnet({ clock: 'manual', backupKeys: 0 });
    const { PrivateKey, utils } = await import('@hiveio/dhive');
    const demo = sim.witnesses[0] as NonNullable<Simnet['witnesses'][0]>;
    const fresh = PrivateKey.fromSeed('a key made later').createPublic('STM').toString();
    await sim.addNode(fresh, { up: false });
    await expect(fetch(sim.nodeHealthUrl(fresh))).rejects.toThrow();
    const client = dhiveClient(sim);
    const op = utils.buildWitnessUpdateOp(demo.name, { key: demo.signingKey, new_signing_key: fresh });
    await client.broadcast.sendOperations([op], PrivateKey.fromString(demo.privateKey));
    await sim.advanceSlots(1);
    expect(sim.chain.witness(demo.name)?.signing_key).toBe(fresh);
    // down: its slot is missed; up (over RPC, as a script would): it produces
    const missedBefore = sim.chain.witness(demo.name)?.total_missed ?? 0;
    const s = sim;
    while ((s.chain.witness(demo.name)?.total_missed ?? 0) === missedBefore) await s.advanceSlots(1);
    await rpc(s.url, 'simnet_api.start_node', { key: fresh });
    await s.advanceSlots(42);
    expect(s.chain.blocks().some((b) => b.witness === demo.name && b.signingKey === fresh)).toBe(true);
  });

  it('stops and starts nodes over RPC', async () => {
    sim = await startSimnet({ clock: 'manual' });
    const demo = sim.witnesses[0] as NonNullable<Simnet['witnesses'][0]>;
    expect((await rpc(sim.url, 'simnet_api.stop_node', { key: demo.signingKey })).result).toEqual({});
    await sim.advanceSlots(42);
    expect(sim.chain.witness(demo.name)?.total_missed).toBeGreaterThan(0);
    const state = (await rpc(sim.url, 'simnet_api.get_state', {})).result as {
      nodes: Array<{ key: string; up: boolean }>;
    };
    expect(state.nodes.find((n) => n.key === demo.signingKey)?.up).toBe(false);
    expect((await rpc(sim.url, 'simnet_api.stop_node', { key: 'STMunknown' })).error).toMatchObject({ code: -32602 });
    expect(
      (await rpc(sim.url, 'simnet_api.inject_fault', { kind: 'latency', ms: 1, endpoint: 9 })).error,
    ).toMatchObject({
      code: -32602,
    });
  });
});

describe('the real clock', () => {
  it('produces blocks at the block interval', async () => {
    sim = await startSimnet({ blockIntervalMs: 50 });
    const start = sim.chain.head().number;
    const block = await sim.waitForBlock(start + 4, { timeoutMs: 5000 });
    expect(block.num).toBeGreaterThanOrEqual(start + 4);
    const client = dhiveClient(sim);
    const dgp = await client.database.getDynamicGlobalProperties();
    expect(dgp.head_block_number).toBeGreaterThanOrEqual(start + 4);
    expect(dgp.time).toMatch(/\.\d{3}$/);
    expect((await client.database.getConfig()).HIVE_BLOCK_INTERVAL).toBe(0.05);
  });
});
