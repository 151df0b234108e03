import { cryptoUtils, PrivateKey, type Transaction } from '@hiveio/dhive';
import { beforeAll, describe, expect, it } from 'vitest';
import { waxFor } from '../../test/wax-referee.js';
import { ConfigError } from '../errors.js';
import { wifKeyRing } from '../signer/wif-key-ring.js';
import {
  type HeadState,
  MAINNET_CHAIN_ID,
  NULL_SIGNING_KEY,
  type UnsignedTransaction,
  type WitnessState,
} from '../types.js';
import { isNullSigningKey, isValidPublicKey } from './public-key.js';
import { buildSwitchOperation } from './switch-operation.js';
import { buildTransaction, transactionId } from './transaction.js';
import { buildWitnessUpdateOperation } from './witness-update-operation.js';

// A chain id of our own, as the simulated chain uses: nothing signed here is valid on a real network.
const TEST_CHAIN_ID = 'ab'.repeat(32);

const primary = PrivateKey.fromSeed('witness-trap test primary signing key');
const backup = PrivateKey.fromSeed('witness-trap test backup signing key');
const active = PrivateKey.fromSeed('witness-trap test active key');
const PRIMARY = primary.createPublic().toString();
const BACKUP = backup.createPublic().toString();
const ACTIVE = active.createPublic().toString();

const head: HeadState = {
  headBlockNumber: 98_765_432,
  headBlockId: '05e30a78c0ffee11deadbeef0123456789abcdef',
  headBlockTime: Date.UTC(2026, 10, 25, 16, 30, 51),
  currentAslot: 99_000_000,
  currentWitness: 'bob',
  lastIrreversibleBlockNum: 98_765_400,
};

const witness: WitnessState = {
  owner: 'alice',
  url: 'https://example.com/alice-witness',
  signingKey: PRIMARY,
  totalMissed: 88,
  lastAslot: 98_999_990,
  lastConfirmedBlockNum: 98_765_420,
  props: { accountCreationFee: '3.000 HIVE', maximumBlockSize: 65_536, hbdInterestRate: 1500 },
};

/** The digest dhive signs: sha256(chain id || serialized transaction). */
function dhiveDigest(tx: UnsignedTransaction): string {
  return cryptoUtils.transactionDigest(tx as unknown as Transaction, Buffer.from(TEST_CHAIN_ID, 'hex')).toString('hex');
}

