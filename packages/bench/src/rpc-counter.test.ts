import { describe, expect, it } from 'vitest';
import { methodsOf, startCountingProxy } from './rpc-counter.js';

describe('counting JSON-RPC methods', () => {
  it('counts single calls, batches call by call, and the legacy call form as api.method', () => {
    expect(methodsOf('{"jsonrpc":"2.0","id":1,"method":"condenser_api.get_block","params":[1]}')).toEqual([
      'condenser_api.get_block',
    ]);
    expect(
      methodsOf(
        JSON.stringify([
          { method: 'database_api.find_witnesses', params: {} },
          { method: 'call', params: ['condenser_api', 'get_dynamic_global_properties', []] },
        ]),
      ),
    ).toEqual(['database_api.find_witnesses', 'condenser_api.get_dynamic_global_properties']);
    expect(methodsOf('not json')).toEqual(['(unparsed)']);
  });

  it('forwards requests unchanged and counts them', async () => {
    const { createServer } = await import('node:http');
    const upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { echoed: JSON.parse(body) } })));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const address = upstream.address() as { port: number };
    const proxy = await startCountingProxy(`http://127.0.0.1:${address.port}`);
    try {
      const call = { jsonrpc: '2.0', id: 1, method: 'condenser_api.get_witness_by_account', params: ['alice'] };
      const answer = await fetch(proxy.url, { method: 'POST', body: JSON.stringify(call) });
      expect(await answer.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { echoed: call } });
      await fetch(proxy.url, { method: 'POST', body: JSON.stringify(call) });
      expect(proxy.counts()).toEqual(new Map([['condenser_api.get_witness_by_account', 2]]));
      proxy.reset();
      expect(proxy.total()).toBe(0);
    } finally {
      await proxy.stop();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }
  });
});
