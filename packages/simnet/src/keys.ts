import { PrivateKey } from '@hiveio/dhive';

/**
 * Simulator-only keys, derived from the seed so that a simnet started twice with one seed has the same keys (scripts
 * and docs can rely on them). Nothing signed with them is valid on another chain: the simnet has its own chain id.
 */

/** A public key and its private key (WIF). */
export interface KeyPair {
  /** `STM...` */
  publicKey: string;
  /** WIF. Simulator-only. */
  privateKey: string;
}

// Deriving a public key costs ~1 ms in JavaScript; tests start many simnets with the same seed.
const derived = new Map<string, KeyPair>();

/** The key pair derived from `seed` for `purpose` (e.g. `alice/signing`). */
export function deriveKeyPair(seed: string, purpose: string): KeyPair {
  const label = `witness-trap-simnet/${seed}/${purpose}`;
  let pair = derived.get(label);
  if (!pair) {
    const key = PrivateKey.fromSeed(label);
    pair = { publicKey: key.createPublic('STM').toString(), privateKey: key.toString() };
    if (derived.size < 10_000) derived.set(label, pair);
  }
  return { ...pair };
}

/** The public key of a WIF private key (`STM...`). Throws where `wif` is not a valid WIF. */
export function publicKeyOf(wif: string): string {
  return PrivateKey.fromString(wif).createPublic('STM').toString();
}
