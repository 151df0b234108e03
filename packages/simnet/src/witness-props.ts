import { PublicKey } from '@hiveio/dhive';

/**
 * Decodes the values of `witness_set_properties` props (hex of hived's binary form). Unknown names are kept as raw
 * hex: hived ignores props it does not apply.
 */

/** hived's null public key, 33 zero bytes. */
export const NULL_KEY = 'STM1111111111111111111111111111111114T1Anm';

/** Decoded props; only the ones present are set. */
export interface DecodedWitnessProps {
  key?: string;
  new_signing_key?: string;
  url?: string;
  maximum_block_size?: number;
  hbd_interest_rate?: number;
  /** Legacy asset string, e.g. `3.000 HIVE`. */
  account_creation_fee?: string;
  account_subsidy_budget?: number;
  account_subsidy_decay?: number;
  /** Legacy asset strings. */
  hbd_exchange_rate?: { base: string; quote: string };
}

/** Thrown where a prop value cannot be decoded. */
export class PropDecodeError extends Error {
  override readonly name = 'PropDecodeError';
}

/** Decodes a 33-byte compressed public key (or the null key) to `STM...`. */
export function decodePublicKey(bytes: Buffer): string {
  if (bytes.length !== 33) throw new PropDecodeError(`public key must be 33 bytes, got ${bytes.length}`);
  if (bytes.every((b) => b === 0)) return NULL_KEY;
  try {
    return new PublicKey(bytes, 'STM').toString();
  } catch {
    throw new PropDecodeError('not a valid public key');
  }
}

function readVarint(bytes: Buffer, offset: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let at = offset;
  for (;;) {
    const byte = bytes[at];
    if (byte === undefined || shift > 28) throw new PropDecodeError('bad varint');
    value += (byte & 0x7f) * 2 ** shift;
    at++;
    if ((byte & 0x80) === 0) return { value, next: at };
    shift += 7;
  }
}

function decodeAsset(bytes: Buffer, offset = 0): { text: string; next: number } {
  if (bytes.length < offset + 16) throw new PropDecodeError('asset must be 16 bytes');
  const amount = bytes.readBigInt64LE(offset);
  const precision = bytes[offset + 8] as number;
  const symbol = bytes
    .subarray(offset + 9, offset + 16)
    .toString('latin1')
    .replace(/\0+$/, '');
  const name = symbol === 'STEEM' ? 'HIVE' : symbol === 'SBD' ? 'HBD' : symbol;
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const scale = 10n ** BigInt(precision);
  const whole = abs / scale;
  const frac = (abs % scale).toString().padStart(precision, '0');
  const text = `${negative ? '-' : ''}${whole}${precision > 0 ? `.${frac}` : ''} ${name}`;
  return { text, next: offset + 16 };
}

function exactLength(bytes: Buffer, length: number, prop: string): void {
  if (bytes.length !== length) throw new PropDecodeError(`${prop} must be ${length} bytes`);
}

/** Decodes `props` (`[name, hex]` pairs). Throws `PropDecodeError` on a malformed value. */
export function decodeWitnessProps(props: ReadonlyArray<readonly [string, string]>): DecodedWitnessProps {
  const out: DecodedWitnessProps = {};
  // hived reads the pre-HF24 names first (`sbd_interest_rate` before `hbd_interest_rate`), so they win.
  const names = new Set(props.map(([name]) => name));
  const shadowed = (name: string) =>
    (name === 'hbd_interest_rate' && names.has('sbd_interest_rate')) ||
    (name === 'hbd_exchange_rate' && names.has('sbd_exchange_rate'));
  for (const [rawName, hex] of props) {
    if (shadowed(rawName)) continue;
    const name =
      rawName === 'sbd_interest_rate'
        ? 'hbd_interest_rate'
        : rawName === 'sbd_exchange_rate'
          ? 'hbd_exchange_rate'
          : rawName;
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new PropDecodeError(`${name}: not hex`);
    const bytes = Buffer.from(hex, 'hex');
    switch (name) {
      case 'key':
      case 'new_signing_key':
        out[name] = decodePublicKey(bytes);
        break;
      case 'maximum_block_size':
      case 'account_subsidy_budget':
      case 'account_subsidy_decay':
        exactLength(bytes, 4, name);
        out[name] = bytes.readUInt32LE(0);
        break;
      case 'hbd_interest_rate':
        exactLength(bytes, 2, name);
        out.hbd_interest_rate = bytes.readUInt16LE(0);
        break;
      case 'url': {
        const { value, next } = readVarint(bytes, 0);
        if (next + value !== bytes.length) throw new PropDecodeError('url: length mismatch');
        out.url = bytes.subarray(next).toString('utf8');
        break;
      }
      case 'account_creation_fee':
        exactLength(bytes, 16, name);
        out.account_creation_fee = decodeAsset(bytes).text;
        break;
      case 'hbd_exchange_rate': {
        exactLength(bytes, 32, name);
        const base = decodeAsset(bytes, 0);
        out.hbd_exchange_rate = { base: base.text, quote: decodeAsset(bytes, base.next).text };
        break;
      }
      default:
        break;
    }
  }
  return out;
}
