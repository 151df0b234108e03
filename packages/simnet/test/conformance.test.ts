import { type Client, utils } from '@hiveio/dhive';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type KeyPair, NULL_KEY, refBlockPrefix, type Simnet, startSimnet } from '../src/index.js';
import { dhiveClient, rejection, signOps } from './helpers.js';

let sim: Simnet;
let client: Client;

beforeEach(async () => {
  sim = await startSimnet({ clock: 'manual', backupKeys: 2 });
  client = dhiveClient(sim);
  await sim.advanceSlots(3);
});
afterEach(async () => {
  await sim.stop();
});

const demo = () => sim.witnesses[0] as NonNullable<Simnet['witnesses'][0]>;

function switchOp(name: string, from: string, to: string) {
  return utils.buildWitnessUpdateOp(name, { key: from, new_signing_key: to });
}

function witnessUpdateOp(owner: string, key: string, url: string) {
  return [
    'witness_update',
    {
      owner,
      url,
      block_signing_key: key,
      props: { account_creation_fee: '5.000 HIVE', maximum_block_size: 131072, hbd_interest_rate: 1234 },
      fee: '0.000 HIVE',
    },
  ] as never;
}

describe('reads through dhive', () => {
  it('serves the head as hived does', async () => {
    const dgp = await client.database.getDynamicGlobalProperties();
    expect(dgp.head_block_number).toBe(sim.chain.head().number);
    expect(dgp.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(Date.parse(`${dgp.time}Z`)).toBe(sim.chain.head().time);
    expect(dgp.current_witness).toBe(sim.chain.head().witness);
    expect(dgp.current_aslot).toBe(sim.chain.head().aslot);
    expect(dgp.last_irreversible_block_num).toBeLessThanOrEqual(dgp.head_block_number);
    const config = await client.database.getConfig();
    expect(config.HIVE_BLOCK_INTERVAL).toBe(3);
    expect(config.HIVE_CHAIN_ID).toBe(sim.chainId);
    expect(config.HIVE_ADDRESS_PREFIX).toBe('STM');
    const version = await client.call('condenser_api', 'get_version', []);
    expect(version.chain_id).toBe(sim.chainId);
  });

  it("lists its methods as hived's jsonrpc.get_methods does: sorted api.method strings, its own control API left out", async () => {
    const methods = (await client.call('jsonrpc', 'get_methods', {})) as string[];
    expect(methods).toEqual([...methods].sort());
    expect(methods).toEqual(
      expect.arrayContaining([
        'jsonrpc.get_methods',
        'condenser_api.get_witness_by_account',
        'database_api.get_version',
      ]),
    );
    expect(methods.filter((name) => name.startsWith('simnet_api.'))).toEqual([]);
  });

  it('serves witness objects in both APIs', async () => {
    const legacy = await client.call('condenser_api', 'get_witness_by_account', [demo().name]);
    expect(legacy.signing_key).toBe(demo().signingKey);
    expect(legacy.props.account_creation_fee).toBe('3.000 HIVE');
    const found = await client.call('database_api', 'find_witnesses', { owners: [demo().name, 'nobody'] });
    expect(found.witnesses).toHaveLength(1);
    expect(found.witnesses[0].props.account_creation_fee).toEqual({ amount: '3000', precision: 3, nai: '@@000000021' });
    expect(await client.call('condenser_api', 'get_witness_by_account', ['nobody'])).toBeNull();
    const [account] = await client.database.getAccounts([demo().name]);
    expect(account?.active.key_auths[0]?.[0]).toBe(demo().activePublicKey);
  });

  it('serves the schedule with the next round', async () => {
    const legacy = await client.call('condenser_api', 'get_witness_schedule', []);
    expect(legacy.current_shuffled_witnesses).toHaveLength(21);
    expect(legacy.num_scheduled_witnesses).toBe(21);
    expect(legacy.future_shuffled_witnesses).toBeUndefined();
    const withFuture = await client.call('condenser_api', 'get_witness_schedule', [true]);
    expect(withFuture.future_shuffled_witnesses).toEqual(sim.chain.schedule().future);
    const db = await client.call('database_api', 'get_witness_schedule', { include_future: true });
    expect(new Set(db.future_shuffled_witnesses)).toEqual(new Set(sim.witnesses.map((w) => w.name)));
    expect(db.next_shuffle_block_num % 21).toBe(0);
  });

  it('serves blocks whose ids carry their number, and headers', async () => {
    const head = sim.chain.head().number;
    const block = await client.database.getBlock(head);
    expect(Number.parseInt(block.block_id.slice(0, 8), 16)).toBe(head);
    expect(block.witness).toBe(sim.chain.head().witness);
    expect((block as unknown as { signing_key: string }).signing_key).toBe(sim.chain.block(head)?.signingKey);
    const previous = await client.database.getBlock(head - 1);
    expect(block.previous).toBe(previous.block_id);
    const header = await client.call('block_api', 'get_block_header', { block_num: head });
    expect(header.header.witness).toBe(block.witness);
    expect(await client.database.getBlock(head + 100)).toBeNull();
    expect(await client.call('block_api', 'get_block_header', { block_num: head + 100 })).toEqual({});
  });
});

describe('key switch broadcasts', () => {
  it('lands a witness_set_properties switch in the next block, signed by the current key', async () => {
    const backup = demo().backupKeys[0]?.publicKey as string;
    const tx = await signOps(client, sim, [switchOp(demo().name, demo().signingKey, backup)], [demo().privateKey]);
    await client.broadcast.send(tx);
    expect(sim.chain.witness(demo().name)?.signing_key).toBe(demo().signingKey);
    const before = sim.chain.head().number;
    await sim.advanceSlots(1);
    expect(sim.chain.witness(demo().name)?.signing_key).toBe(backup);
    const landed = sim.chain.transactions();
    expect(landed).toHaveLength(1);
    expect(landed[0]?.blockNum).toBe(before + 1);
    expect(landed[0]?.signerKeys).toEqual([demo().signingKey]);
    const fetched = await client.call('condenser_api', 'get_transaction', [landed[0]?.id]);
    expect(fetched.block_num).toBe(before + 1);
    const ops = await client.call('condenser_api', 'get_ops_in_block', [before + 1, false]);
    expect(ops).toEqual([expect.objectContaining({ trx_id: landed[0]?.id, virtual_op: false, op: tx.operations[0] })]);
    const witness = await client.call('condenser_api', 'get_witness_by_account', [demo().name]);
    expect(witness.signing_key).toBe(backup);
  });

  it("lands a switch sent with dhive's sendOperations", async () => {
    const backup = demo().backupKeys[0]?.publicKey as string;
    const { PrivateKey } = await import('@hiveio/dhive');
    await client.broadcast.sendOperations(
      [switchOp(demo().name, demo().signingKey, backup)],
      PrivateKey.fromString(demo().privateKey),
    );
    await sim.advanceSlots(1);
    expect(sim.chain.witness(demo().name)?.signing_key).toBe(backup);
  });

  it('rejects a switch signed by another key with tx_missing_other_auth', async () => {
    const backup = demo().backupKeys[0] as { publicKey: string; privateKey: string };
    const tx = await signOps(
      client,
      sim,
      [switchOp(demo().name, demo().signingKey, backup.publicKey)],
      [backup.privateKey],
    );
    const error = await rejection(client.broadcast.send(tx));
    expect(error).toMatchObject({ name: 'tx_missing_other_auth', code: 3040000 });
    await sim.advanceSlots(2);
    expect(sim.chain.witness(demo().name)?.signing_key).toBe(demo().signingKey);
    expect(sim.chain.broadcasts().at(-1)).toMatchObject({ accepted: false, error: { name: 'tx_missing_other_auth' } });
  });

  it("rejects a switch whose 'key' is not the on-chain key", async () => {
    const backup = demo().backupKeys[0] as { publicKey: string; privateKey: string };
    const other = demo().backupKeys[1]?.publicKey as string;
    const tx = await signOps(client, sim, [switchOp(demo().name, backup.publicKey, other)], [backup.privateKey]);
    const error = await rejection(client.broadcast.send(tx));
    expect(error.name).toBe('assert_exception');
    expect(error.message).toContain("'key' does not match witness signing key.");
  });

  it('lets only one of two switches from the same key land (compare-and-swap)', async () => {
    const [b1, b2] = demo().backupKeys as [KeyPair, KeyPair];
    const first = await signOps(
      client,
      sim,
      [switchOp(demo().name, demo().signingKey, b1.publicKey)],
      [demo().privateKey],
    );
    const second = await signOps(
      client,
      sim,
      [switchOp(demo().name, demo().signingKey, b2.publicKey)],
      [demo().privateKey],
    );
    await client.broadcast.send(first);
    const error = await rejection(client.broadcast.send(second));
    expect(error.message).toContain("'key' does not match witness signing key.");
    await sim.advanceSlots(1);
    expect(sim.chain.witness(demo().name)?.signing_key).toBe(b1.publicKey);
    expect(sim.chain.transactions()).toHaveLength(1);
  });

  it('rejects an expired transaction and one expiring more than an hour ahead', async () => {
    const backup = demo().backupKeys[0]?.publicKey as string;
    const op = switchOp(demo().name, demo().signingKey, backup);
    const expired = await signOps(client, sim, [op], [demo().privateKey], { expiresInMs: 0 });
    expect(await rejection(client.broadcast.send(expired))).toMatchObject({
      name: 'transaction_expiration_exception',
      code: 4030100,
    });
    const far = await signOps(client, sim, [op], [demo().privateKey], { expiresInMs: 3601_000 });
    expect((await rejection(client.broadcast.send(far))).name).toBe('transaction_expiration_exception');
  });

  it('rejects a transaction whose TaPoS names no recent block', async () => {
    const backup = demo().backupKeys[0]?.publicKey as string;
    const head = sim.chain.head();
    const tx = await signOps(client, sim, [switchOp(demo().name, demo().signingKey, backup)], [demo().privateKey], {
      ref_block_prefix: (refBlockPrefix(head.id) + 1) >>> 0,
    });
    expect(await rejection(client.broadcast.send(tx))).toMatchObject({
      name: 'transaction_tapos_exception',
      code: 4030200,
    });
  });

  it('rejects a duplicate while accepting the first', async () => {
    const backup = demo().backupKeys[0]?.publicKey as string;
    const tx = await signOps(client, sim, [switchOp(demo().name, demo().signingKey, backup)], [demo().privateKey]);
    await client.broadcast.send(tx);
    const pendingDuplicate = await rejection(client.broadcast.send(tx));
    expect(pendingDuplicate.name).toBe('assert_exception');
    expect(pendingDuplicate.message).toContain('Duplicate transaction check failed');
    await sim.advanceSlots(1);
    expect((await rejection(client.broadcast.send(tx))).message).toContain('Duplicate transaction check failed');
    expect(sim.chain.transactions()).toHaveLength(1);
  });

  it('lands a witness_update signed with the active key, overwriting url and props', async () => {
    const backup = demo().backupKeys[0]?.publicKey as string;
    const tx = await signOps(
      client,
      sim,
      [witnessUpdateOp(demo().name, backup, 'https://example.org/w')],
      [demo().activeKey],
    );
    await client.broadcast.send(tx);
    await sim.advanceSlots(1);
    const w = await client.call('condenser_api', 'get_witness_by_account', [demo().name]);
    expect(w.signing_key).toBe(backup);
    expect(w.url).toBe('https://example.org/w');
    expect(w.props).toMatchObject({
      account_creation_fee: '5.000 HIVE',
      maximum_block_size: 131072,
      hbd_interest_rate: 1234,
    });
  });

  it('rejects a witness_update without the active key', async () => {
    const backup = demo().backupKeys[0]?.publicKey as string;
    const tx = await signOps(
      client,
      sim,
      [witnessUpdateOp(demo().name, backup, 'https://example.org/w')],
      [demo().privateKey],
    );
    expect(await rejection(client.broadcast.send(tx))).toMatchObject({ name: 'tx_missing_active_auth', code: 3010000 });
    await sim.advanceSlots(1);
    expect(sim.chain.witness(demo().name)?.url).not.toBe('https://example.org/w');
  });

  it('takes a witness with the null key out of the schedule', async () => {
    const tx = await signOps(client, sim, [switchOp(demo().name, demo().signingKey, NULL_KEY)], [demo().privateKey]);
    await client.broadcast.send(tx);
    await sim.advanceSlots(1);
    expect(sim.chain.witness(demo().name)?.signing_key).toBe(NULL_KEY);
    // the next round was already drawn (HF26), so the witness leaves at the round after it
    const head = sim.chain.head().number;
    const secondShuffle = sim.chain.schedule().nextShuffleBlockNum + 21;
    while (sim.chain.head().number < secondShuffle) await sim.advanceSlots(1);
    expect(sim.chain.schedule().current).not.toContain(demo().name);
    expect(sim.chain.schedule().current).toHaveLength(20);
    const producedAfter = sim.chain.blocks(head + 1).filter((b) => b.witness === demo().name);
    expect(producedAfter).toHaveLength(0);
  });

  it('answers broadcast_transaction_synchronous once the transaction is in a block', async () => {
    const backup = demo().backupKeys[0]?.publicKey as string;
    const tx = await signOps(client, sim, [switchOp(demo().name, demo().signingKey, backup)], [demo().privateKey]);
    const answer = client.call('condenser_api', 'broadcast_transaction_synchronous', [tx]);
    await sim.advanceSlots(1);
    const result = await answer;
    expect(result).toMatchObject({ block_num: sim.chain.head().number, trx_num: 0, expired: false });
  });

  it('accepts network_broadcast_api.broadcast_transaction', async () => {
    const backup = demo().backupKeys[0]?.publicKey as string;
    const tx = await signOps(client, sim, [switchOp(demo().name, demo().signingKey, backup)], [demo().privateKey]);
    expect(await client.call('network_broadcast_api', 'broadcast_transaction', { trx: tx })).toEqual({});
    await sim.advanceSlots(1);
    expect(sim.chain.witness(demo().name)?.signing_key).toBe(backup);
  });

  it('decodes and applies every witness_set_properties prop', async () => {
    const backup = demo().backupKeys[0]?.publicKey as string;
    const op = utils.buildWitnessUpdateOp(demo().name, {
      key: demo().signingKey,
      new_signing_key: backup,
      url: 'https://example.org/props',
      maximum_block_size: 131072,
      hbd_interest_rate: 1500,
      account_creation_fee: '3.500 HIVE',
      hbd_exchange_rate: { base: '0.300 HBD', quote: '1.000 HIVE' },
    });
    await client.broadcast.send(await signOps(client, sim, [op], [demo().privateKey]));
    await sim.advanceSlots(1);
    const w = await client.call('condenser_api', 'get_witness_by_account', [demo().name]);
    expect(w).toMatchObject({
      signing_key: backup,
      url: 'https://example.org/props',
      props: { maximum_block_size: 131072, hbd_interest_rate: 1500, account_creation_fee: '3.500 HIVE' },
      hbd_exchange_rate: { base: '0.300 HBD', quote: '1.000 HIVE' },
    });
  });

  it('keeps props it was not given', async () => {
    const before = sim.chain.witness(demo().name);
    const op = utils.buildWitnessUpdateOp(demo().name, { key: demo().signingKey, hbd_interest_rate: 42 });
    await client.broadcast.send(await signOps(client, sim, [op], [demo().privateKey]));
    await sim.advanceSlots(1);
    const after = sim.chain.witness(demo().name);
    expect(after?.props).toEqual({ ...before?.props, hbd_interest_rate: 42 });
    expect(after?.url).toBe(before?.url);
    expect(after?.signing_key).toBe(demo().signingKey);
  });
});
