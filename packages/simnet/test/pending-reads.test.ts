import { type Client, utils } from '@hiveio/dhive';
import { afterEach, describe, expect, it } from 'vitest';
import { type Simnet, startSimnet } from '../src/index.js';
import { dhiveClient, signOps } from './helpers.js';

let sim: Simnet | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function started(readsIncludePending: boolean): Promise<{ sim: Simnet; client: Client }> {
  // no proxy: each read must come from the live head for the before/after comparison
  sim = await startSimnet({ clock: 'manual', endpoints: 2, readsIncludePending, proxy: false });
  await sim.advanceSlots(2);
  return { sim, client: dhiveClient(sim) };
}

async function switchTx(s: Simnet, client: Client) {
  const demo = s.witnesses[0] as NonNullable<Simnet['witnesses'][0]>;
  const backup = demo.backupKeys[0]?.publicKey as string;
  const op = utils.buildWitnessUpdateOp(demo.name, { key: demo.signingKey, new_signing_key: backup });
  return { demo, backup, tx: await signOps(client, s, [op], [demo.privateKey], { expiresInMs: 9000 }) };
}

async function keyShownBy(s: Simnet, endpoint: number, name: string): Promise<string> {
  const witness = await dhiveClient(s, s.urls[endpoint]).call('condenser_api', 'get_witness_by_account', [name]);
  return witness.signing_key;
}

describe('reads with pending transactions applied (readsIncludePending)', () => {
  it('shows a switch from the mempool before the block that includes it', async () => {
    const { sim: s, client } = await started(true);
    const { demo, backup, tx } = await switchTx(s, client);
    await client.broadcast.send(tx);
    expect(s.chain.witness(demo.name)?.signing_key).toBe(demo.signingKey);
    expect(await keyShownBy(s, 0, demo.name)).toBe(backup);
    const found = await dhiveClient(s).call('database_api', 'find_witnesses', { owners: [demo.name] });
    expect(found.witnesses[0].signing_key).toBe(backup);
  });

  it('a withholding node shows the switch it accepted, though no block ever includes it, until it expires', async () => {
    const { sim: s, client } = await started(true);
    await s.injectFault({ kind: 'withhold-broadcasts' }, { endpoint: 0 });
    const { demo, backup, tx } = await switchTx(s, client);
    await client.broadcast.send(tx);
    expect(s.chain.broadcasts().at(-1)).toMatchObject({ accepted: true, fault: 'withhold-broadcasts' });
    await s.advanceSlots(1);
    expect(await keyShownBy(s, 0, demo.name)).toBe(backup);
    expect(await keyShownBy(s, 1, demo.name)).toBe(demo.signingKey);
    expect(s.chain.transactions()).toEqual([]);
    await s.advanceSlots(3);
    expect(await keyShownBy(s, 0, demo.name)).toBe(demo.signingKey);
    expect(s.chain.witness(demo.name)?.signing_key).toBe(demo.signingKey);
  });

  it('off (tidy): reads show only what blocks applied', async () => {
    const { sim: s, client } = await started(false);
    const { demo, tx } = await switchTx(s, client);
    await client.broadcast.send(tx);
    expect(await keyShownBy(s, 0, demo.name)).toBe(demo.signingKey);
  });
});
