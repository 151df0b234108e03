import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simnet, startSimnet } from '../src/index.js';
import { methodNames } from '../src/rpc/methods.js';
import { post } from './helpers.js';

let sim: Simnet;
beforeAll(async () => {
  sim = await startSimnet({ clock: 'manual', witnesses: 5 });
  await sim.advanceSlots(2);
});
afterAll(async () => {
  await sim.stop();
});

// simnet_api changes the simnet on purpose; everything else must not change state on junk
const methods = methodNames().filter((m) => !m.startsWith('simnet_api.'));

function snapshot(): string {
  return JSON.stringify({
    head: sim.chain.head(),
    witnesses: sim.witnesses.map((w) => sim.chain.witness(w.name)),
    pending: sim.chain.pending().length,
  });
}

describe('junk never crashes the server nor changes the chain', () => {
  it('answers every call with junk params with a JSON-RPC answer', async () => {
    const before = snapshot();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods), fc.jsonValue({ maxDepth: 4 }), async (method, params) => {
        const { status, body } = await post(sim.url, { jsonrpc: '2.0', id: 7, method, params });
        expect(status).toBe(200);
        const answer = body as { id: unknown; result?: unknown; error?: { code: number } };
        expect(answer.id).toBe(7);
        expect('result' in answer || typeof answer.error?.code === 'number').toBe(true);
      }),
      { numRuns: 150, seed: 20261125 },
    );
    expect(snapshot()).toBe(before);
  });

  it('answers arbitrary bodies with a JSON-RPC error or result, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 5 })), async (text) => {
        const { status, body } = await post(sim.url, text);
        expect([200, 204]).toContain(status);
        if (status === 200) expect(typeof body).toBe('object');
      }),
      { numRuns: 150, seed: 7 },
    );
    const { status } = await post(sim.url, { jsonrpc: '2.0', id: 1, method: 'condenser_api.get_config', params: [] });
    expect(status).toBe(200);
  });
});
