/**
 * Hostile answers: RPC responses mangled every way a broken node can (truncated, wrong types, huge numbers, missing
 * fields, HTML error pages, random text) through a local proxy in front of the simulated chain. The chain client
 * must answer or throw a typed witness-trap error, never hang, and a trap reading such answers must never fire
 * (the primary is up: any switch would be false). And the simnet's own JSON-RPC server under random bodies.
 */
import { dhiveChainClient, FailoverTrap, isWitnessTrapError, memoryStateStore, wifKeyRing } from '@witness-trap/core';
import { startSimnet } from '@witness-trap/simnet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordFinding } from '../src/findings.js';
import { type Mutation, startMutatingProxy } from '../src/mutating-proxy.js';
import { keySwitches, stepUntil } from '../src/scenario.js';

const RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 400);

const MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  fc.double({ min: 0, max: 0.99, noNaN: true }).map((fraction) => ({ kind: 'truncate' as const, fraction })),
  fc.tuple(fc.nat(), fc.jsonValue()).map(([pick, value]) => ({ kind: 'replace' as const, pick, value })),
  fc.nat().map((pick) => ({ kind: 'delete' as const, pick })),
  fc
    .constantFrom<number | string>(1e308, 2 ** 64, -1, Number.MAX_SAFE_INTEGER + 2, '99999999999999999999999', 'NaN')
    .map((value) => ({ kind: 'huge' as const, value })),
  fc.constantFrom(200, 404, 429, 500, 502, 503, 504).map((status) => ({ kind: 'html' as const, status })),
  fc.string().map((text) => ({ kind: 'body' as const, text })),
  fc.jsonValue().map((value) => ({ kind: 'result' as const, value })),
);

/** Resolves to how `call` settled, failing on an untyped error; a hang fails the test by its timeout. */
async function typedOutcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'answered';
  } catch (error) {
    if (!isWitnessTrapError(error)) throw new Error(`untyped error: ${String(error)}`, { cause: error });
    return error.code;
  }
}

describe('mangled RPC answers', () => {
  it('get typed errors or answers from the chain client, and never make a trap fire', async () => {
    const sim = await startSimnet({ clock: 'manual', blockIntervalMs: 3000, backupKeys: 1, seed: 'rpc-fuzz' });
    const proxy = await startMutatingProxy(sim.url);
    const me = sim.witnesses[0];
    if (me === undefined) throw new Error('no demo witness');
    const outcomes: Record<string, number> = {};
    let armed = 0;
    const runs = Math.ceil(RUNS / 16);
    try {
      await fc.assert(
        fc.asyncProperty(MUTATION, async (mutation) => {
          proxy.mutation = mutation;
          const chain = dhiveChainClient({
            nodes: [proxy.url],
            chainId: sim.chainId,
            clock: sim.clock,
            blockIntervalMs: sim.blockIntervalMs,
            timeoutMs: 500,
          });
          try {
            const calls = [
              () => chain.getHead({ decisive: true }),
              () => chain.getWitness(me.name, { decisive: true }),
              () => chain.getSchedule(),
              () => chain.getBlockHeader(sim.chain.head().number),
              () => chain.getAccount(me.name),
              () => chain.getBlockInterval(),
            ];
            for (const call of calls) {
              const outcome = await typedOutcome(call);
              outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
            }
            const trap = new FailoverTrap({
              witness: me.name,
              chain,
              signer: wifKeyRing({ signingKeys: [me.privateKey] }),
              backupKeys: me.backupKeys.map((k) => k.publicKey),
              clock: sim.clock,
              blockIntervalMs: sim.blockIntervalMs,
              state: memoryStateStore(),
            });
            const arming = await stepUntil(sim, trap.arm(), 3);
            if (arming.settled && 'error' in arming) expect(isWitnessTrapError(arming.error)).toBe(true);
            if (arming.settled && 'value' in arming) {
              armed += 1;
              const run = trap.run();
              await stepUntil(sim, run, 4);
              await trap.stop();
              const ended = await run.then(
                () => undefined,
                (error: unknown) => error,
              );
              if (ended !== undefined) expect(isWitnessTrapError(ended)).toBe(true);
            } else await trap.stop();
          } finally {
            await chain.close();
          }
          expect(proxy.methods.filter((m) => m.includes('broadcast'))).toEqual([]);
        }),
        { numRuns: runs },
      );
      expect(keySwitches(sim, me.name)).toHaveLength(0);
      recordFinding({
        area: 'security: RPC fuzzing',
        injected: `${runs} mutations (truncated, field replaced by random JSON, field deleted, every number huge/negative/string, HTML error page, random body, random result) on every answer; 6 client reads and a trap arm+run each`,
        happened: `read outcomes ${JSON.stringify(outcomes)}; the trap armed in ${armed} runs; 0 broadcasts, 0 switches; nothing untyped thrown`,
      });
    } finally {
      await proxy.close();
      await sim.stop();
    }
  }, 180_000);
});

describe('the simnet`s JSON-RPC server under hostile bodies', () => {
  it('answers every random, malformed, oversized or deeply nested body with an error and keeps serving', async () => {
    const sim = await startSimnet({ blockIntervalMs: 1000, witnesses: 3 });
    const statuses: Record<string, number> = {};
    const post = async (body: string | Uint8Array) => {
      const response = await fetch(sim.url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const text = await response.text();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      return { status: response.status, text };
    };
    const BODY = fc.oneof(
      fc.string(),
      fc.uint8Array({ maxLength: 512 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.integer({ min: 65, max: 5000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
      fc.integer({ min: 65, max: 3000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
      fc
        .tuple(fc.string(), fc.jsonValue())
        .map(([method, params]) => JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })),
      fc.array(fc.jsonValue(), { maxLength: 20 }).map((batch) => JSON.stringify(batch)),
    );
    try {
      await fc.assert(
        fc.asyncProperty(BODY, async (body) => {
          const { status, text } = await post(body);
          if (status === 200) {
            const parsed = JSON.parse(text) as unknown;
            const answers = Array.isArray(parsed) ? parsed : [parsed];
            for (const answer of answers) expect(answer).toHaveProperty('jsonrpc', '2.0');
          } else expect(status).toBeGreaterThanOrEqual(400);
        }),
        { numRuns: Math.ceil(RUNS / 2) },
      );
      const oversized = await post(
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'x', params: ['a'.repeat(2 ** 21)] }),
      );
      expect(oversized.status).toBe(413);
      const healthy = await post(
        JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'condenser_api.get_dynamic_global_properties', params: [] }),
      );
      expect(JSON.parse(healthy.text)).toMatchObject({ id: 7, result: { head_block_number: expect.any(Number) } });
      recordFinding({
        area: 'security: simnet server',
        injected: `${Math.ceil(RUNS / 2)} random bodies (text, bytes, JSON, nesting to depth 5000, random methods and params, batches) and a 2 MiB body`,
        happened: `HTTP statuses ${JSON.stringify(statuses)}; every 200 a JSON-RPC answer; 413 for the oversized body; still serving afterwards`,
      });
    } finally {
      await sim.stop();
    }
  }, 120_000);
});
