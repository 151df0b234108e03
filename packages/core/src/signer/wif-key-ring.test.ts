import { inspect } from 'node:util';
import { PrivateKey } from '@hiveio/dhive';
import { describe, expect, it } from 'vitest';
import { ConfigError, SignerError } from '../errors.js';
import { buildSwitchOperation } from '../tx/switch-operation.js';
import { buildTransaction } from '../tx/transaction.js';
import type { HeadState } from '../types.js';
import { wifKeyRing } from './wif-key-ring.js';

const CHAIN_ID = 'cd'.repeat(32);
const signing = PrivateKey.fromSeed('key ring test signing');
const active = PrivateKey.fromSeed('key ring test active');
const stranger = PrivateKey.fromSeed('key ring test stranger');
const SIGNING = signing.createPublic().toString();
const ACTIVE = active.createPublic().toString();
const STRANGER = stranger.createPublic().toString();
const WIFS = [signing.toString(), active.toString()];

const head: HeadState = {
  headBlockNumber: 1000,
  headBlockId: '000003e8aabbccdd00112233445566778899aabb',
  headBlockTime: Date.UTC(2026, 10, 25, 12, 0, 0),
  currentAslot: 1200,
  currentWitness: 'bob',
  lastIrreversibleBlockNum: 980,
};

function expectNoWif(text: string): void {
  for (const wif of WIFS) expect(text).not.toContain(wif);
}

describe('wifKeyRing', () => {
  const ring = wifKeyRing({ signingKeys: [signing.toString()], activeKey: active.toString() });

  it('reports the public keys of every WIF it holds, the active one named', async () => {
    expect(await ring.publicKeys()).toEqual([SIGNING, ACTIVE]);
    expect(ring.activeKey).toBe(ACTIVE);
    expect(ring.has(SIGNING)).toBe(true);
    expect(ring.has(STRANGER)).toBe(false);
  });

  it('never shows a WIF through String(), JSON.stringify or util.inspect', () => {
    const shown = [String(ring), `${ring}`, JSON.stringify(ring), inspect(ring, { showHidden: true, depth: 10 })];
    for (const text of shown) {
      expectNoWif(text);
      expect(text).toContain(SIGNING);
    }
    expectNoWif(JSON.stringify({ nested: { ring } }));
    expectNoWif(inspect({ nested: ring }, { showHidden: true, depth: 10 }));
    expect(Object.keys(ring)).toEqual([]);
  });

  it('names a bad WIF by its position, never by its text', () => {
    const bad = `${signing.toString().slice(0, -1)}x`;
    let error: unknown;
    try {
      wifKeyRing({ signingKeys: [signing.toString(), bad] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = String((error as Error).message);
    expect(message).toContain('#2');
    expect(message).not.toContain(bad);
    expect(inspect(error, { depth: 10 })).not.toContain(bad);
    expect(() => wifKeyRing({ activeKey: SIGNING })).toThrow(/active key/);
  });

  it('signs with the keys asked for, and refuses a key it does not hold without leaking one', async () => {
    const tx = buildTransaction(head, [buildSwitchOperation('alice', SIGNING, STRANGER)]);
    const signed = await ring.sign(tx, [SIGNING, SIGNING], CHAIN_ID);
    expect(signed.signatures).toHaveLength(1);
    expect(signed.operations).toEqual(tx.operations);

    const refused = await ring.sign(tx, [STRANGER], CHAIN_ID).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SignerError);
    expect((refused as SignerError).code).toBe('SIGNER_KEY_NOT_HELD');
    expectNoWif(inspect(refused, { depth: 10 }));
  });

  it('refuses a malformed chain id and an empty key list', async () => {
    const tx = buildTransaction(head, [buildSwitchOperation('alice', SIGNING, STRANGER)]);
    await expect(ring.sign(tx, [SIGNING], 'beef')).rejects.toThrow(SignerError);
    await expect(ring.sign(tx, [], CHAIN_ID)).rejects.toThrow(SignerError);
  });

  it('reports keys with the configured address prefix', async () => {
    const tst = wifKeyRing({ signingKeys: [signing.toString()], addressPrefix: 'TST' });
    expect(await tst.publicKeys()).toEqual([`TST${SIGNING.slice(3)}`]);
  });
});
