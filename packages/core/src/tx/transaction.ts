import type { Transaction } from '@hiveio/dhive';
import { dhive } from '../chain/dhive-lib.js';
import { ConfigError, WitnessTrapError } from '../errors.js';
import type { HeadState, Operation, SignedTransaction, UnsignedTransaction } from '../types.js';

/** hived's `HIVE_MAX_TIME_UNTIL_EXPIRATION` before HF28 (and the mempool's limit after it). */
const MAX_EXPIRATION_MS = 3_600_000;

/** Options for {@link buildTransaction}. */
export interface BuildTransactionOptions {
  /**
   * How long the transaction stays valid. Short, so that a switch that did not land is re-signed (with fresh
   * TaPoS) soon rather than left to linger. At most one hour.
   * @default 60000
   */
  expiresInMs?: number;
  /**
   * The time the expiration counts from, epoch ms. Pass the trap's clock; without it the head block's time is
   * used, which is what hived compares the expiration with.
   * @default head.headBlockTime
   */
  now?: number;
}

/**
 * Wraps operations in an unsigned transaction with TaPoS from `head` (`ref_block_num` = head number & 0xffff,
 * `ref_block_prefix` = bytes 4..8 of the head block id, little-endian) and an expiration `expiresInMs` after
 * `now`, rounded down to the second as hived stores it.
 *
 * @throws ConfigError (`CONFIG_INVALID_OPTION`) on an expiration out of (0, 1 h]; WitnessTrapError
 * (`TX_INVALID_HEAD`) on a head block id that is not 20 bytes of hex.
 * @example
 * ```ts
 * const { value: head } = await chain.getHead({ decisive: true });
 * const tx = buildTransaction(head, [buildSwitchOperation('alice', current, backup)], { now: clock.now() });
 * ```
 */
export function buildTransaction(
  head: HeadState,
  operations: Operation[],
  options: BuildTransactionOptions = {},
): UnsignedTransaction {
  const expiresInMs = options.expiresInMs ?? 60_000;
  if (!Number.isFinite(expiresInMs) || expiresInMs <= 0 || expiresInMs > MAX_EXPIRATION_MS) {
    throw new ConfigError('CONFIG_INVALID_OPTION', `expiresInMs must be in (0, ${MAX_EXPIRATION_MS}]`);
  }
  if (!/^[0-9a-f]{40}$/i.test(head.headBlockId)) {
    throw new WitnessTrapError('TX_INVALID_HEAD', 'the head block id is not 20 bytes of hex', 'runtime');
  }
  if (operations.length === 0) {
    throw new WitnessTrapError('TX_INVALID', 'a transaction needs at least one operation', 'runtime');
  }
  const base = options.now ?? head.headBlockTime;
  const expiration = new Date(Math.floor((base + expiresInMs) / 1000) * 1000).toISOString().slice(0, 19);
  return {
    ref_block_num: head.headBlockNumber & 0xffff,
    ref_block_prefix: Buffer.from(head.headBlockId, 'hex').readUInt32LE(4),
    expiration,
    operations: operations.map(([name, body]) => [name, { ...body }]),
    extensions: [],
  };
}

/**
 * The transaction id hived gives `tx`: the first 20 bytes of sha256 of its serialized form (signatures are not
 * part of it), in hex. Signing does not change it, so it names a switch before and after.
 *
 * @throws WitnessTrapError (`TX_INVALID`) when the transaction cannot be serialized.
 * @example
 * ```ts
 * transactionId(signed) === (await chain.broadcast(signed)).txId; // true
 * ```
 */
export function transactionId(tx: UnsignedTransaction | SignedTransaction): string {
  try {
    return dhive().cryptoUtils.generateTrxId(tx as unknown as Transaction);
  } catch (error) {
    throw new WitnessTrapError('TX_INVALID', 'the transaction cannot be serialized', 'runtime', { cause: error });
  }
}
