import { ConfigError } from '../errors.js';
import type { Operation, PublicKeyString, WitnessState } from '../types.js';
import { assertAccountName, assertPublicKey } from './assert-input.js';

/** hived's limit on a witness url (`HIVE_MAX_WITNESS_URL_LENGTH`). */
const MAX_URL_LENGTH = 2048;

/**
 * Builds `witness_update` setting `newKey`, signed by the owner's ACTIVE key. Use it only where
 * `witness_set_properties` cannot serve: the witness has the null key (re-enabling), or the current signing key's
 * private key is not held. `witness_update` overwrites url and all three props, so they are copied from `witness`,
 * which must be fresh from the chain; the fee is `0.000 HIVE`.
 *
 * @throws ConfigError on a malformed key or account, or an empty or over-long url.
 * @example
 * ```ts
 * const { value: witness } = await chain.getWitness('alice', { decisive: true });
 * const op = buildWitnessUpdateOperation(witness!, backupKey);
 * ```
 */
export function buildWitnessUpdateOperation(witness: WitnessState, newKey: PublicKeyString): Operation {
  assertAccountName(witness.owner);
  assertPublicKey(newKey, 'new signing key');
  if (witness.url.length === 0 || witness.url.length > MAX_URL_LENGTH) {
    throw new ConfigError('CONFIG_INVALID_URL', `witness_update needs a url of 1 to ${MAX_URL_LENGTH} characters`);
  }
  return [
    'witness_update',
    {
      owner: witness.owner,
      url: witness.url,
      block_signing_key: newKey,
      props: {
        account_creation_fee: witness.props.accountCreationFee,
        maximum_block_size: witness.props.maximumBlockSize,
        hbd_interest_rate: witness.props.hbdInterestRate,
      },
      fee: '0.000 HIVE',
    },
  ];
}
