import { utils } from '@hiveio/dhive';
import { afterEach, describe, expect, it } from 'vitest';
import { type Simnet, startSimnet } from '../src/index.js';
import { dhiveClient, signOps } from './helpers.js';

let sim: Simnet | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe('stepping a test along with the chain', () => {
  it('steps until a promise settles and says with what, or that it did not within the bound', async () => {
    sim = await startSimnet({ clock: 'manual' });
    const start = sim.chain.head().number;
    const fiveBlocks = sim.waitForBlock(start + 5);
    expect(await sim.stepUntil(fiveBlocks, 3)).toEqual({ settled: false });
    const outcome = await sim.stepUntil(fiveBlocks, 10);
    expect(outcome).toMatchObject({ settled: true, value: { num: start + 5 } });
    expect(sim.chain.head().number).toBe(start + 5);
    const failing = sim.clock.sleep(1).then(() => {
      throw new Error('boom');
    });
    expect(await sim.stepUntil(failing, 2)).toMatchObject({ settled: true, error: { message: 'boom' } });
  });

  it("lists one witness's missed slots and key switches", async () => {
    sim = await startSimnet({ clock: 'manual', backupKeys: 1 });
    const [me, other] = sim.witnesses;
    if (!me || !other) throw new Error('two witnesses expected');
    await sim.stopNode(me.signingKey);
    await sim.advanceSlots(42);
    const mine = sim.chain.missedSlots(me.name);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((m) => m.witness === me.name)).toBe(true);
    expect(sim.chain.missedSlots().length).toBeGreaterThanOrEqual(mine.length);
    expect(sim.chain.missedSlots(other.name)).toEqual([]);

    const backup = me.backupKeys[0]?.publicKey ?? '';
    const op = utils.buildWitnessUpdateOp(me.name, { key: me.signingKey, new_signing_key: backup });
    const client = dhiveClient(sim);
    const tx = await signOps(client, sim, [op], [me.privateKey]);
    await client.call('condenser_api', 'broadcast_transaction', [tx]);
    await sim.advanceSlots(1);
    const switches = sim.chain.keySwitches(me.name);
    expect(switches).toHaveLength(1);
    expect(switches[0]?.signerKeys).toEqual([me.signingKey]);
    expect(sim.chain.keySwitches(other.name)).toEqual([]);
  });
});
