import { dhive } from '../chain/dhive-lib.js';
import { ConfigError } from '../errors.js';
import type { Operation, PublicKeyString } from '../types.js';
import { assertAccountName, assertPublicKey } from './assert-input.js';
import { isNullSigningKey } from './public-key.js';

/**
 * Builds the least-privilege key switch: `witness_set_properties` carrying `key` (the signing key on chain now)
 * and `new_signing_key`. It is signed by `fromKey`'s private key, and hived rejects it unless `fromKey` is still
 * the witness's signing key, which makes it a compare-and-swap: of several monitors switching away from one key,
 * exactly one lands.
 *
 * `toKey` may be the null key (to disable the witness). `fromKey` may not: nothing can sign for it, re-enabling
 * needs {@link buildWitnessUpdateOperation} and the active key.
 *
 * @throws ConfigError (`CONFIG_INVALID_KEY`) on a malformed key or a null `fromKey`.
 * @example
 * ```ts
 * const op = buildSwitchOperation('alice', currentKey, backupKey);
 * const tx = buildTransaction(head, [op]);
 * ```
 */
export function buildSwitchOperation(owner: string, fromKey: PublicKeyString, toKey: PublicKeyString): Operation {
  assertAccountName(owner);
  assertPublicKey(fromKey, 'current signing key');
  assertPublicKey(toKey, 'new signing key');
  if (isNullSigningKey(fromKey)) {
    throw new ConfigError(
      'CONFIG_INVALID_KEY',
      'witness_set_properties cannot switch away from the null key: nothing can sign for it (use witness_update with the active key)',
    );
  }
  // dhive's builder (despite its name) encodes and sorts the props the way hived expects them.
  const op = dhive().utils.buildWitnessUpdateOp(owner, { key: fromKey, new_signing_key: toKey });
  return [op[0], op[1] as unknown as Record<string, unknown>];
}
