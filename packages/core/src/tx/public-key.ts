import { dhive } from '../chain/dhive-lib.js';
import { NULL_SIGNING_KEY } from '../types.js';

/** The base58 body of the null key (33 zero bytes and their checksum), whatever the address prefix. */
const NULL_KEY_BODY = NULL_SIGNING_KEY.slice(3);

/**
 * Whether `key` is the null signing key (33 zero bytes) under any address prefix. Nothing can sign for it: a
 * witness with this key is disabled.
 *
 * @example
 * ```ts
 * isNullSigningKey('STM1111111111111111111111111111111114T1Anm'); // true
 * ```
 */
export function isNullSigningKey(key: string): boolean {
  return key.length > NULL_KEY_BODY.length && key.endsWith(NULL_KEY_BODY);
}

/**
 * Whether `key` is a well-formed public key with the given address prefix: base58, a matching checksum and a
 * point on secp256k1. The null key counts as valid syntax (hived accepts it as a signing key, to disable a
 * witness); callers that must be able to sign for a key check {@link isNullSigningKey} separately.
 *
 * @param prefix - The address prefix. @default 'STM'
 * @example
 * ```ts
 * isValidPublicKey('STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4'); // true
 * isValidPublicKey('STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg5'); // false: bad checksum
 * ```
 */
export function isValidPublicKey(key: string, prefix = 'STM'): boolean {
  if (typeof key !== 'string' || !key.startsWith(prefix)) return false;
  const body = key.slice(prefix.length);
  if (body === NULL_KEY_BODY) return true;
  // dhive reads a fixed 3-character prefix; give it one so that other prefix lengths decode the same body.
  try {
    dhive().PublicKey.fromString(`STM${body}`);
    return true;
  } catch {
    return false;
  }
}
