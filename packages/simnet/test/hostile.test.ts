import { type Client, type SignedTransaction, utils } from '@hiveio/dhive';
import { afterEach, describe, expect, it } from 'vitest';
import { type Simnet, type SimnetOptions, SimnetOptionsError, startSimnet, TIDY_CHAIN } from '../src/index.js';
import { dhiveClient, post, rejection, rpc, signOps } from './helpers.js';

let sim: Simnet | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function started(options: SimnetOptions = {}): Promise<{ s: Simnet; client: Client }> {
  sim = await startSimnet({ clock: 'manual', endpoints: 2, backupKeys: 2, realism: 'hostile', ...options });
  await sim.advanceSlots(2);
  return { s: sim, client: dhiveClient(sim) };
}

const demoOf = (s: Simnet) => s.witnesses[0] as NonNullable<Simnet['witnesses'][0]>;

function switchTo(s: Simnet, client: Client, backup: number, expiresInMs = 30_000): Promise<SignedTransaction> {
  const demo = demoOf(s);
  const op = utils.buildWitnessUpdateOp(demo.name, {
    key: demo.signingKey,
    new_signing_key: demo.backupKeys[backup]?.publicKey as string,
  });
  return signOps(client, s, [op], [demo.privateKey], { expiresInMs });
}

async function keyShownBy(s: Simnet, endpoint: number): Promise<string> {
  const answer = await rpc(s.urls[endpoint] as string, 'condenser_api.get_witness_by_account', [demoOf(s).name]);
  return (answer.result as { signing_key: string }).signing_key;
}

function broadcastVia(s: Simnet, endpoint: number, tx: SignedTransaction) {
  return rpc(s.urls[endpoint] as string, 'condenser_api.broadcast_transaction', [tx]);
}

describe("realism: 'hostile'", () => {
  it('is the default: reads include the pending pool, endpoints sit behind a proxy, dead nodes blackhole', async () => {
    sim = await startSimnet({ clock: 'manual' });
    const s = sim;
    const realism = ((await rpc(s.url, 'simnet_api.get_state', {})).result as { realism: Record<string, unknown> })
      .realism;
    expect(realism).toEqual({
      readsIncludePending: true,
      propagationDelayMs: 250,
      proxy: { cacheMs: 1000, blockCacheMs: 9000, backends: 2, backendLagBlocks: 1 },
      microForkRate: 0.005,
      deadNodes: 'blackhole',
    });
  });

  it('TIDY_CHAIN turns every one of them off', async () => {
    const { s } = await started(TIDY_CHAIN);
    const realism = ((await rpc(s.url, 'simnet_api.get_state', {})).result as { realism: Record<string, unknown> })
      .realism;
    expect(realism).toEqual({
      readsIncludePending: false,
      propagationDelayMs: 0,
      proxy: false,
      microForkRate: 0,
      deadNodes: 'refuse',
    });
  });
});

