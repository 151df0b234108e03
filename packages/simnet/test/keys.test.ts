import { PrivateKey } from '@hiveio/dhive';
import { describe, expect, it } from 'vitest';
import { deriveKeyPair } from '../src/keys.js';

describe('simulator keys', () => {
  it('are the keys dhive derives from the same seed, and a matching pair', () => {
    for (const purpose of ['alice/signing', 'bob/active', 'zoe/backup-1', 'witness-22/memo']) {
      const pair = deriveKeyPair('simnet', purpose);
      const dhiveKey = PrivateKey.fromSeed(`witness-trap-simnet/simnet/${purpose}`);
      expect(pair.privateKey).toBe(dhiveKey.toString());
      expect(pair.publicKey).toBe(dhiveKey.createPublic('STM').toString());
      expect(PrivateKey.fromString(pair.privateKey).createPublic('STM').toString()).toBe(pair.publicKey);
    }
  });

  it('differ by seed and by purpose', () => {
    const keys = new Set(
      ['a', 'b'].flatMap((seed) => ['alice/signing', 'alice/active'].map((p) => deriveKeyPair(seed, p).publicKey)),
    );
    expect(keys.size).toBe(4);
  });
});
