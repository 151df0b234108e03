import type { SwitchOperation } from '../events.js';
import { isNullSigningKey } from '../tx/public-key.js';
import type { PublicKeyString, SwitchRecord } from '../types.js';

/** A key that failed (its node missed while it was on chain), and when. */
export interface FailedKey {
  key: PublicKeyString;
  at: number;
}

/** What {@link nextBackupKey} chooses from. */
export interface KeyPlanInput {
  /** The signing key on chain now. */
  currentKey: PublicKeyString;
  /** The configured backups, in the operator's order. */
  backupKeys: readonly PublicKeyString[];
  /** Keys that failed; one that failed less than `cooldownMs` ago is never chosen. */
  failedKeys?: readonly FailedKey[];
  /** @default 0 */
  cooldownMs?: number;
  /** Keys whose node a health probe found down or out of sync. */
  unhealthy?: ReadonlySet<PublicKeyString>;
  now: number;
}

/** Whether `key` failed less than `cooldownMs` before `now`. */
export function inCooldown(key: PublicKeyString, failedKeys: readonly FailedKey[], cooldownMs: number, now: number) {
  return failedKeys.some((f) => f.key === key && now - f.at < cooldownMs);
}

/**
 * The backups in the order they would be tried: the operator's order, without the current key (and never the
 * null key). The order is a preference: after a backup failed and its cooldown ran out, the first one is
 * preferred again.
 */
export function backupOrder(currentKey: PublicKeyString, backupKeys: readonly PublicKeyString[]): PublicKeyString[] {
  return [...new Set(backupKeys)].filter((key) => key !== currentKey && !isNullSigningKey(key));
}

/**
 * The key the next switch goes to: the first backup in {@link backupOrder} that is neither in its cooldown nor
 * unhealthy. `undefined` when none is left (every backup has failed or is down): the caller reports `exhausted`.
 *
 * @example
 * nextBackupKey({ currentKey: primary, backupKeys: [b1, b2], now }); // b1
 * nextBackupKey({ currentKey: b1, backupKeys: [b1, b2], failedKeys: [{ key: b2, at: now }], cooldownMs: 1e6, now }); // undefined
 */
export function nextBackupKey(input: KeyPlanInput): PublicKeyString | undefined {
  const failed = input.failedKeys ?? [];
  const cooldownMs = input.cooldownMs ?? 0;
  return backupOrder(input.currentKey, input.backupKeys).find(
    (key) => !inCooldown(key, failed, cooldownMs, input.now) && !input.unhealthy?.has(key),
  );
}

/** Switches that landed within `windowMs` before `now`. */
export function switchesInWindow(history: readonly SwitchRecord[], now: number, windowMs: number): number {
  return history.filter((record) => now - record.at < windowMs).length;
}

/** How a switch away from a key gets signed. */
export interface SigningPlan {
  operation: SwitchOperation;
  /** The public key whose private key signs it. */
  signWith: PublicKeyString;
}

/**
 * How to sign a switch away from `currentKey`: with `witness_set_properties` by the current key where its private
 * key is held (least privilege, and a compare-and-swap on chain), else `witness_update` by the active key.
 * `undefined` where neither is held. The null key can only be left with `witness_update`.
 */
export function signingPlan(
  currentKey: PublicKeyString,
  heldKeys: ReadonlySet<PublicKeyString>,
  activeKey: PublicKeyString | undefined,
): SigningPlan | undefined {
  if (!isNullSigningKey(currentKey) && heldKeys.has(currentKey)) {
    return { operation: 'witness_set_properties', signWith: currentKey };
  }
  if (activeKey !== undefined) return { operation: 'witness_update', signWith: activeKey };
  return undefined;
}
