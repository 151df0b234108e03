import type { IWaxBaseInterface } from '@hiveio/wax';
import type { LegacyTransaction } from './chain-data.js';
import { type FcException, HiveError } from './hive-error.js';

/** A transaction whose serialization and signatures wax accepted. */
export interface DecodedTransaction {
  tx: LegacyTransaction;
  /** Transaction id (hex, 40 chars), as hived computes it. */
  id: string;
  /** Public keys recovered from the signatures with the chain id. */
  signerKeys: string[];
}

/** Thrown for a request whose transaction is not even shaped like one (JSON-RPC -32602). */
export class TransactionShapeError extends Error {
  override readonly name = 'TransactionShapeError';
}

const isUint = (value: unknown, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;

/** Checks the JSON shape of a legacy transaction. Throws `TransactionShapeError`. */
export function assertTransactionShape(value: unknown): asserts value is LegacyTransaction {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new TransactionShapeError('transaction must be an object');
  const tx = value as Record<string, unknown>;
  if (!isUint(tx.ref_block_num, 0xffff)) throw new TransactionShapeError('ref_block_num must be a uint16');
  if (!isUint(tx.ref_block_prefix, 0xffffffff)) throw new TransactionShapeError('ref_block_prefix must be a uint32');
  if (typeof tx.expiration !== 'string') throw new TransactionShapeError('expiration must be a time string');
  if (!Array.isArray(tx.operations)) throw new TransactionShapeError('operations must be a list');
  for (const op of tx.operations) {
    if (!Array.isArray(op) || op.length !== 2 || typeof op[0] !== 'string' || !op[1] || typeof op[1] !== 'object')
      throw new TransactionShapeError('each operation must be [name, body]');
  }
  if (tx.extensions !== undefined && !Array.isArray(tx.extensions))
    throw new TransactionShapeError('extensions must be a list');
  if (
    !Array.isArray(tx.signatures) ||
    !tx.signatures.every((s) => typeof s === 'string' && /^[0-9a-fA-F]{130}$/.test(s))
  )
    throw new TransactionShapeError('signatures must be a list of 65-byte hex signatures');
}

function waxFailure(error: unknown): HiveError {
  const message = error instanceof Error ? error.message : String(error);
  try {
    const fc = JSON.parse(message) as FcException;
    if (typeof fc.code === 'number' && typeof fc.name === 'string') return HiveError.fromFc(fc);
  } catch {
    // not an fc exception in JSON: wax reports some failures as text
  }
  const reason = message.split('\n').find((line) => line.trim() && !line.startsWith('Non-typed')) ?? message;
  return new HiveError('assert', reason.trim());
}

/**
 * Serializes, validates and recovers the signers of `tx` with wax (hived's own code). The legacy serialization is
 * what dhive signs and what hived accepts from condenser_api. Throws `HiveError` as hived would.
 */
export function decodeTransaction(wax: IWaxBaseInterface, tx: LegacyTransaction): DecodedTransaction {
  const normalized: LegacyTransaction = { ...tx, extensions: tx.extensions ?? [] };
  try {
    const parsed = wax.createTransactionFromLegacyJson(normalized);
    parsed.validate();
    const signerKeys = parsed.legacy_signatureKeys;
    if (new Set(signerKeys).size !== signerKeys.length)
      throw new HiveError('duplicateSig', 'Duplicate Signature detected');
    return { tx: normalized, id: parsed.legacy_id, signerKeys };
  } catch (error) {
    if (error instanceof HiveError) throw error;
    throw waxFailure(error);
  }
}
