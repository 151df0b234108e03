import { describe, expect, it } from 'vitest';
import { generateKeyPair, isPublicKey, isWif, wifToPublicKey } from './hive-keys.js';

// Vectors computed with dhive 1.3.6: PrivateKey.fromSeed(seed).toString() / .createPublic().toString().
const VECTORS = [
  ['5KMWWy2d3Mjc8LojNoj8Lcz9B1aWu8bRofUgGwQk959Dw5h2iyw', 'STM7RRMne4FT7R5kr8CKxN5LXrep7qJrqARwza2xXDtiahdtNBxGo'],
  ['5J9UWcHkESTdE8r6en96SKXy9Tg9URVz6RXq2C77xMe3DixkTfA', 'STM5Gr2LfceQoTSCbtj11f7co97Gyn1KKfZSyKd6wKxZtRWnALNHM'],
] as const;

describe('hive key formats', () => {
  it('derives the same public key from a WIF as dhive does', () => {
    for (const [wif, publicKey] of VECTORS) expect(wifToPublicKey(wif)).toBe(publicKey);
  });

  it('rejects a WIF with a broken checksum or the wrong shape', () => {
    const [wif] = VECTORS[0];
    const broken = `${wif.slice(0, -1)}${wif.endsWith('w') ? 'x' : 'w'}`;
    expect(isWif(broken)).toBe(false);
    expect(isWif('not a key')).toBe(false);
    expect(isWif(VECTORS[0][1])).toBe(false);
  });

  it('accepts well-formed public keys, the null key included, and rejects a typo', () => {
    expect(isPublicKey(VECTORS[0][1])).toBe(true);
    expect(isPublicKey('STM1111111111111111111111111111111114T1Anm')).toBe(true);
    expect(isPublicKey(VECTORS[0][1].replace('7RR', '7RS'))).toBe(false);
    expect(isPublicKey(VECTORS[0][0])).toBe(false);
  });

  it('generates pairs whose private key derives to their public key, different every time', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(wifToPublicKey(a.privateKey)).toBe(a.publicKey);
    expect(isPublicKey(a.publicKey)).toBe(true);
    expect(a.privateKey).not.toBe(b.privateKey);
  });
});
