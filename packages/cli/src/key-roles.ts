/**
 * What each private key `check` holds is, on chain: the witness's signing key, a backup, the account's active or
 * owner key, or nothing the trap uses, and which operation it would sign. A key that can move the account's funds
 * (active) or take the account (owner) must not sit among the signing keys on the watcher host unnoticed: `check` says
 * so plainly, and where that key belongs.
 */
import type { AccountAuthorities } from '@witness-trap/core';
import type { LoadedKeys } from './key-files.js';

/** One held key and what it is. */
export interface HeldKey {
  publicKey: string;
  /** Where it was configured: `--signing-keys-file PATH`, `WITNESS_TRAP_SIGNING_KEYS`, `--active-key-file PATH`, ... */
  from: string;
  /** What it is on chain, in words: `the signing key on chain now`, `backup #1`, `alice's ACTIVE key`, ... */
  is: string;
  /** What the trap would sign with it, or why nothing. */
  signs: string;
}

/** The keys' roles and the warnings about keys in the wrong place. */
export interface KeyReport {
  roles: HeldKey[];
  warnings: string[];
}

/** Where the signing keys and the active key came from (labels for the operator). */
export interface KeySources {
  signingKeysFile?: string;
  signingKeysEnv?: string;
  activeKeyFile?: string;
  activeKeyEnv?: string;
}

/** Names each held key against the witness's keys and the account's authorities. Pure. */
export function keyRoles(
  witness: string,
  keys: LoadedKeys,
  sources: KeySources,
  chain: { signingKey: string; backupKeys: readonly string[]; account?: AccountAuthorities },
): KeyReport {
  const roles: HeldKey[] = [];
  const warnings: string[] = [];
  const active = new Set(chain.account?.active.keyAuths.map(([key]) => key) ?? []);
  const owner = new Set(chain.account?.owner.keyAuths.map(([key]) => key) ?? []);
  const signingFrom = [
    sources.signingKeysFile ? `--signing-keys-file ${sources.signingKeysFile}` : '',
    sources.signingKeysEnv ? 'WITNESS_TRAP_SIGNING_KEYS' : '',
  ]
    .filter(Boolean)
    .join(' / ');
  for (const key of keys.signingPublicKeys) {
    const backup = chain.backupKeys.indexOf(key);
    if (owner.has(key)) {
      roles.push({ publicKey: key, from: signingFrom, is: `${witness}'s OWNER key`, signs: 'nothing the trap does' });
      warnings.push(
        `${signingFrom} holds ${witness}'s OWNER key (${key}), labelled as a signing key: whoever reads this host can ` +
          'take the account. Remove it from this host and keep it offline; the trap never needs it',
      );
    } else if (active.has(key)) {
      roles.push({
        publicKey: key,
        from: signingFrom,
        is: `${witness}'s ACTIVE key`,
        signs: 'witness_update only if it were configured as the active key',
      });
      warnings.push(
        `${signingFrom} holds ${witness}'s ACTIVE key (${key}), labelled as a signing key: it can move the ` +
          "account's funds. Remove it from there; if the trap should be able to enable the witness, give it as " +
          '--active-key-file (mode 600, its own file), otherwise keep it off this host',
      );
    } else if (key === chain.signingKey) {
      roles.push({
        publicKey: key,
        from: signingFrom,
        is: 'the signing key on chain now',
        signs: 'witness_set_properties: the switch away from it',
      });
    } else if (backup >= 0) {
      roles.push({
        publicKey: key,
        from: signingFrom,
        is: `backup #${backup + 1}`,
        signs: 'witness_set_properties: the switch away from it, once it is on chain',
      });
    } else {
      roles.push({
        publicKey: key,
        from: signingFrom,
        is: `neither ${witness}'s signing key nor one of its backups`,
        signs: 'nothing (a key of another witness, or an old one?)',
      });
    }
  }
  if (keys.activePublicKey) {
    const from = sources.activeKeyFile ? `--active-key-file ${sources.activeKeyFile}` : 'WITNESS_TRAP_ACTIVE_KEY';
    const key = keys.activePublicKey;
    if (active.has(key)) {
      roles.push({
        publicKey: key,
        from,
        is: `${witness}'s active key`,
        signs: 'witness_update: enable, and a switch where the key on chain is not held',
      });
    } else if (owner.has(key)) {
      roles.push({
        publicKey: key,
        from,
        is: `${witness}'s OWNER key`,
        signs: 'nothing (an owner key does not sign for active)',
      });
      warnings.push(
        `${from} holds ${witness}'s OWNER key (${key}), not its active key: since HF28 an owner key no longer signs for ` +
          'active, and it must not sit on this host at all. Put the active key there; keep the owner key offline',
      );
    }
  }
  return { roles, warnings };
}

/** One key's line: `STM... (--signing-keys-file x): the signing key on chain now; signs witness_set_properties...`. */
export function describeHeldKey(role: HeldKey): string {
  return `key ${role.publicKey} (${role.from}): ${role.is}; signs ${role.signs}`;
}
