/**
 * The dhive chain client and the transaction builders against the simulated chain (`@witness-trap/simnet`): real
 * HTTP on 127.0.0.1, hived's shapes, every broadcast validated by wax the way hived would, faults on demand.
 */

// Core does not depend on the simnet package; its tests use its source, as the workspace resolves it.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Simnet, startSimnet } from '@witness-trap/simnet';
import { afterEach, describe, expect, it } from 'vitest';
import { type DhiveChainClient, dhiveChainClient } from '../src/chain/dhive-client.js';
import { BroadcastRejectedError, RpcError, TimeoutError } from '../src/errors.js';
import { wifKeyRing } from '../src/signer/wif-key-ring.js';
import { buildSwitchOperation } from '../src/tx/switch-operation.js';
import { buildTransaction, transactionId } from '../src/tx/transaction.js';
import { buildWitnessUpdateOperation } from '../src/tx/witness-update-operation.js';
import { NULL_SIGNING_KEY } from '../src/types.js';

let sim: Simnet | undefined;
let client: DhiveChainClient | undefined;

afterEach(async () => {
  await client?.close();
  await sim?.stop();
  sim = undefined;
  client = undefined;
});

async function start(endpoints: number, timeoutMs = 1000) {
  // no proxy: each read is compared with the chain's head at once, which a backend a block behind does not have
  sim = await startSimnet({ clock: 'manual', blockIntervalMs: 3000, endpoints, witnesses: 21, proxy: false });
  client = dhiveChainClient({ nodes: sim.urls, chainId: sim.chainId, clock: sim.clock, timeoutMs });
  await sim.advanceSlots(3);
  return { sim, client };
}

