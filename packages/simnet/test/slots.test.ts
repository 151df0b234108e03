import { utils } from '@hiveio/dhive';
import { afterEach, describe, expect, it } from 'vitest';
import { type Simnet, startSimnet } from '../src/index.js';
import { dhiveClient, signOps } from './helpers.js';

let sim: Simnet | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe('slots on the manual clock', () => {
  it('produces one block per slot, with aslots and slot times one apart', async () => {
    sim = await startSimnet({ clock: 'manual' });
    const start = sim.chain.head();
    await sim.advanceSlots(50);
    const blocks = sim.chain.blocks(start.number + 1);
    expect(blocks).toHaveLength(50);
    blocks.forEach((block, i) => {
      expect(block.aslot).toBe(start.aslot + i + 1);
      expect(block.timestamp).toBe(start.time + (i + 1) * 3000);
    });
    expect(sim.chain.head().number).toBe(start.number + 50);
    expect(sim.chain.missedSlots()).toEqual([]);
    expect(sim.chain.head().participationCount).toBe(128);
  });

  it('reshuffles when the head is a multiple of 21, taking the order drawn a round ahead', async () => {
    sim = await startSimnet({ clock: 'manual' });
    const { future, nextShuffleBlockNum } = sim.chain.schedule();
    while (sim.chain.head().number < nextShuffleBlockNum) await sim.advanceSlots(1);
    expect(sim.chain.schedule().current).toEqual(future);
    expect(sim.chain.schedule().nextShuffleBlockNum).toBe(nextShuffleBlockNum + 21);
  });

  it('is deterministic for a seed', async () => {
    const a = await startSimnet({ clock: 'manual', seed: 'same' });
    const b = await startSimnet({ clock: 'manual', seed: 'same' });
    const c = await startSimnet({ clock: 'manual', seed: 'other' });
    try {
      await Promise.all([a.advanceSlots(30), b.advanceSlots(30), c.advanceSlots(30)]);
      expect(b.chain.blocks().map((x) => x.id)).toEqual(a.chain.blocks().map((x) => x.id));
      expect(b.witnesses).toEqual(a.witnesses);
      expect(c.witnesses[0]?.signingKey).not.toBe(a.witnesses[0]?.signingKey);
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });

  it('charges a stopped witness exactly its scheduled slots, as aslot gaps', async () => {
    sim = await startSimnet({ clock: 'manual' });
    const demo = sim.witnesses[0] as NonNullable<Simnet['witnesses'][0]>;
    const start = sim.chain.head();
    await sim.stopNode(demo.signingKey);
    await sim.advanceSlots(63);
    const blocks = sim.chain.blocks(start.number + 1);
    expect(blocks.some((b) => b.witness === demo.name)).toBe(false);
    // every slot is either a block or one of the demo witness's misses
    const missed = sim.chain.missedSlots();
    expect(missed.every((m) => m.witness === demo.name && m.signingKey === demo.signingKey)).toBe(true);
    expect(missed.length).toBeGreaterThanOrEqual(2);
    const lastAslot = blocks.at(-1)?.aslot as number;
    expect(blocks.length + missed.filter((m) => m.aslot <= lastAslot).length).toBe(lastAslot - start.aslot);
    for (const m of missed) {
      const after = blocks.find((b) => b.aslot > m.aslot);
      const before = [...blocks].reverse().find((b) => b.aslot < m.aslot) ?? start;
      expect(after?.aslot).toBe(m.aslot + 1);
      expect(before.aslot).toBe(m.aslot - 1);
    }
    expect(sim.chain.witness(demo.name)?.total_missed).toBe(missed.length);
    expect(sim.chain.head().participationCount).toBe(128 - missed.length);
    // an account-history node lists each miss as a producer_missed virtual op of the block that charged it
    const client = dhiveClient(sim);
    const first = missed[0] as (typeof missed)[0];
    const vops = await client.call('condenser_api', 'get_ops_in_block', [first.chargedInBlock, true]);
    expect(vops).toEqual([
      expect.objectContaining({ virtual_op: true, op: ['producer_missed', { producer: demo.name }] }),
    ]);
    const viaHistory = await client.call('account_history_api', 'get_ops_in_block', {
      block_num: first.chargedInBlock,
      only_virtual: true,
    });
    expect(viaHistory.ops).toEqual(vops);
  });

  it("has the backup node produce the witness's next slot once its key is on chain", async () => {
    sim = await startSimnet({ clock: 'manual' });
    const demo = sim.witnesses[0] as NonNullable<Simnet['witnesses'][0]>;
    const backup = demo.backupKeys[0] as { publicKey: string; privateKey: string };
    const client = dhiveClient(sim);
    await sim.stopNode(demo.signingKey);
    // run until the first miss is charged
    while (sim.chain.missedSlots().length === 0) await sim.advanceSlots(1);
    const op = utils.buildWitnessUpdateOp(demo.name, { key: demo.signingKey, new_signing_key: backup.publicKey });
    await client.broadcast.send(await signOps(client, sim, [op], [demo.privateKey]));
    await sim.advanceSlots(1);
    expect(sim.chain.witness(demo.name)?.signing_key).toBe(backup.publicKey);
    const next = sim.chain.nextSlot(demo.name);
    expect(next).toBeDefined();
    while (sim.chain.head().aslot < (next?.aslot ?? 0)) await sim.advanceSlots(1);
    const produced = sim.chain.blocks().find((b) => b.aslot === next?.aslot);
    expect(produced).toMatchObject({ witness: demo.name, signingKey: backup.publicKey });
    expect(sim.chain.witness(demo.name)?.total_missed).toBe(1);
  });

  it('wakes sleepers in time order with the blocks due before them, and waits for them to settle', async () => {
    // no proxy: the test asserts the head each step, which a backend a block behind would not show
    sim = await startSimnet({ clock: 'manual', blockIntervalMs: 3000, proxy: false });
    const s = sim;
    const client = dhiveClient(s);
    const seen: number[] = [];
    const controller = new AbortController();
    const loop = (async () => {
      for (;;) {
        await s.clock.sleep(3000, controller.signal);
        const dgp = await client.database.getDynamicGlobalProperties();
        seen.push(dgp.head_block_number);
      }
    })().catch(() => undefined);
    const start = s.chain.head().number;
    await s.advanceSlots(5);
    expect(seen).toEqual([start + 1, start + 2, start + 3, start + 4, start + 5]);
    controller.abort();
    await loop;
  });

  it('drops a pending transaction that expires before any block is produced', async () => {
    sim = await startSimnet({ clock: 'manual', witnesses: 3 });
    const s = sim;
    const demo = s.witnesses[0] as NonNullable<Simnet['witnesses'][0]>;
    const client = dhiveClient(s);
    const op = utils.buildWitnessUpdateOp(demo.name, {
      key: demo.signingKey,
      new_signing_key: demo.backupKeys[0]?.publicKey as string,
    });
    const tx = await signOps(client, s, [op], [demo.privateKey], { expiresInMs: 6000 });
    const answer = client.call('condenser_api', 'broadcast_transaction_synchronous', [tx]);
    for (const w of s.witnesses) await s.stopNode(w.signingKey);
    await s.advanceSlots(3);
    expect(s.chain.pending()).toHaveLength(1);
    for (const w of s.witnesses) await s.startNode(w.signingKey);
    await s.advanceSlots(1);
    expect(s.chain.pending()).toHaveLength(0);
    expect(s.chain.transactions()).toEqual([]);
    expect(s.chain.witness(demo.name)?.signing_key).toBe(demo.signingKey);
    expect(await answer).toMatchObject({ expired: true });
  });

  it("lets a watcher on the simnet's clock read, decide and broadcast within the step that showed the miss", async () => {
    sim = await startSimnet({ clock: 'manual' });
    const s = sim;
    const demo = s.witnesses[0] as NonNullable<Simnet['witnesses'][0]>;
    const backup = demo.backupKeys[0]?.publicKey as string;
    const client = dhiveClient(s);
    const controller = new AbortController();
    const baseline = (await client.call('condenser_api', 'get_witness_by_account', [demo.name])).total_missed;
    const watcher = (async () => {
      for (;;) {
        await s.clock.sleep(s.blockIntervalMs, controller.signal);
        await client.database.getDynamicGlobalProperties();
        const witness = await client.call('condenser_api', 'get_witness_by_account', [demo.name]);
        if (witness.total_missed > baseline && witness.signing_key === demo.signingKey) {
          const op = utils.buildWitnessUpdateOp(demo.name, { key: demo.signingKey, new_signing_key: backup });
          await client.broadcast.send(await signOps(client, s, [op], [demo.privateKey]));
        }
      }
    })().catch(() => undefined);
    await s.stopNode(demo.signingKey);
    while (s.chain.missedSlots().length === 0) await s.advanceSlots(1);
    // the same step: the watcher woke after the block that charged the miss and has already broadcast
    expect(s.chain.pending()).toHaveLength(1);
    await s.advanceSlots(1);
    expect(s.chain.witness(demo.name)?.signing_key).toBe(backup);
    expect(s.chain.transactions()).toHaveLength(1);
    controller.abort();
    await watcher;
  });
});
