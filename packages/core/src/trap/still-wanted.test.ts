import { PrivateKey } from '@hiveio/dhive';
import { describe, expect, it } from 'vitest';
import type { PendingSwitch, WitnessState } from '../types.js';
import { stillMissing, stillMissingSince } from './still-wanted.js';
import { MAX_ANCHOR_LAG_BLOCKS } from './switch.js';

const key = (seed: string) => PrivateKey.fromSeed(`still-wanted-test-${seed}`).createPublic('STM').toString();
const primary = key('primary');
const backup = key('backup');

const witness = (signingKey: string, lastAslot: number, lastConfirmedBlockNum = 900): WitnessState => ({
  owner: 'alice',
  url: 'https://example.invalid',
  signingKey,
  totalMissed: 3,
  lastAslot,
  lastConfirmedBlockNum,
  props: {} as WitnessState['props'],
});
/** A switch signed on a TaPoS naming block 1000 (its low 16 bits), as saved; `lastAslotAtSigning` as given. */
const pending = (lastAslotAtSigning?: number): PendingSwitch => ({
  fromKey: primary,
  toKey: backup,
  txId: 'cd'.repeat(20),
  tx: { ref_block_num: 1000 } as PendingSwitch['tx'],
  expiresAt: 60_000,
  signedAt: 30_000,
  ...(lastAslotAtSigning === undefined ? {} : { lastAslotAtSigning }),
});

describe('still wanted', () => {
  it('a live switch: while the old key is on chain and the witness has not produced since the miss', () => {
    expect(stillMissing(witness(primary, 500), primary, 500)).toBe(true);
    expect(stillMissing(witness(primary, 501), primary, 500)).toBe(false); // produced: the node is back
    expect(stillMissing(witness(backup, 500), primary, 500)).toBe(false); // the key moved on
  });

  it('a resumed switch: the same rule on the last_aslot saved with it, without reading the head', async () => {
    let heads = 0;
    const head = async () => {
      heads += 1;
      return 1010;
    };
    await expect(stillMissingSince(witness(primary, 500), pending(500), head)).resolves.toBe(true);
    await expect(stillMissingSince(witness(primary, 501), pending(500), head)).resolves.toBe(false);
    await expect(stillMissingSince(witness(backup, 400), pending(), head)).resolves.toBe(false);
    expect(heads).toBe(0);
  });

  it('state from an older version: the TaPoS block stands in, with room for a TaPoS on the irreversible block', async () => {
    const head = async () => 1010;
    const anchored = 1000 + MAX_ANCHOR_LAG_BLOCKS;
    await expect(stillMissingSince(witness(primary, 9, anchored), pending(), head)).resolves.toBe(true);
    await expect(stillMissingSince(witness(primary, 9, anchored + 1), pending(), head)).resolves.toBe(false);
    // The head only places the 16-bit reference: one 65536 blocks on names the block 65536 on.
    const later = async () => 66_546;
    await expect(stillMissingSince(witness(primary, 9, anchored), pending(), later)).resolves.toBe(true);
    await expect(
      stillMissingSince(witness(primary, 9, 66_536 + MAX_ANCHOR_LAG_BLOCKS + 1), pending(), later),
    ).resolves.toBe(false);
  });
});
