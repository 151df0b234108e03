import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simnet, startSimnet } from '../src/index.js';
import { post, rpc } from './helpers.js';

let sim: Simnet;
beforeAll(async () => {
  // no proxy: answers are compared with the live head
  sim = await startSimnet({ clock: 'manual', proxy: false });
  await sim.advanceSlots(3);
});
afterAll(async () => {
  await sim.stop();
});

const errorOf = (body: unknown) => (body as { error?: { code: number; message: string } }).error;

describe('bad input gets JSON-RPC errors and changes nothing', () => {
  it('answers malformed JSON with -32700', async () => {
    const { status, body } = await post(sim.url, '{"jsonrpc": "2.0", "method": ');
    expect(status).toBe(200);
    expect(errorOf(body)?.code).toBe(-32700);
  });

  it('answers a wrong JSON-RPC version, a missing method and non-objects with -32600', async () => {
    for (const bad of [
      { jsonrpc: '1.0', id: 1, method: 'condenser_api.get_config', params: [] },
      { jsonrpc: '2.0', id: 1, params: [] },
      { jsonrpc: '2.0', id: { nested: true }, method: 'condenser_api.get_config' },
      42,
      '"text"',
      null,
    ]) {
      expect(errorOf((await post(sim.url, bad)).body)?.code).toBe(-32600);
    }
    expect(errorOf((await post(sim.url, [])).body)?.code).toBe(-32600);
  });

  it('answers unknown methods with -32601', async () => {
    for (const method of [
      'condenser_api.nope',
      'nope_api.get_config',
      'get_config',
      'condenser_api.__proto__',
      'condenser_api.toString',
    ]) {
      expect((await rpc(sim.url, method)).error).toMatchObject({ code: -32601 });
    }
  });

  it('answers junk params with -32602', async () => {
    const cases: Array<[string, unknown]> = [
      ['condenser_api.get_block', ['one']],
      ['condenser_api.get_block', [-1]],
      ['condenser_api.get_block', {}],
      ['condenser_api.get_witness_by_account', []],
      ['condenser_api.get_witness_by_account', [{ a: 1 }]],
      ['condenser_api.get_accounts', ['alice']],
      ['database_api.find_witnesses', { owners: 'alice' }],
      ['database_api.find_witnesses', []],
      ['database_api.get_witness_schedule', { include_future: 'yes' }],
      ['block_api.get_block_header', { block_num: 'x' }],
      ['condenser_api.broadcast_transaction', [{ hello: 'world' }]],
      ['condenser_api.broadcast_transaction', []],
      ['network_broadcast_api.broadcast_transaction', {}],
      ['condenser_api.get_transaction', ['zz']],
      ['call', ['condenser_api']],
      ['simnet_api.stop_node', { key: 42 }],
    ];
    for (const [method, params] of cases) {
      const answer = await rpc(sim.url, method, params);
      expect({ method, error: answer.error }).toMatchObject({ method, error: { code: -32602 } });
    }
  });

  it('rejects an oversized body with 413 and -32600', async () => {
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'condenser_api.get_config',
      params: ['x'.repeat(1_100_000)],
    });
    const { status, body } = await post(sim.url, huge);
    expect(status).toBe(413);
    expect(errorOf(body)?.code).toBe(-32600);
  });

  it('rejects deep nesting with -32600', async () => {
    const deep = `{"jsonrpc":"2.0","id":1,"method":"condenser_api.broadcast_transaction","params":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(errorOf((await post(sim.url, deep)).body)?.code).toBe(-32600);
  });

  it('answers non-POST requests with 405 and a JSON-RPC error', async () => {
    const response = await fetch(sim.url);
    expect(response.status).toBe(405);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32600);
  });

  it('rejects garbage transactions without changing the chain', async () => {
    const before = JSON.stringify([sim.chain.witness('alice'), sim.chain.pending()]);
    const garbage: unknown[] = [
      { ref_block_num: 1, ref_block_prefix: 1, expiration: 'soon', operations: [], extensions: [], signatures: [] },
      {
        ref_block_num: 1,
        ref_block_prefix: 1,
        expiration: '2026-11-25T16:01:00',
        operations: [['nope', {}]],
        extensions: [],
        signatures: [],
      },
      {
        ref_block_num: 1,
        ref_block_prefix: 1,
        expiration: '2026-11-25T16:01:00',
        operations: [['witness_set_properties', { owner: 'alice', props: [['key', 'zz']], extensions: [] }]],
        extensions: [],
        signatures: [],
      },
      {
        ref_block_num: 1,
        ref_block_prefix: 1,
        expiration: '2026-11-25T16:01:00',
        operations: [['transfer', { from: 'alice', to: 'bob', amount: '1.000 HIVE', memo: '' }]],
        extensions: [],
        signatures: [],
      },
      {
        ref_block_num: 1,
        ref_block_prefix: 1,
        expiration: '2026-11-25T16:01:00',
        operations: [['witness_set_properties', { owner: 'alice', props: [['key', '00'.repeat(33)]], extensions: [] }]],
        extensions: [],
        signatures: ['00'.repeat(65)],
      },
    ];
    for (const tx of garbage) {
      const answer = await rpc(sim.url, 'condenser_api.broadcast_transaction', [tx]);
      expect(answer.error).toBeDefined();
      expect(answer.result).toBeUndefined();
    }
    await sim.advanceSlots(1);
    expect(JSON.stringify([sim.chain.witness('alice'), sim.chain.pending()])).toBe(before);
    expect(sim.chain.transactions()).toEqual([]);
  });

  it('answers batches in order, errors included, and nothing for notifications', async () => {
    const { body } = await post(sim.url, [
      { jsonrpc: '2.0', id: 1, method: 'condenser_api.get_dynamic_global_properties', params: [] },
      { jsonrpc: '2.0', id: 2, method: 'nope.nope', params: [] },
      { jsonrpc: '2.0', method: 'condenser_api.get_config', params: [] },
      { jsonrpc: '2.0', id: 'x', method: 'call', params: ['condenser_api', 'get_block', [1]] },
      5,
    ]);
    const answers = body as Array<{ id: unknown; result?: unknown; error?: { code: number } }>;
    expect(answers.map((a) => a.id)).toEqual([1, 2, 'x', null]);
    expect(answers[0]?.result).toMatchObject({ head_block_number: sim.chain.head().number });
    expect(answers[1]?.error?.code).toBe(-32601);
    expect(answers[2]?.result).toMatchObject({ block_id: sim.chain.block(1)?.id });
    expect(answers[3]?.error?.code).toBe(-32600);
  });

  it('counts the calls it receives, by method and endpoint', async () => {
    sim.resetRpcCalls();
    await rpc(sim.url, 'condenser_api.get_config');
    await rpc(sim.url, 'call', ['condenser_api', 'get_config', []]);
    await post(sim.url, [
      { jsonrpc: '2.0', id: 1, method: 'database_api.get_dynamic_global_properties', params: {} },
      { jsonrpc: '2.0', id: 2, method: 'nope.nope' },
    ]);
    expect(sim.rpcCalls()).toEqual({
      total: 4,
      byMethod: { 'condenser_api.get_config': 2, 'database_api.get_dynamic_global_properties': 1, 'nope.nope': 1 },
      byEndpoint: [4],
    });
  });

  it('survives a client that disconnects mid-request', async () => {
    await new Promise<void>((resolve) => {
      const req = request(sim.url, { method: 'POST', headers: { 'content-length': '1000' } });
      req.on('error', () => resolve());
      req.write('{"jsonrpc":"2.0",');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 20);
    });
    expect((await rpc(sim.url, 'condenser_api.get_config')).result).toMatchObject({ HIVE_ADDRESS_PREFIX: 'STM' });
  });
});