describe('a pending pool per endpoint', () => {
  it('two racing switches are each accepted by a different endpoint; the producer includes the one that reached it first', async () => {
    const { s, client } = await started({ proxy: false });
    const first = await switchTo(s, client, 0);
    const second = await switchTo(s, client, 1);
    expect((await broadcastVia(s, 0, first)).result).toEqual({});
    expect((await broadcastVia(s, 1, second)).result).toEqual({});
    // each endpoint shows the switch it accepted itself
    expect(await keyShownBy(s, 0)).toBe(demoOf(s).backupKeys[0]?.publicKey);
    expect(await keyShownBy(s, 1)).toBe(demoOf(s).backupKeys[1]?.publicKey);
    await s.advanceSlots(1);
    expect(s.chain.witness(demoOf(s).name)?.signing_key).toBe(demoOf(s).backupKeys[0]?.publicKey);
    expect(s.chain.transactions().map((t) => t.id)).toHaveLength(1);
    expect(s.chain.pending()).toEqual([]);
    // the loser is gone everywhere, and every endpoint now agrees
    expect(await keyShownBy(s, 1)).toBe(demoOf(s).backupKeys[0]?.publicKey);
  });

  it('once a switch has propagated, another endpoint refuses the conflicting one', async () => {
    const { s, client } = await started({ proxy: false, propagationDelayMs: 100 });
    const first = await switchTo(s, client, 0);
    const second = await switchTo(s, client, 1);
    await broadcastVia(s, 0, first);
    await s.clock.advance(100);
    const answer = await broadcastVia(s, 1, second);
    expect(answer.error).toMatchObject({ code: -32003, data: { name: 'assert_exception' } });
  });

  it('a switch that reaches the producer after the block waits for the next block', async () => {
    const { s, client } = await started({ proxy: false, propagationDelayMs: 2500 });
    await s.clock.advance(1000);
    const tx = await switchTo(s, client, 0);
    await broadcastVia(s, 0, tx);
    await s.clock.advance(2000); // the next slot: the producer has not got it yet
    expect(s.chain.transactions()).toEqual([]);
    expect(s.chain.pending()).toHaveLength(1);
    await s.advanceSlots(1);
    expect(s.chain.transactions()).toHaveLength(1);
  });

  it('is one mempool with propagationDelayMs 0 (tidy): the second switch is refused everywhere at once', async () => {
    const { s, client } = await started({ ...TIDY_CHAIN });
    await broadcastVia(s, 0, await switchTo(s, client, 0));
    const answer = await broadcastVia(s, 1, await switchTo(s, client, 1));
    expect(answer.error).toMatchObject({ code: -32003 });
  });
});

describe('hived error framing and windows', () => {
  it('answers every transaction rejection with -32003, and a database lock error with no data', async () => {
    const { s, client } = await started({ proxy: false });
    const demo = demoOf(s);
    const op = utils.buildWitnessUpdateOp(demo.name, {
      key: demo.signingKey,
      new_signing_key: demo.backupKeys[0]?.publicKey as string,
    });
    const wrongKey = await signOps(client, s, [op], [demo.activeKey]);
    const answer = await broadcastVia(s, 0, wrongKey);
    expect(answer.error).toMatchObject({ code: -32003, data: { name: 'tx_missing_other_auth' } });
    expect(await rejection(client.broadcast.send(wrongKey))).toMatchObject({ name: 'tx_missing_other_auth' });
    await s.injectFault({ kind: 'error-rate', response: 'rpc-server' });
    const locked = await rpc(s.url, 'condenser_api.get_dynamic_global_properties');
    expect(locked.error).toEqual({ code: -32000, message: 'Unable to acquire database lock' });
  });

  it("forgets an included transaction's id once the head passes its expiration", async () => {
    const { s, client } = await started({ proxy: false, microForkRate: 0 });
    const tx = await switchTo(s, client, 0, 9000);
    await broadcastVia(s, 0, tx);
    await s.advanceSlots(1);
    const id = s.chain.transactions()[0]?.id as string;
    expect((await rpc(s.url, 'condenser_api.get_transaction', [id])).result).toBeDefined();
    await s.advanceSlots(3);
    expect((await rpc(s.url, 'condenser_api.get_transaction', [id])).error).toMatchObject({ code: -32003 });
    const replay = await broadcastVia(s, 0, tx);
    expect(replay.error).toMatchObject({ data: { name: 'transaction_expiration_exception' } });
  });
});

