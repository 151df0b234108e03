import { type Client, PrivateKey, utils } from '@hiveio/dhive';
import { afterEach, describe, expect, it } from 'vitest';
import { type Simnet, SimnetOptionsError, startSimnet } from '../src/index.js';
import { dhiveClient, signOps } from './helpers.js';

/** Keys the simnet never derived: they stand for a real operator's, held only by the test (its "key ring"). */
const operatorSigning = PrivateKey.fromSeed('seeding-test/operator-signing');
const operatorActive = PrivateKey.fromSeed('seeding-test/operator-active');
const backup = PrivateKey.fromSeed('seeding-test/operator-backup');
const pub = (key: PrivateKey) => key.createPublic('STM').toString();

const copy = {
  name: 'gtg',
  signingKey: pub(operatorSigning),
  url: 'https://example.invalid/witness-post',
  props: { account_creation_fee: '7.500 HIVE', maximum_block_size: 131072, hbd_interest_rate: 1500 },
  totalMissed: 977,
  activeKey: pub(operatorActive),
};

let sim: Simnet | undefined;
let client: Client | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  client = undefined;
});

function names(n: number): Array<{ name: string }> {
  return Array.from({ length: n }, (_, i) => ({ name: `other-${String(i + 1).padStart(2, '0')}` }));
}

describe('seeded witnesses', () => {
  it('start with the seeded key, url, props, missed count and active key, and hived answers show them', async () => {
    sim = await startSimnet({ clock: 'manual', witnesses: [copy, ...names(4)], backupKeys: 0 });
    client = dhiveClient(sim);
    const witness = await client.call('condenser_api', 'get_witness_by_account', ['gtg']);
    expect(witness).toMatchObject({
      owner: 'gtg',
      signing_key: copy.signingKey,
      url: copy.url,
      total_missed: 977,
      props: { account_creation_fee: '7.500 HIVE', maximum_block_size: 131072, hbd_interest_rate: 1500 },
    });
    const [account] = await client.database.getAccounts(['gtg']);
    expect(account?.active.key_auths).toEqual([[copy.activeKey, 1]]);
    // The simnet never had these private keys and says so.
    expect(sim.witnesses[0]).toMatchObject({ signingKey: copy.signingKey, privateKey: '', activeKey: '' });
  });

  it('produce with a public key only, and their misses add to the seeded count once the node is down', async () => {
    sim = await startSimnet({ clock: 'manual', witnesses: [copy, ...names(4)], backupKeys: 0 });
    await sim.advanceSlots(10);
    const own = sim.chain.blocks().filter((b) => b.witness === 'gtg' && b.num > 1);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((b) => b.signingKey === copy.signingKey)).toBe(true);
    expect(sim.chain.witness('gtg')?.total_missed).toBe(977);
    await sim.stopNode(copy.signingKey);
    await sim.advanceSlots(11);
    expect(sim.chain.witness('gtg')?.total_missed).toBeGreaterThanOrEqual(978);
  });

  it("accept a switch signed by the operator's own key, after which the backup node produces", async () => {
    sim = await startSimnet({ clock: 'manual', witnesses: [copy, ...names(4)], backupKeys: 0 });
    client = dhiveClient(sim);
    await sim.addNode(pub(backup));
    await sim.advanceSlots(2);
    const op = utils.buildWitnessUpdateOp('gtg', { key: copy.signingKey, new_signing_key: pub(backup) });
    await client.broadcast.send(await signOps(client, sim, [op], [operatorSigning.toString()]));
    await sim.advanceSlots(1);
    expect(sim.chain.witness('gtg')?.signing_key).toBe(pub(backup));
    await sim.stopNode(copy.signingKey);
    await sim.advanceSlots(6);
    const after = sim.chain.blocks().filter((b) => b.witness === 'gtg' && b.signingKey === pub(backup));
    expect(after.length).toBeGreaterThan(0);
  });

  it('stand at their schedulePosition in the first round; unseeded witnesses keep keys and schedule', async () => {
    const plain = await startSimnet({ clock: 'manual', witnesses: 5, backupKeys: 0 });
    const plainOrder = plain.chain.schedule().current;
    const plainKeys = plain.witnesses.map((w) => w.signingKey);
    await plain.stop();
    // Same names, one of them seeded with only a url: same keys, same shuffle.
    const names5 = plain.witnesses.map((w) => ({ name: w.name }));
    const withUrl = names5.map((w, i) => (i === 2 ? { ...w, url: 'https://example.invalid' } : w));
    sim = await startSimnet({ clock: 'manual', witnesses: withUrl, backupKeys: 0 });
    expect(sim.chain.schedule().current).toEqual(plainOrder);
    expect(sim.witnesses.map((w) => w.signingKey)).toEqual(plainKeys);
    await sim.stop();
    for (const position of [0, 4]) {
      const name = plain.witnesses[3]?.name as string;
      const placed = names5.map((w) => (w.name === name ? { ...w, schedulePosition: position } : w));
      sim = await startSimnet({ clock: 'manual', witnesses: placed, backupKeys: 0 });
      const order = sim.chain.schedule().current;
      expect(order[position]).toBe(name);
      expect([...order].sort()).toEqual([...plainOrder].sort());
      await sim.stop();
    }
    sim = undefined;
  });

  it.each([
    [{ name: 'gtg', signingKey: 'STM1nope' }, /signingKey is not a valid public key/],
    [{ name: 'gtg', activeKey: `${copy.signingKey.slice(0, -1)}x` }, /activeKey is not a valid public key/],
    [{ name: 'gtg', props: { hbd_interest_rate: 10_001 } }, /hbd_interest_rate/],
    [{ name: 'gtg', props: { account_creation_fee: '3 HIVE' } }, /account_creation_fee/],
    [{ name: 'gtg', totalMissed: -1 }, /totalMissed/],
    [{ name: 'gtg', schedulePosition: 5 }, /schedulePosition must be an integer from 0 to 4/],
  ])('refuse an invalid seed (%o)', async (seed, reason) => {
    await expect(startSimnet({ clock: 'manual', witnesses: [seed, ...names(4)] })).rejects.toThrow(reason);
    await expect(startSimnet({ clock: 'manual', witnesses: [seed, ...names(4)] })).rejects.toBeInstanceOf(
      SimnetOptionsError,
    );
  });
});

describe('witness names', () => {
  it("follow Hive's rule: dotted names are accepted, a part shorter than 3 or ending in a dash is not", async () => {
    sim = await startSimnet({ clock: 'manual', witnesses: [{ name: 'good.witness' }, ...names(2)], backupKeys: 0 });
    expect(sim.chain.witness('good.witness')?.owner).toBe('good.witness');
    await expect(startSimnet({ clock: 'manual', witnesses: [{ name: 'ab.cde' }] })).rejects.toThrow(/account name/);
    await expect(startSimnet({ clock: 'manual', witnesses: [{ name: 'abc-' }] })).rejects.toThrow(/account name/);
  });
});
