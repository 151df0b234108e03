import { ConfigError } from '../errors.js';
import { isValidPublicKey } from './public-key.js';

/** Throws a ConfigError unless `key` is a well-formed public key (the null key included). */
export function assertPublicKey(key: string, what: string): void {
  // Any prefix is accepted here: the prefix is not part of what is signed; the serializer reads 3 characters.
  const prefix = typeof key === 'string' ? key.slice(0, 3) : '';
  if (!isValidPublicKey(key, prefix)) {
    // Not echoed: a private key pasted where a public one belongs must not end up in a log.
    throw new ConfigError('CONFIG_INVALID_KEY', `the ${what} is not a valid public key`);
  }
}

/** Hive account names: 3 to 16 characters, lowercase letters, digits, dots and dashes. */
export function assertAccountName(name: string): void {
  if (typeof name !== 'string' || !/^[a-z][a-z0-9.-]{2,15}$/.test(name)) {
    throw new ConfigError('CONFIG_INVALID_ACCOUNT', `not a valid Hive account name: ${JSON.stringify(name)}`);
  }
}