describe('micro-forks', () => {
  it('orphan the head block: its producer misses the slot, its switch goes back to pending and lands once', async () => {
    const { s, client } = await started({ proxy: false, microForkRate: 0 });
    const tx = await switchTo(s, client, 0);
    await broadcastVia(s, 0, tx);
    await s.advanceSlots(1);
    const holding = s.chain.head();
    expect(s.chain.block(holding.number)?.transactions).toHaveLength(1);
    s.orphanNextHead();
    await s.advanceSlots(1);
    const [fork] = s.chain.forks();
    expect(fork?.orphaned.id).toBe(holding.id);
    expect(fork?.returnedToPending).toEqual([fork?.orphaned.transactions[0]?.id]);
    expect(s.chain.block(holding.number)?.id).not.toBe(holding.id);
    const charged = s.chain.missedSlots().filter((m) => m.aslot === holding.aslot && m.witness === holding.witness);
    expect(charged).toEqual([expect.objectContaining({ forked: true })]);
    await s.advanceSlots(1);
    expect(s.chain.keySwitches(demoOf(s).name)).toHaveLength(1);
    expect(s.chain.witness(demoOf(s).name)?.signing_key).toBe(demoOf(s).backupKeys[0]?.publicKey);
  });

  it('mark only the slot whose block was orphaned: a slot missed by a stopped node is not marked forked', async () => {
    const { s } = await started({ proxy: false, microForkRate: 0 });
    await s.advanceSlots(1);
    const holding = s.chain.head();
    s.orphanNextHead();
    await s.advanceSlots(1);
    const me = demoOf(s);
    s.stopNode(me.signingKey);
    while (!s.chain.missedSlots(me.name).some((m) => m.aslot !== holding.aslot)) await s.advanceSlots(1);
    const marks = s.chain.missedSlots().map((m) => [m.witness, m.aslot, m.forked ?? false]);
    expect(marks.filter(([, , forked]) => forked)).toEqual([[holding.witness, holding.aslot, true]]);
    expect(marks.filter(([w, a]) => w === me.name && a !== holding.aslot)).toEqual([
      [me.name, expect.any(Number), false],
    ]);
  });

  it('a transaction whose TaPoS refers to the orphaned block is gone, and refused as hived does', async () => {
    const { s, client } = await started({ proxy: false, microForkRate: 0 });
    const tx = await switchTo(s, client, 0); // TaPoS: the head, about to be orphaned
    await broadcastVia(s, 0, tx);
    s.orphanNextHead();
    await s.advanceSlots(3);
    expect(s.chain.forks()).toHaveLength(1);
    expect(s.chain.transactions()).toEqual([]);
    expect(s.chain.pending()).toEqual([]);
    const again = await broadcastVia(s, 0, tx);
    expect(again.error).toMatchObject({ code: -32003, data: { name: 'transaction_tapos_exception' } });
  });

  it('happen at a seeded rate: the same seed forks at the same blocks', async () => {
    const forksOf = async () => {
      const s = await startSimnet({ clock: 'manual', seed: 'forky', microForkRate: 0.2, proxy: false });
      await s.advanceSlots(60);
      const forks = s.chain.forks().map((f) => f.orphaned.num);
      await s.stop();
      return forks;
    };
    const a = await forksOf();
    expect(a.length).toBeGreaterThan(2);
    expect(await forksOf()).toEqual(a);
  });

  it('draw once per block: the block that replaces an orphan has its own chance, and the chain moves on', async () => {
    // Seeded by the block number alone, the replacement of an orphaned block was orphaned again at every slot until
    // the last irreversible block passed it: a chain stuck on one height (found by a reliability scenario).
    for (const seed of ['forky', 'r1', 'r2', 'r3']) {
      sim = await startSimnet({ clock: 'manual', seed, microForkRate: 0.2, proxy: false });
      const start = sim.chain.head().number;
      await sim.advanceSlots(120);
      const times = new Map<number, number>();
      for (const fork of sim.chain.forks()) times.set(fork.orphaned.num, (times.get(fork.orphaned.num) ?? 0) + 1);
      expect(Math.max(0, ...times.values()), `seed ${seed}`).toBeLessThanOrEqual(3);
      expect(sim.chain.head().number - start, `seed ${seed}`).toBeGreaterThan(120 * 0.6);
      await sim.stop();
      sim = undefined;
    }
  });
});

