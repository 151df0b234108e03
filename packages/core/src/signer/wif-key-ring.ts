import { inspect } from 'node:util';
import type { PrivateKey, Transaction } from '@hiveio/dhive';
import { dhive } from '../chain/dhive-lib.js';
import { ConfigError, SignerError } from '../errors.js';
import type { PublicKeyString, SignedTransaction, Signer, UnsignedTransaction } from '../types.js';

/** Options for {@link wifKeyRing}. */
export interface WifKeyRingOptions {
  /** Private signing keys (WIF): the keys the trap may switch away from with `witness_set_properties`. */
  signingKeys?: string[];
  /** The owner's private active key (WIF), for `witness_update` where `witness_set_properties` cannot serve. */
  activeKey?: string;
  /**
   * The address prefix of the public keys it reports.
   * @default 'STM'
   */
  addressPrefix?: string;
}

/** A {@link Signer} over private keys held in memory. It shows only public keys, in every form it can be printed. */
export interface WifKeyRing extends Signer {
  /** The public key of the active WIF, where one is held. */
  readonly activeKey: PublicKeyString | undefined;
  /** Whether it holds the private key of `publicKey`. */
  has(publicKey: PublicKeyString): boolean;
}

/**
 * The default signer: private keys (WIF) held in a private field, signing with dhive's `signTransaction`.
 * `String()`, `JSON.stringify` and `util.inspect` show only the public keys; errors name a bad key by its position,
 * never by its text.
 *
 * @throws ConfigError (`CONFIG_INVALID_WIF`) on a key that is not a valid WIF.
 * @example
 * ```ts
 * const signer = wifKeyRing({ signingKeys: [process.env.SIGNING_WIF!] });
 * const signed = await signer.sign(tx, [currentKey], chain.chainId);
 * ```
 */
export function wifKeyRing(options: WifKeyRingOptions): WifKeyRing {
  return new WifKeyRingImpl(options);
}

class WifKeyRingImpl implements WifKeyRing {
  readonly #keys = new Map<PublicKeyString, PrivateKey>();
  readonly #activeKey: PublicKeyString | undefined;

  constructor(options: WifKeyRingOptions) {
    const prefix = options.addressPrefix ?? 'STM';
    const signingKeys = options.signingKeys ?? [];
    signingKeys.forEach((wif, index) => {
      this.#add(wif, prefix, `signing key #${index + 1}`);
    });
    this.#activeKey = options.activeKey === undefined ? undefined : this.#add(options.activeKey, prefix, 'active key');
  }

  #add(wif: string, prefix: string, what: string): PublicKeyString {
    let key: PrivateKey;
    try {
      key = dhive().PrivateKey.fromString(String(wif).trim());
    } catch {
      // No cause: dhive's assertion errors carry bytes derived from the key.
      throw new ConfigError('CONFIG_INVALID_WIF', `${what} is not a valid private key (WIF)`);
    }
    const publicKey = key.createPublic(prefix).toString();
    this.#keys.set(publicKey, key);
    return publicKey;
  }

  get activeKey(): PublicKeyString | undefined {
    return this.#activeKey;
  }

  has(publicKey: PublicKeyString): boolean {
    return this.#keys.has(publicKey);
  }

  async publicKeys(): Promise<PublicKeyString[]> {
    return [...this.#keys.keys()];
  }

  async sign(tx: UnsignedTransaction, keys: PublicKeyString[], chainId: string): Promise<SignedTransaction> {
    if (!/^[0-9a-f]{64}$/i.test(chainId)) {
      throw new SignerError('SIGNER_INVALID_CHAIN_ID', 'the chain id must be 64 hex characters');
    }
    if (keys.length === 0) throw new SignerError('SIGNER_NO_KEY', 'no key was asked to sign');
    // A key asked twice would sign twice, and hived rejects duplicate signatures.
    const privateKeys = [...new Set(keys)].map((publicKey) => {
      const key = this.#keys.get(publicKey);
      if (key === undefined) {
        throw new SignerError('SIGNER_KEY_NOT_HELD', `no private key held for ${publicKey}`, {
          details: { publicKey },
        });
      }
      return key;
    });
    try {
      const signed = dhive().cryptoUtils.signTransaction(
        tx as unknown as Transaction,
        privateKeys,
        Buffer.from(chainId, 'hex'),
      );
      return signed as unknown as SignedTransaction;
    } catch (error) {
      throw new SignerError('SIGNER_FAILED', 'the transaction could not be serialized for signing', { cause: error });
    }
  }

  toString(): string {
    return `WifKeyRing(${[...this.#keys.keys()].join(', ')})`;
  }

  toJSON(): { publicKeys: PublicKeyString[]; activeKey: PublicKeyString | undefined } {
    return { publicKeys: [...this.#keys.keys()], activeKey: this.#activeKey };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