describe('transaction builders, refereed by wax (hived protocol code)', () => {
  const ring = wifKeyRing({
    signingKeys: [primary.toString(), backup.toString()],
    activeKey: active.toString(),
  });
  let wax: Awaited<ReturnType<typeof waxFor>>;
  beforeAll(async () => {
    wax = await waxFor(TEST_CHAIN_ID);
  });

  /** Signs `tx` with `key`, has wax validate it, and checks that wax and dhive agree on its id, digest and signer. */
  async function signAndReferee(tx: UnsignedTransaction, key: string) {
    const signed = await ring.sign(tx, [key], TEST_CHAIN_ID);
    const refereed = wax.createTransactionFromLegacyJson(signed);
    refereed.validate();
    expect(refereed.legacy_id).toBe(transactionId(signed));
    expect(refereed.legacy_sigDigest).toBe(dhiveDigest(tx));
    expect(refereed.legacy_signatureKeys).toEqual([key]);
    return refereed.requiredAuthorities;
  }

  it('signs a switch that wax validates, with the same id and digest, requiring the current signing key', async () => {
    const required = await signAndReferee(
      buildTransaction(head, [buildSwitchOperation('alice', PRIMARY, BACKUP)]),
      PRIMARY,
    );
    expect(required.active.size + required.owner.size + required.posting.size).toBe(0);
    expect(required.other).toHaveLength(1);
    expect(Object.keys(required.other[0]?.key_auths ?? {})).toEqual([PRIMARY]);
  });

  it('disables the witness with the null key as the new signing key', async () => {
    const required = await signAndReferee(
      buildTransaction(head, [buildSwitchOperation('alice', PRIMARY, NULL_SIGNING_KEY)]),
      PRIMARY,
    );
    expect(Object.keys(required.other[0]?.key_auths ?? {})).toEqual([PRIMARY]);
  });

  it('re-enables a null-key witness with witness_update, signed by the active key, url and props copied', async () => {
    const disabled = { ...witness, signingKey: NULL_SIGNING_KEY };
    const op = buildWitnessUpdateOperation(disabled, BACKUP);
    const required = await signAndReferee(buildTransaction(head, [op]), ACTIVE);
    expect([...required.active]).toEqual(['alice']);
    expect(required.other).toHaveLength(0);
    expect(op[1]).toMatchObject({
      url: witness.url,
      block_signing_key: BACKUP,
      props: { account_creation_fee: '3.000 HIVE', maximum_block_size: 65_536, hbd_interest_rate: 1500 },
      fee: '0.000 HIVE',
    });
  });

  it('takes TaPoS from the head and expires a minute after it by default', () => {
    const tx = buildTransaction(head, [buildSwitchOperation('alice', PRIMARY, BACKUP)]);
    expect(tx.ref_block_num).toBe(98_765_432 & 0xffff);
    // bytes 4..8 of the id, little-endian: c0 ff ee 11
    expect(tx.ref_block_prefix).toBe(0x11eeffc0);
    expect(tx.expiration).toBe('2026-11-25T16:31:51');
    const later = buildTransaction(head, [buildSwitchOperation('alice', PRIMARY, BACKUP)], {
      now: head.headBlockTime + 1500,
      expiresInMs: 30_000,
    });
    expect(later.expiration).toBe('2026-11-25T16:31:22');
  });

  it('gives a signed transaction the id of the unsigned one', async () => {
    const tx = buildTransaction(head, [buildSwitchOperation('alice', PRIMARY, BACKUP)]);
    const signed = await ring.sign(tx, [PRIMARY], TEST_CHAIN_ID);
    expect(transactionId(signed)).toBe(transactionId(tx));
    expect(transactionId(tx)).toMatch(/^[0-9a-f]{40}$/);
  });

  it('refuses an expiration beyond an hour and a malformed head id', () => {
    const ops = [buildSwitchOperation('alice', PRIMARY, BACKUP)];
    expect(() => buildTransaction(head, ops, { expiresInMs: 3_600_001 })).toThrow(ConfigError);
    expect(() => buildTransaction(head, ops, { expiresInMs: 0 })).toThrow(ConfigError);
    expect(() => buildTransaction({ ...head, headBlockId: 'zz' }, ops)).toThrow(/head block id/);
  });

  it('refuses to switch away from the null key (nothing can sign for it)', () => {
    expect(() => buildSwitchOperation('alice', NULL_SIGNING_KEY, BACKUP)).toThrow(/null key/);
  });

  it('refuses malformed keys and account names without echoing the key', () => {
    const wif = primary.toString();
    let error: unknown;
    try {
      buildSwitchOperation('alice', PRIMARY, wif);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).not.toContain(wif);
    expect(() => buildSwitchOperation('Alice!', PRIMARY, BACKUP)).toThrow(ConfigError);
    expect(() => buildWitnessUpdateOperation({ ...witness, url: '' }, BACKUP)).toThrow(ConfigError);
  });
});

describe('isValidPublicKey', () => {
  it('accepts real keys and the null key, under the given prefix', () => {
    expect(isValidPublicKey(PRIMARY)).toBe(true);
    expect(isValidPublicKey(NULL_SIGNING_KEY)).toBe(true);
    expect(isValidPublicKey(`TST${PRIMARY.slice(3)}`, 'TST')).toBe(true);
    expect(isValidPublicKey(PRIMARY, 'TST')).toBe(false);
  });

  it('rejects a changed character, a WIF, junk and the empty string', () => {
    const last = PRIMARY.at(-1) === 'a' ? 'b' : 'a';
    expect(isValidPublicKey(PRIMARY.slice(0, -1) + last)).toBe(false);
    expect(isValidPublicKey(primary.toString())).toBe(false);
    expect(isValidPublicKey('STM')).toBe(false);
    expect(isValidPublicKey('')).toBe(false);
    expect(isValidPublicKey('<html>')).toBe(false);
  });

  it('tells the null key apart under any prefix', () => {
    expect(isNullSigningKey(NULL_SIGNING_KEY)).toBe(true);
    expect(isNullSigningKey(`TST${NULL_SIGNING_KEY.slice(3)}`)).toBe(true);
    expect(isNullSigningKey(PRIMARY)).toBe(false);
  });
});

describe('mainnet chain id', () => {
  it('signs for the mainnet chain id when asked, and the digest differs from another chain', async () => {
    const ring = wifKeyRing({ signingKeys: [primary.toString()] });
    const tx = buildTransaction(head, [buildSwitchOperation('alice', PRIMARY, BACKUP)]);
    const onMainnet = await ring.sign(tx, [PRIMARY], MAINNET_CHAIN_ID);
    const onTest = await ring.sign(tx, [PRIMARY], TEST_CHAIN_ID);
    expect(onMainnet.signatures[0]).not.toBe(onTest.signatures[0]);
    const wax = await waxFor(MAINNET_CHAIN_ID);
    expect(wax.createTransactionFromLegacyJson(onMainnet).legacy_signatureKeys).toEqual([PRIMARY]);
  });
});