describe('the caching, fan-out proxy', () => {
  it('serves reads from backends a block apart, and the same answer from its cache while fresh', async () => {
    const { s } = await started({ proxy: { cacheMs: 0, backends: 2, backendLagBlocks: 1 }, microForkRate: 0 });
    const head = s.chain.head().number;
    const heads = [];
    for (let i = 0; i < 4; i++)
      heads.push(
        ((await rpc(s.url, 'condenser_api.get_dynamic_global_properties')).result as { head_block_number: number })
          .head_block_number,
      );
    expect(heads).toEqual([head, head - 1, head, head - 1]);
    await s.stop();
    const cached = await started({ proxy: { cacheMs: 1000, backends: 2, backendLagBlocks: 1 }, microForkRate: 0 });
    const read = async () =>
      ((await rpc(cached.s.url, 'condenser_api.get_dynamic_global_properties')).result as { head_block_number: number })
        .head_block_number;
    const first = await read();
    expect(await read()).toBe(first); // cached, whatever backend comes next
    await cached.s.advanceSlots(2);
    expect(await read()).toBeGreaterThan(first);
  });

  it('can serve a schedule from before the shuffle while the head read is past it', async () => {
    const { s } = await started({ proxy: { cacheMs: 0, backends: 2, backendLagBlocks: 1 }, microForkRate: 0 });
    while (s.chain.head().number % 21 !== 0) await s.advanceSlots(1);
    const dgp = (await rpc(s.url, 'condenser_api.get_dynamic_global_properties')).result as {
      head_block_number: number;
    };
    const schedule = (await rpc(s.url, 'condenser_api.get_witness_schedule')).result as {
      next_shuffle_block_num: number;
    };
    expect(dgp.head_block_number).toBe(s.chain.head().number);
    // the backend a block behind still has the round that the head just closed
    expect(schedule.next_shuffle_block_num).toBe(dgp.head_block_number);
    expect(s.chain.schedule().nextShuffleBlockNum).toBe(dgp.head_block_number + 21);
  });

  it('keeps serving an orphaned block from its cache', async () => {
    const { s } = await started({ proxy: { backends: 1 }, microForkRate: 0 });
    const head = s.chain.head();
    const before = (await rpc(s.url, 'condenser_api.get_block', [head.number])).result as { block_id: string };
    s.orphanNextHead();
    await s.advanceSlots(1);
    expect(s.chain.block(head.number)?.id).not.toBe(head.id);
    const after = (await rpc(s.url, 'condenser_api.get_block', [head.number])).result as { block_id: string };
    expect(after.block_id).toBe(before.block_id);
    await s.advanceSlots(3);
    const later = (await rpc(s.url, 'condenser_api.get_block', [head.number])).result as { block_id: string };
    expect(later.block_id).toBe(s.chain.block(head.number)?.id);
  });
});

describe('dead hosts that blackhole', () => {
  it('a blackholed endpoint accepts the connection and never answers, until the fault goes', async () => {
    const { s } = await started({ proxy: false });
    const handle = await s.injectFault({ kind: 'blackhole' }, { endpoint: 0 });
    const hung = post(s.url, { jsonrpc: '2.0', id: 1, method: 'condenser_api.get_config', params: [] });
    const outcome = await Promise.race([
      hung.then(
        () => 'answered',
        () => 'failed',
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 150)),
    ]);
    expect(outcome).toBe('still waiting');
    await handle.remove();
    await expect(hung).rejects.toThrow();
    expect((await rpc(s.url, 'condenser_api.get_config')).result).toBeDefined();
  });

  it("a stopped node's health URL blackholes by default, refuses with mode 'refuse'", async () => {
    const { s } = await started({ proxy: false });
    const key = demoOf(s).signingKey;
    const url = s.nodeHealthUrl(key);
    await s.stopNode(key);
    const error = await fetch(url, { signal: AbortSignal.timeout(150) }).catch((e: Error) => e);
    expect((error as Error).name).toBe('TimeoutError');
    await s.startNode(key);
    expect((await fetch(url)).status).toBe(200);
    await s.stopNode(key, { mode: 'refuse' });
    const refused = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).name).not.toBe('TimeoutError');
  });
});