describe('dhiveChainClient on the simulated chain', () => {
  it('reads the head, the witness, the schedule, a block, an account and the interval as the chain has them', async () => {
    const { sim, client } = await start(1);
    const alice = sim.witnesses[0]!;
    const head = await client.getHead({ decisive: true });
    const chainHead = sim.chain.head();
    expect(head.value).toMatchObject({
      headBlockNumber: chainHead.number,
      headBlockId: chainHead.id,
      headBlockTime: chainHead.time,
      currentAslot: chainHead.aslot,
      currentWitness: chainHead.witness,
    });
    const witness = (await client.getWitness(alice.name, { decisive: true })).value;
    expect(witness?.signingKey).toBe(alice.signingKey);
    expect(witness?.totalMissed).toBe(sim.chain.witness(alice.name)?.total_missed);
    const schedule = (await client.getSchedule()).value;
    expect(schedule.currentShuffledWitnesses).toEqual(sim.chain.schedule().current);
    expect(schedule.numScheduledWitnesses).toBe(21);
    const block = (await client.getBlockHeader(chainHead.number)).value;
    expect(block).toMatchObject({ number: chainHead.number, id: chainHead.id, witness: chainHead.witness });
    expect((await client.getBlockHeader(chainHead.number + 5)).value).toBeNull();
    const account = (await client.getAccount(alice.name)).value;
    expect(account?.active.keyAuths.map(([key]) => key)).toContain(alice.activePublicKey);
    expect(await client.getBlockInterval()).toBe(3000);
  });

  it('lands a switch signed by the current key, and a rebroadcast of it counts as accepted', async () => {
    const { sim, client } = await start(2);
    const alice = sim.witnesses[0]!;
    const backup = alice.backupKeys[0]!;
    const ring = wifKeyRing({ signingKeys: [alice.privateKey] });
    const head = (await client.getHead({ decisive: true })).value;
    const tx = buildTransaction(head, [buildSwitchOperation(alice.name, alice.signingKey, backup.publicKey)], {
      now: sim.clock.now(),
    });
    const signed = await ring.sign(tx, [alice.signingKey], client.chainId);
    const first = await client.broadcast(signed);
    expect(first.txId).toBe(transactionId(signed));
    expect(first.acceptedBy).toHaveLength(2);
    const again = await client.broadcast(signed);
    expect(again.acceptedBy).toHaveLength(2);
    await sim.advanceSlots(1);
    expect(sim.chain.witness(alice.name)?.signing_key).toBe(backup.publicKey);
    expect((await client.getWitness(alice.name, { decisive: true })).value?.signingKey).toBe(backup.publicKey);
  });

  it('is told the compare-and-swap lost when the key on chain has moved on', async () => {
    const { sim, client } = await start(1);
    const alice = sim.witnesses[0]!;
    const ring = wifKeyRing({ signingKeys: [alice.privateKey, alice.backupKeys[0]!.privateKey] });
    const head = (await client.getHead()).value;
    const landed = await ring.sign(
      buildTransaction(head, [buildSwitchOperation(alice.name, alice.signingKey, alice.backupKeys[0]!.publicKey)], {
        now: sim.clock.now(),
      }),
      [alice.signingKey],
      client.chainId,
    );
    await client.broadcast(landed);
    await sim.advanceSlots(1);
    const late = await ring.sign(
      buildTransaction(
        (await client.getHead()).value,
        [buildSwitchOperation(alice.name, alice.signingKey, NULL_SIGNING_KEY)],
        {
          now: sim.clock.now(),
        },
      ),
      [alice.signingKey],
      client.chainId,
    );
    const error = await client.broadcast(late).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BroadcastRejectedError);
    expect((error as BroadcastRejectedError).dataName).toBeDefined();
    expect(sim.chain.witness(alice.name)?.signing_key).toBe(alice.backupKeys[0]!.publicKey);
  });

  it('disables with the null key, then re-enables with witness_update signed by the active key', async () => {
    const { sim, client } = await start(1);
    const alice = sim.witnesses[0]!;
    const backup = alice.backupKeys[0]!;
    const ring = wifKeyRing({ signingKeys: [alice.privateKey], activeKey: alice.activeKey });
    const disable = buildSwitchOperation(alice.name, alice.signingKey, NULL_SIGNING_KEY);
    const off = await ring.sign(
      buildTransaction((await client.getHead()).value, [disable], { now: sim.clock.now() }),
      [alice.signingKey],
      client.chainId,
    );
    await client.broadcast(off);
    await sim.advanceSlots(1);
    const disabled = (await client.getWitness(alice.name, { decisive: true })).value!;
    expect(disabled.signingKey).toBe(NULL_SIGNING_KEY);

    const enable = buildWitnessUpdateOperation(disabled, backup.publicKey);
    const on = await ring.sign(
      buildTransaction((await client.getHead()).value, [enable], { now: sim.clock.now() }),
      [ring.activeKey!],
      client.chainId,
    );
    await client.broadcast(on);
    await sim.advanceSlots(1);
    const enabled = (await client.getWitness(alice.name, { decisive: true })).value!;
    expect(enabled.signingKey).toBe(backup.publicKey);
    expect(enabled.url).toBe(disabled.url);
    expect(enabled.props).toEqual(disabled.props);
  });

  it('outvotes a lying endpoint and stops trusting a frozen one', async () => {
    const { sim, client } = await start(3);
    const alice = sim.witnesses[0]!;
    await sim.injectFault({ kind: 'lying-head' }, { endpoint: 2 });
    expect((await client.getWitness(alice.name, { decisive: true })).value?.signingKey).toBe(alice.signingKey);
    expect((await client.getHead({ decisive: true })).value.headBlockNumber).toBe(sim.chain.head().number);

    await sim.clearFaults();
    await sim.injectFault({ kind: 'frozen-head' }, { endpoint: 1 });
    await sim.advanceSlots(5);
    const { value } = await client.getHead({ decisive: true });
    expect(value.headBlockNumber).toBe(sim.chain.head().number);
    expect(client.nodes().map((n) => n.fresh)).toEqual([true, false, true]);
  });

  it('catches a lying endpoint whose head number its block id does not carry, and decides with the honest two', async () => {
    const { sim, client } = await start(3);
    const alice = sim.witnesses[0]!;
    await sim.injectFault({ kind: 'lying-head' }, { endpoint: 1 });
    const { value, node } = await client.getWitness(alice.name, { decisive: true });
    expect(value?.signingKey).toBe(alice.signingKey);
    expect([sim.urls[0], sim.urls[2]]).toContain(node);
    // Its head, whose id does not carry its number, is never taken: it decides nothing.
    expect(client.nodes()[1]).toMatchObject({ fresh: false });
    expect(client.nodes()[1]?.headBlockNumber).toBeUndefined();
  });

  it('with two endpoints, one caught lying is unavailable: the read decides on the other (degraded); minNodes 2 waits', async () => {
    const { sim, client } = await start(2);
    const alice = sim.witnesses[0]!;
    await sim.injectFault({ kind: 'lying-head' }, { endpoint: 1 });
    const { value, node } = await client.getWitness(alice.name, { decisive: true });
    expect([value?.signingKey, node]).toEqual([alice.signingKey, sim.urls[0]]);
    expect(client.nodes().map((n) => n.available)).toEqual([true, false]);
    const strict = dhiveChainClient({ nodes: sim.urls, chainId: sim.chainId, clock: sim.clock, minNodes: 2 });
    try {
      const error = await strict.getWitness(alice.name, { decisive: true }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'STALE_DATA', isRetryable: true, details: { needed: 2, configured: 2 } });
    } finally {
      await strict.close();
    }
  });

  it('leaves out of a decisive read a node that has not answered within a block interval while another has', async () => {
    // No proxy (see `start`); a 300 ms interval on the client so that "within a block" is short in real time.
    sim = await startSimnet({ clock: 'manual', blockIntervalMs: 3000, endpoints: 2, witnesses: 21, proxy: false });
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message) };
    client = dhiveChainClient({
      nodes: sim.urls,
      chainId: sim.chainId,
      clock: sim.clock,
      timeoutMs: 5000,
      blockIntervalMs: 300,
      log,
    });
    await sim.advanceSlots(3);
    const alice = sim.witnesses[0]!;
    await client.getHead({ decisive: true });
    expect(client.nodes().map((n) => n.available)).toEqual([true, true]);
    // Blackholed just as the trap needs it: available when last read, so awaited, and it never answers.
    await sim.injectFault({ kind: 'blackhole' }, { endpoint: 1 });
    const began = Date.now();
    const { value, node } = await client.getWitness(alice.name, { decisive: true });
    const tookMs = Date.now() - began;
    expect([value?.signingKey, node]).toEqual([alice.signingKey, sim.urls[0]]);
    // About one interval (300 ms), far from the call's 5 s timeout.
    expect(tookMs).toBeLessThan(1500);
    const [, slow] = client.nodes();
    expect(slow).toMatchObject({ available: false });
    expect(slow?.unavailableReason).toMatch(/within a block interval/);
    expect(warnings).toContain('rpc node too slow for a decisive read: deciding on the others');
  });

  it('asks an unavailable node that has not answered its last call no more: a blackholed node costs one call per timeout', async () => {
    // A blackholed host beside one simnet endpoint (no proxy, see `start`): it accepts each request and never
    // answers, and counts them (the simnet counts only the calls it frames, which a blackhole never does).
    let asked = 0;
    const hung: ServerResponse[] = [];
    const blackhole = createServer((_req, res) => {
      asked += 1;
      hung.push(res);
    });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const { port } = blackhole.address() as AddressInfo;
    try {
      sim = await startSimnet({ clock: 'manual', blockIntervalMs: 3000, endpoints: 1, witnesses: 21, proxy: false });
      // A 300 ms interval on the client (a read leaves the silent node out after 300 ms real time), a 5 s timeout
      // that outlasts the reads below.
      client = dhiveChainClient({
        nodes: [sim.urls[0] as string, `http://127.0.0.1:${port}`],
        chainId: sim.chainId,
        clock: sim.clock,
        timeoutMs: 5000,
        blockIntervalMs: 300,
      });
      await sim.advanceSlots(3);
      // Left out of this read after a block interval: unavailable, backing off one interval.
      await client.getHead({ decisive: true });
      expect(client.nodes()[1]).toMatchObject({ available: false });
      asked = 0;
      // Ten reads, each past the node's backoff: it is probed once, and that call is still out.
      for (let i = 0; i < 10; i++) {
        await sim.advanceSlots(1);
        const { node } = await client.getHead({ decisive: true });
        expect(node).toBe(sim.urls[0]);
      }
      expect(asked).toBe(1);
    } finally {
      for (const res of hung) res.destroy();
      await new Promise((resolve) => blackhole.close(resolve));
    }
  });

  it('gets a broadcast through when one endpoint hangs and another answers HTML', async () => {
    const { sim, client } = await start(3, 300);
    const alice = sim.witnesses[0]!;
    const backup = alice.backupKeys[0]!;
    const head = (await client.getHead({ decisive: true })).value;
    await sim.injectFault({ kind: 'hang-broadcasts' }, { endpoint: 0 });
    await sim.injectFault({ kind: 'html-error' }, { endpoint: 1 });
    const ring = wifKeyRing({ signingKeys: [alice.privateKey] });
    const signed = await ring.sign(
      buildTransaction(head, [buildSwitchOperation(alice.name, alice.signingKey, backup.publicKey)], {
        now: sim.clock.now(),
      }),
      [alice.signingKey],
      client.chainId,
    );
    const result = await client.broadcast(signed);
    expect(result.acceptedBy).toEqual([sim.urls[2]]);
    const byNode = new Map(result.failures.map((f) => [f.node, f.error]));
    expect(byNode.get(sim.urls[0]!)).toBeInstanceOf(TimeoutError);
    expect(byNode.get(sim.urls[1]!)).toBeInstanceOf(RpcError);
    await sim.advanceSlots(1);
    expect(sim.chain.witness(alice.name)?.signing_key).toBe(backup.publicKey);
  });

  it('fails over reads from an endpoint that refuses connections', async () => {
    const { sim, client } = await start(2);
    await sim.injectFault({ kind: 'refuse-connections' }, { endpoint: 0 });
    const { node } = await client.getWitness(sim.witnesses[0]!.name);
    expect(node).toBe(sim.urls[1]);
    expect(client.nodes()[0]?.lastError).toMatch(/ECONNREFUSED|ECONNRESET/);
  });
});
