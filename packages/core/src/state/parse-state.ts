import { StateError } from '../errors.js';
import type { PendingSwitch, SwitchRecord, TrapState } from '../types.js';

/**
 * Checks that `value` (parsed from a state file) is a {@link TrapState} and returns it. Anything else is
 * `STATE_CORRUPT`: the trap must never silently start over, forgetting a switch in flight.
 *
 * @throws StateError (`STATE_CORRUPT`) naming the first field that is wrong.
 */
export function parseTrapState(value: unknown, source: string): TrapState {
  const corrupt = (field: string): StateError =>
    new StateError('STATE_CORRUPT', `the state in ${source} is corrupt: ${field}`, { details: { source, field } });
  if (!isObject(value)) throw corrupt('not an object');
  if (value.version !== 1) throw corrupt('version');
  if (typeof value.witness !== 'string' || value.witness === '') throw corrupt('witness');
  if (!optional(value.armedAt, isNumber)) throw corrupt('armedAt');
  if (!optional(value.baselineTotalMissed, isNumber)) throw corrupt('baselineTotalMissed');
  if (!optional(value.pending, isPendingSwitch)) throw corrupt('pending');
  if (!Array.isArray(value.history) || !value.history.every(isSwitchRecord)) throw corrupt('history');
  if (
    !Array.isArray(value.failedKeys) ||
    !value.failedKeys.every((k) => isObject(k) && isString(k.key) && isNumber(k.at))
  )
    throw corrupt('failedKeys');
  return value as unknown as TrapState;
}

function isPendingSwitch(value: unknown): value is PendingSwitch {
  if (!isObject(value)) return false;
  const tx = value.tx;
  return (
    isString(value.fromKey) &&
    isString(value.toKey) &&
    isString(value.txId) &&
    isNumber(value.expiresAt) &&
    isNumber(value.signedAt) &&
    optional(value.broadcastAt, isNumber) &&
    optional(value.lastAslotAtSigning, isNumber) &&
    isObject(tx) &&
    isNumber(tx.ref_block_num) &&
    isNumber(tx.ref_block_prefix) &&
    isString(tx.expiration) &&
    Array.isArray(tx.operations) &&
    Array.isArray(tx.extensions) &&
    Array.isArray(tx.signatures)
  );
}

function isSwitchRecord(value: unknown): value is SwitchRecord {
  return (
    isObject(value) &&
    isString(value.fromKey) &&
    isString(value.toKey) &&
    optional(value.txId, isString) &&
    optional(value.confirmedBlock, isNumber) &&
    isNumber(value.at) &&
    typeof value.byPeer === 'boolean'
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function isString(value: unknown): value is string {
  return typeof value === 'string';
}
function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
function optional(value: unknown, check: (v: unknown) => boolean): boolean {
  return value === undefined || check(value);
}
