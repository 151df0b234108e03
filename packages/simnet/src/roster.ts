import { deriveKeyPair, type KeyPair } from './keys.js';
import type { SimnetWitnessSeed } from './types.js';

/** Deterministic witness names: the first is "the demo witness". Beyond this list, `witness-22`, `witness-23`, ... */
const NAMES = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'yolanda',
  'zoe',
];

/** The default name of witness number `index` (0-based). */
export function witnessName(index: number): string {
  return NAMES[index] ?? `witness-${String(index + 1).padStart(2, '0')}`;
}

/** A witness's keys as the simnet generates them. */
export interface RosterEntry {
  name: string;
  signing: KeyPair;
  active: KeyPair;
  owner: KeyPair;
  posting: KeyPair;
  memo: KeyPair;
  backups: KeyPair[];
  /** The state it was seeded with, if any (its seeded keys are already in `signing` and `active`). */
  seeded?: SimnetWitnessSeed;
}

/** A seeded public key: the simnet holds no private key for it (`''`). */
function publicOnly(publicKey: string): KeyPair {
  return { publicKey, privateKey: '' };
}

/**
 * Builds the roster: names and keys for each witness, backup keys for the first (the demo witness). Seeded keys
 * replace the derived ones; every other key is derived exactly as without seeds.
 */
export function buildRoster(
  names: readonly string[],
  seed: string,
  demoBackupKeys: number,
  seeds: ReadonlyArray<SimnetWitnessSeed | undefined> = [],
): RosterEntry[] {
  return names.map((name, index) => ({
    name,
    signing: seeds[index]?.signingKey ? publicOnly(seeds[index].signingKey) : deriveKeyPair(seed, `${name}/signing`),
    active: seeds[index]?.activeKey ? publicOnly(seeds[index].activeKey) : deriveKeyPair(seed, `${name}/active`),
    owner: deriveKeyPair(seed, `${name}/owner`),
    posting: deriveKeyPair(seed, `${name}/posting`),
    memo: deriveKeyPair(seed, `${name}/memo`),
    backups:
      index === 0
        ? Array.from({ length: demoBackupKeys }, (_, i) => deriveKeyPair(seed, `${name}/backup-${i + 1}`))
        : [],
    ...(seeds[index] ? { seeded: seeds[index] } : {}),
  }));
}
