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
  /** The configured keys, in the operator's order: a rotation that moves forward from the current key. */
  backupKeys: readonly PublicKeyString[];
  /** Keys that failed; one that failed less than `cooldownMs` ago is never chosen. */
  failedKeys?: readonly FailedKey[];
  /** @default 0 */
  cooldownMs?: number;
  /** Keys whose node a health probe found down or out of sync. */
  unhealthy?: ReadonlySet<PublicKeyString>;
  /**
   * Keys whose node a health probe (by its health URL) found up and in sync just now: the only proof that lets
   * the plan wrap back to a key earlier in the rotation. A key without a health URL is never in it.
   * @default none
   */
  healthy?: ReadonlySet<PublicKeyString>;
  now: number;
}

/** Whether `key` failed less than `cooldownMs` before `now`. */
export function inCooldown(key: PublicKeyString, failedKeys: readonly FailedKey[], cooldownMs: number, now: number) {
  return failedKeys.some((f) => f.key === key && now - f.at < cooldownMs);
}

/** The configured keys once each, without the null key. */
function rotation(backupKeys: readonly PublicKeyString[]): PublicKeyString[] {
  return [...new Set(backupKeys)].filter((key) => !isNullSigningKey(key));
}

/**
 * The keys after `currentKey` in the configured order: the ones a failover may go to on its own. All of them
 * where the current key is not in the list (a primary listed nowhere).
 */
export function forwardKeys(currentKey: PublicKeyString, backupKeys: readonly PublicKeyString[]): PublicKeyString[] {
  const keys = rotation(backupKeys);
  return keys.slice(keys.indexOf(currentKey) + 1);
}

/**
 * The keys before `currentKey` in the configured order: in a rotation they were on chain before it, so they
 * presumably failed. Empty where the current key is not in the list.
 */
export function earlierKeys(currentKey: PublicKeyString, backupKeys: readonly PublicKeyString[]): PublicKeyString[] {
  const keys = rotation(backupKeys);
  const at = keys.indexOf(currentKey);
  return at < 0 ? [] : keys.slice(0, at);
}

/**
 * Every other configured key in the order the plan considers them: the {@link forwardKeys}, then the
 * {@link earlierKeys} (wrapping to the list's start, which needs a health proof: see {@link nextBackupKey}).
 * Never the current key nor the null key.
 */
export function backupOrder(currentKey: PublicKeyString, backupKeys: readonly PublicKeyString[]): PublicKeyString[] {
  return [...forwardKeys(currentKey, backupKeys), ...earlierKeys(currentKey, backupKeys)];
}

/**
 * The key the next failover goes to. The configured order is a rotation that only moves forward from the current
 * key: the first {@link forwardKeys} key that is neither in its cooldown nor unhealthy. It never wraps back to a
 * key earlier in the list (one that was on chain before the current one, hence presumably failed) unless that
 * key is in `healthy` (a health URL shows its node up and in sync right now). Failed keys live only in each
 * instance's own state, so without this rule a monitor that did not see a key fail (started later, or with a
 * lost state file) would switch straight back to a dead node. `undefined` when no key is left: the caller
 * reports `exhausted` (and sets the null key where the kill switch is on).
 *
 * After a failover the rotation does not reset by itself: once the primary is repaired, the operator switches
 * back by hand (`witness-trap switch --to KEY` goes to any key).
 *
 * @example
 * nextBackupKey({ currentKey: primary, backupKeys: [primary, b1, b2], now }); // b1
 * nextBackupKey({ currentKey: b2, backupKeys: [primary, b1, b2], now }); // undefined: primary and b1 are behind
 * nextBackupKey({ currentKey: b2, backupKeys: [primary, b1, b2], healthy: new Set([primary]), now }); // primary
 */
export function nextBackupKey(input: KeyPlanInput): PublicKeyString | undefined {
  const failed = input.failedKeys ?? [];
  const cooldownMs = input.cooldownMs ?? 0;
  const usable = (key: PublicKeyString) =>
    !inCooldown(key, failed, cooldownMs, input.now) && !input.unhealthy?.has(key);
  return (
    forwardKeys(input.currentKey, input.backupKeys).find(usable) ??
    earlierKeys(input.currentKey, input.backupKeys).find((key) => input.healthy?.has(key) === true && usable(key))
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
