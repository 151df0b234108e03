import { type Client, utils } from '@hiveio/dhive';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NULL_KEY, type Simnet, startSimnet } from '../src/index.js';
import { dhiveClient, post, rpc, signOps } from './helpers.js';

let sim: Simnet;
let client: Client;

beforeEach(async () => {
  sim = await startSimnet({ clock: 'manual', endpoints: 2 });
  client = dhiveClient(sim);
  await sim.advanceSlots(2);
});
afterEach(async () => {
  await sim.stop();
});

const demo = () => sim.witnesses[0] as NonNullable<Simnet['witnesses'][0]>;
const dgpCall = { jsonrpc: '2.0', id: 1, method: 'condenser_api.get_dynamic_global_properties', params: [] };

async function switchTx() {
  const backup = demo().backupKeys[0]?.publicKey as string;
  const op = utils.buildWitnessUpdateOp(demo().name, { key: demo().signingKey, new_signing_key: backup });
  return signOps(client, sim, [op], [demo().privateKey]);
}

describe('faults, seen from a client', () => {
  it('delays answers with latency, on that endpoint only', async () => {
    await sim.injectFault({ kind: 'latency', ms: 300 });
    const finished: string[] = [];
    const slow = post(sim.url, dgpCall).then(() => finished.push('slow'));
    const fast = post(sim.urls[1] as string, dgpCall).then(() => finished.push('fast'));
    await Promise.all([slow, fast]);
    expect(finished).toEqual(['fast', 'slow']);
  });

  it('fails requests with HTTP 503, HTTP 500 or JSON-RPC error bodies', async () => {
    const handle = await sim.injectFault({ kind: 'error-rate', rate: 1, response: 'http-503' });
    expect((await post(sim.url, dgpCall)).status).toBe(503);
    await handle.remove();
    await sim.injectFault({ kind: 'error-rate', response: 'http-500' });
    expect((await post(sim.url, dgpCall)).status).toBe(500);
    await sim.clearFaults();
    await sim.injectFault({ kind: 'error-rate', response: 'rpc-internal' });
    expect((await rpc(sim.url, dgpCall.method)).error).toMatchObject({ code: -32603 });
    await sim.clearFaults(0);
    await sim.injectFault({ kind: 'error-rate', response: 'rpc-server' });
    await expect(client.database.getDynamicGlobalProperties()).rejects.toThrow();
    await sim.clearFaults();
    expect((await client.database.getDynamicGlobalProperties()).head_block_number).toBe(sim.chain.head().number);
  });

  it('fails about the given share of requests, the same ones for the same seed', async () => {
    const outcomes = async () => {
      const s = await startSimnet({ clock: 'manual', seed: 'rate' });
      await s.injectFault({ kind: 'error-rate', rate: 0.3, response: 'http-500' });
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await post(s.url, dgpCall)).status);
      await s.stop();
      return statuses;
    };
    const first = await outcomes();
    const failed = first.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(40);
    expect(await outcomes()).toEqual(first);
  });

  it('serves a frozen snapshot of the whole state, and never applies broadcasts sent to it', async () => {
    const frozenHead = sim.chain.head().number;
    await sim.injectFault({ kind: 'frozen-head' });
    await sim.advanceSlots(5);
    const frozen = dhiveClient(sim, sim.url);
    const live = dhiveClient(sim, sim.urls[1]);
    expect((await frozen.database.getDynamicGlobalProperties()).head_block_number).toBe(frozenHead);
    expect((await live.database.getDynamicGlobalProperties()).head_block_number).toBe(frozenHead + 5);
    expect(await frozen.database.getBlock(frozenHead + 1)).toBeNull();
    const tx = await signOps(
      frozen,
      sim,
      [
        utils.buildWitnessUpdateOp(demo().name, {
          key: demo().signingKey,
          new_signing_key: demo().backupKeys[0]?.publicKey as string,
        }),
      ],
      [demo().privateKey],
    );
    expect(await frozen.call('condenser_api', 'broadcast_transaction', [tx])).toEqual({});
    await sim.advanceSlots(2);
    expect(sim.chain.witness(demo().name)?.signing_key).toBe(demo().signingKey);
    await sim.clearFaults();
    expect((await frozen.database.getDynamicGlobalProperties()).head_block_number).toBe(frozenHead + 7);
  });

  it('refuses connections while the fault lasts, and serves again on the same port after', async () => {
    const handle = await sim.injectFault({ kind: 'refuse-connections' });
    await expect(fetch(sim.url, { method: 'POST', body: JSON.stringify(dgpCall) })).rejects.toThrow();
    expect((await post(sim.urls[1] as string, dgpCall)).status).toBe(200);
    await handle.remove();
    expect((await post(sim.url, dgpCall)).status).toBe(200);
  });

  it('refuses connections when asked over RPC, after answering that request', async () => {
    const answer = await rpc(sim.url, 'simnet_api.inject_fault', { kind: 'refuse-connections' });
    expect(answer.result).toMatchObject({ id: expect.any(Number) });
    await expect(fetch(sim.url, { method: 'POST', body: JSON.stringify(dgpCall) })).rejects.toThrow();
    await rpc(sim.urls[1] as string, 'simnet_api.clear_faults', { endpoint: 0 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await post(sim.url, dgpCall)).status).toBe(200);
  });

  it('accepts broadcasts it never answers (hang): the switch still lands', async () => {
    await sim.injectFault({ kind: 'hang-broadcasts' });
    const tx = await switchTx();
    const controller = new AbortController();
    const answer = fetch(sim.url, {
      method: 'POST',
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'condenser_api.broadcast_transaction', params: [tx] }),
      signal: controller.signal,
    });
    const timedOut = await Promise.race([answer.then(() => false), new Promise((r) => setTimeout(() => r(true), 200))]);
    expect(timedOut).toBe(true);
    controller.abort();
    await answer.catch(() => undefined);
    await sim.advanceSlots(1);
    expect(sim.chain.witness(demo().name)?.signing_key).toBe(demo().backupKeys[0]?.publicKey);
    expect(sim.chain.broadcasts().at(-1)).toMatchObject({ accepted: true, fault: 'hang-broadcasts' });
  });

  it('answers {} to broadcasts it silently drops: the switch never lands', async () => {
    await sim.injectFault({ kind: 'drop-broadcasts' });
    const tx = await switchTx();
    expect(await client.call('condenser_api', 'broadcast_transaction', [tx])).toEqual({});
    await sim.advanceSlots(3);
    expect(sim.chain.witness(demo().name)?.signing_key).toBe(demo().signingKey);
    expect(sim.chain.transactions()).toEqual([]);
    expect(sim.chain.broadcasts().at(-1)).toMatchObject({ accepted: false, fault: 'drop-broadcasts' });
    // the same signed transaction sent to a healthy endpoint lands
    await dhiveClient(sim, sim.urls[1]).broadcast.send(tx);
    await sim.advanceSlots(1);
    expect(sim.chain.witness(demo().name)?.signing_key).toBe(demo().backupKeys[0]?.publicKey);
  });

  it('resets the connection in the middle of a response', async () => {
    await sim.injectFault({ kind: 'reset-connection' });
    await expect(post(sim.url, dgpCall)).rejects.toThrow();
  });

  it('answers with an HTML error page', async () => {
    await sim.injectFault({ kind: 'html-error', status: 502 });
    const answer = await post(sim.url, dgpCall);
    expect(answer.status).toBe(502);
    expect(answer.text).toMatch(/<html>/);
    await expect(dhiveClient(sim, sim.url, 300).database.getDynamicGlobalProperties()).rejects.toThrow();
  });

  it('lies about the head and the witness object', async () => {
    await sim.injectFault({ kind: 'lying-head', aheadBlocks: 500, totalMissedDelta: 3 });
    const dgp = await client.database.getDynamicGlobalProperties();
    expect(dgp.head_block_number).toBe(sim.chain.head().number + 500);
    const witness = await client.call('condenser_api', 'get_witness_by_account', [demo().name]);
    expect(witness.signing_key).toBe(NULL_KEY);
    expect(witness.total_missed).toBe(3);
    const found = await client.call('database_api', 'find_witnesses', { owners: [demo().name] });
    expect(found.witnesses[0].signing_key).toBe(NULL_KEY);
    const honest = await dhiveClient(sim, sim.urls[1]).database.getDynamicGlobalProperties();
    expect(honest.head_block_number).toBe(sim.chain.head().number);
  });

  it('applies a fault to the listed methods only', async () => {
    await sim.injectFault({ kind: 'error-rate', response: 'http-500', methods: ['condenser_api.get_block'] });
    expect((await post(sim.url, dgpCall)).status).toBe(200);
    const blockCall = { jsonrpc: '2.0', id: 1, method: 'condenser_api.get_block', params: [1] };
    expect((await post(sim.url, blockCall)).status).toBe(500);
  });

  it('takes faults over RPC (simnet_api) and reports them in get_state', async () => {
    const injected = await rpc(sim.url, 'simnet_api.inject_fault', { kind: 'latency', ms: 1, endpoint: 1 });
    expect(injected.result).toMatchObject({ id: expect.any(Number) });
    const state = (await rpc(sim.url, 'simnet_api.get_state', {})).result as { faults: unknown[] };
    expect(state.faults).toEqual([expect.objectContaining({ kind: 'latency', endpoint: 1 })]);
    expect((await rpc(sim.url, 'simnet_api.inject_fault', { kind: 'earthquake' })).error).toMatchObject({
      code: -32602,
    });
    expect((await rpc(sim.url, 'simnet_api.inject_fault', { kind: 'latency', ms: -1 })).error).toMatchObject({
      code: -32602,
    });
    await rpc(sim.url, 'simnet_api.clear_faults', {});
    const cleared = (await rpc(sim.url, 'simnet_api.get_state', {})).result as { faults: unknown[] };
    expect(cleared.faults).toEqual([]);
  });
});
