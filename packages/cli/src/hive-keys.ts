/**
 * Hive key formats (WIF private keys, `STM...` public keys) on node:crypto alone, so that `keygen`, key-file
 * checks and option validation start in milliseconds instead of loading dhive and core-js.
 */
import { createECDH, createHash } from 'node:crypto';

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const WIF_VERSION = 0x80;

/** A new key pair: the WIF private key and its `STM...` public key. */
export interface KeyPair {
  /** The private key, WIF. A secret: print it only where the operator asked for it. */
  privateKey: string;
  /** The public key, `STM...`. */
  publicKey: string;
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

function base58Encode(bytes: Uint8Array): string {
  let value = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (value > 0n) {
    out = BASE58_ALPHABET[Number(value % 58n)] + out;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

function base58Decode(text: string): Buffer | undefined {
  let value = 0n;
  for (const char of text) {
    const digit = BASE58_ALPHABET.indexOf(char);
    if (digit < 0) return undefined;
    value = value * 58n + BigInt(digit);
  }
  let hex = value === 0n ? '' : value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let zeros = 0;
  while (text[zeros] === '1') zeros++;
  return Buffer.concat([Buffer.alloc(zeros), Buffer.from(hex, 'hex')]);
}

function publicKeyFromCompressed(compressed: Uint8Array, prefix: string): string {
  const checksum = createHash('ripemd160').update(compressed).digest().subarray(0, 4);
  return prefix + base58Encode(Buffer.concat([compressed, checksum]));
}

/** The 32 secret bytes of a WIF key, or `undefined` when the text is not a valid WIF (format or checksum). */
function decodeWif(wif: string): Buffer | undefined {
  const bytes = base58Decode(wif.trim());
  if (bytes?.length !== 37 || bytes[0] !== WIF_VERSION) return undefined;
  const payload = bytes.subarray(0, 33);
  const checksum = sha256(sha256(payload)).subarray(0, 4);
  if (!checksum.equals(bytes.subarray(33))) return undefined;
  return Buffer.from(payload.subarray(1));
}

/** Whether `text` is a well-formed WIF private key (format, checksum and a key on the curve). */
export function isWif(text: string): boolean {
  return wifToPublicKey(text) !== undefined;
}

/**
 * The public key of a WIF private key, or `undefined` when the text is not a valid WIF.
 * @example
 * wifToPublicKey('5JNHfZYKGaomSFvd4NUdQ9qMcEAC43kujbfjueTHpVapX1Kzq2n'); // 'STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4'
 */
export function wifToPublicKey(wif: string, prefix = 'STM'): string | undefined {
  const secret = decodeWif(wif);
  if (!secret) return undefined;
  try {
    const ecdh = createECDH('secp256k1');
    ecdh.setPrivateKey(secret);
    return publicKeyFromCompressed(ecdh.getPublicKey(null, 'compressed'), prefix);
  } catch {
    return undefined;
  }
}

/**
 * Whether `text` is a well-formed public key: the prefix, then 33 bytes and their RIPEMD-160 checksum. The null key
 * passes (it is well formed); callers that cannot use it say so themselves.
 */
export function isPublicKey(text: string, prefix = 'STM'): boolean {
  if (!text.startsWith(prefix)) return false;
  const bytes = base58Decode(text.slice(prefix.length));
  if (bytes?.length !== 37) return false;
  const key = bytes.subarray(0, 33);
  if (key[0] !== 0x02 && key[0] !== 0x03 && !key.every((b) => b === 0)) return false;
  const checksum = createHash('ripemd160').update(key).digest().subarray(0, 4);
  return checksum.equals(bytes.subarray(33));
}

/** A new random signing key pair, from the operating system's CSPRNG. */
export function generateKeyPair(prefix = 'STM'): KeyPair {
  const ecdh = createECDH('secp256k1');
  ecdh.generateKeys();
  const secret = ecdh.getPrivateKey();
  // getPrivateKey drops leading zero bytes; WIF needs all 32.
  const padded = Buffer.concat([Buffer.alloc(32 - secret.length), secret]);
  const payload = Buffer.concat([Buffer.from([WIF_VERSION]), padded]);
  const privateKey = base58Encode(Buffer.concat([payload, sha256(sha256(payload)).subarray(0, 4)]));
  return { privateKey, publicKey: publicKeyFromCompressed(ecdh.getPublicKey(null, 'compressed'), prefix) };
}

/** Text that has the shape of a WIF private key anywhere in it, for redaction. */
export const WIF_PATTERN = /\b5[HJK][1-9A-HJ-NP-Za-km-z]{49}\b/g;