describe('a node that lies about what decides a switch', () => {
  it('reports wrong signing key, misses and last slot, and a head moved consistently', async () => {
    const { s } = await started({ proxy: false });
    const demo = demoOf(s);
    const backup = demo.backupKeys[0]?.publicKey as string;
    await s.injectFault(
      {
        kind: 'lying-witness',
        witness: demo.name,
        signingKey: backup,
        totalMissedDelta: 1,
        lastAslotDelta: -21,
        headShiftBlocks: 2,
      },
      { endpoint: 1 },
    );
    const truth = s.chain.witness(demo.name);
    const lie = (await rpc(s.urls[1] as string, 'condenser_api.get_witness_by_account', [demo.name])).result as Record<
      string,
      unknown
    >;
    expect(lie).toMatchObject({
      signing_key: backup,
      total_missed: (truth?.total_missed ?? 0) + 1,
      last_aslot: Math.max(0, (truth?.last_aslot ?? 0) - 21),
    });
    const other = (await rpc(s.urls[1] as string, 'condenser_api.get_witness_by_account', ['bob'])).result;
    expect(other).toMatchObject({ signing_key: s.chain.witness('bob')?.signing_key });
    const dgp = (await rpc(s.urls[1] as string, 'condenser_api.get_dynamic_global_properties')).result as Record<
      string,
      unknown
    >;
    const head = s.chain.head();
    expect(dgp.head_block_number).toBe(head.number + 2);
    expect(dgp.current_aslot).toBe(head.aslot + 2);
    expect(Number.parseInt(String(dgp.head_block_id).slice(0, 8), 16)).toBe(head.number + 2);
    expect(Date.parse(`${dgp.time}Z`)).toBe(head.time + 2 * s.blockIntervalMs);
    expect(await keyShownBy(s, 0)).toBe(demo.signingKey);
  });
});

describe('bad input to the hostile options and faults', () => {
  it.each([
    [{ propagationDelayMs: -1 }, /propagationDelayMs/],
    [{ propagationDelayMs: 1.5 }, /propagationDelayMs/],
    [{ microForkRate: 2 }, /microForkRate/],
    [{ microForkRate: Number.NaN }, /microForkRate/],
    [{ deadNodes: 'sometimes' }, /deadNodes/],
    [{ proxy: 'yes' }, /proxy/],
    [{ proxy: { backends: 0 } }, /backends/],
    [{ proxy: { cacheMs: -5 } }, /cacheMs/],
    [{ proxy: { lag: 1 } }, /unknown option/],
    [{ readsIncludePending: 'yes' }, /readsIncludePending/],
  ])('startSimnet(%j) fails with a clear error', async (options, message) => {
    await expect(startSimnet({ clock: 'manual', ...(options as SimnetOptions) })).rejects.toThrow(message);
    await expect(startSimnet({ clock: 'manual', ...(options as SimnetOptions) })).rejects.toBeInstanceOf(
      SimnetOptionsError,
    );
  });

  it('refuses bad inject_fault and stop_node payloads and leaves the chain as it was', async () => {
    const { s } = await started({ proxy: false });
    const before = JSON.stringify([s.chain.head(), s.chain.witness(demoOf(s).name)]);
    for (const fault of [
      { kind: 'lying-witness' },
      { kind: 'lying-witness', totalMissedDelta: 0.5 },
      { kind: 'lying-witness', signingKey: 'nope' },
      { kind: 'lying-witness', headShiftBlocks: 1, extra: true },
      { kind: 'blackhole', rate: 0.5 },
    ]) {
      const answer = await rpc(s.url, 'simnet_api.inject_fault', fault);
      expect(answer.error).toMatchObject({ code: -32602 });
      await expect(s.injectFault(fault as never)).rejects.toThrow();
    }
    const stop = await rpc(s.url, 'simnet_api.stop_node', { key: demoOf(s).signingKey, mode: 'later' });
    expect(stop.error).toMatchObject({ code: -32602 });
    await expect(s.stopNode(demoOf(s).signingKey, { mode: 'later' as never })).rejects.toThrow(/mode/);
    const state = (await rpc(s.url, 'simnet_api.get_state', {})).result as {
      faults: unknown[];
      nodes: { up: boolean }[];
    };
    expect(state.faults).toEqual([]);
    expect(state.nodes.every((n) => n.up)).toBe(true);
    expect(JSON.stringify([s.chain.head(), s.chain.witness(demoOf(s).name)])).toBe(before);
  });
});
