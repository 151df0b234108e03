import { createECDH, createHash } from 'node:crypto';
import { PrivateKey } from '@hiveio/dhive';

/**
 * Simulator-only keys, derived from the seed so that a simnet started twice with one seed has the same keys (scripts
 * and docs can rely on them). Nothing signed with them is valid on another chain: the simnet has its own chain id.
 *
 * The public key is computed with node's native secp256k1 (dhive's JavaScript curve arithmetic costs ~3 ms a key,
 * and a simnet makes over a hundred); the result is the same key dhive's `createPublic` gives.
 */

/** A public key and its private key (WIF). */
export interface KeyPair {
  /** `STM...` */
  publicKey: string;
  /** WIF. Simulator-only. */
  privateKey: string;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/** `STM` + base58(compressed point + first 4 bytes of its ripemd160), as hived writes public keys. */
function publicKeyString(compressed: Buffer): string {
  const checksum = createHash('ripemd160').update(compressed).digest().subarray(0, 4);
  return `STM${base58(Buffer.concat([compressed, checksum]))}`;
}

// Tests start many simnets with the same seed: derive each key once per process.
const derived = new Map<string, KeyPair>();

/** The key pair derived from `seed` for `purpose` (e.g. `alice/signing`); the same as dhive's `PrivateKey.fromSeed`. */
export function deriveKeyPair(seed: string, purpose: string): KeyPair {
  const label = `witness-trap-simnet/${seed}/${purpose}`;
  let pair = derived.get(label);
  if (!pair) {
    const secret = createHash('sha256').update(label).digest();
    const ecdh = createECDH('secp256k1');
    ecdh.setPrivateKey(secret);
    pair = {
      publicKey: publicKeyString(ecdh.getPublicKey(null, 'compressed')),
      privateKey: new PrivateKey(secret).toString(),
    };
    if (derived.size < 10_000) derived.set(label, pair);
  }
  return { ...pair };
}
