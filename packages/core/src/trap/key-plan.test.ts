import { PrivateKey } from '@hiveio/dhive';
import { describe, expect, it } from 'vitest';
import { NULL_SIGNING_KEY } from '../types.js';
import { backupOrder, nextBackupKey, signingPlan, switchesInWindow } from './key-plan.js';

const key = (seed: string) => PrivateKey.fromSeed(`key-plan-test-${seed}`).createPublic('STM').toString();
const primary = key('primary');
const b1 = key('b1');
const b2 = key('b2');
const b3 = key('b3');

describe('key plan', () => {
  it('goes to the first backup from a primary that is not among them', () => {
    expect(nextBackupKey({ currentKey: primary, backupKeys: [b1, b2], now: 0 })).toBe(b1);
  });

  it('moves forward through the configured rotation from the current key', () => {
    expect(backupOrder(b2, [b1, b2, b3])).toEqual([b3, b1]);
    expect(nextBackupKey({ currentKey: b1, backupKeys: [b1, b2, b3], now: 0 })).toBe(b2);
    expect(nextBackupKey({ currentKey: b2, backupKeys: [b1, b2, b3], now: 0 })).toBe(b3);
  });

  it('never wraps back to a key earlier in the rotation without a health proof: exhausted instead', () => {
    const rotation = [primary, b1, b2];
    expect(nextBackupKey({ currentKey: b2, backupKeys: rotation, now: 0 })).toBeUndefined();
    expect(nextBackupKey({ currentKey: b1, backupKeys: rotation, unhealthy: new Set([b2]), now: 0 })).toBeUndefined();
  });

  it('wraps back to an earlier key only while its health URL shows its node up and in sync', () => {
    const rotation = [primary, b1, b2];
    expect(nextBackupKey({ currentKey: b2, backupKeys: rotation, healthy: new Set([b1]), now: 0 })).toBe(b1);
    expect(nextBackupKey({ currentKey: b2, backupKeys: rotation, healthy: new Set([primary, b1]), now: 0 })).toBe(
      primary,
    );
    // A forward key comes first even when an earlier one is healthy.
    expect(nextBackupKey({ currentKey: b1, backupKeys: rotation, healthy: new Set([primary]), now: 0 })).toBe(b2);
  });

  it('never goes back to a key that failed within its cooldown, but does after it (with a health proof)', () => {
    const failedKeys = [{ key: b1, at: 1000 }];
    const base = { currentKey: b2, backupKeys: [b1, b2], failedKeys, cooldownMs: 60_000, healthy: new Set([b1]) };
    expect(nextBackupKey({ ...base, now: 60_999 })).toBeUndefined();
    expect(nextBackupKey({ ...base, now: 61_000 })).toBe(b1);
    const forward = { currentKey: primary, backupKeys: [b1, b2], failedKeys, cooldownMs: 60_000 };
    expect(nextBackupKey({ ...forward, now: 60_999 })).toBe(b2);
  });

  it('skips a backup whose node is unhealthy', () => {
    expect(nextBackupKey({ currentKey: primary, backupKeys: [b1, b2], unhealthy: new Set([b1]), now: 0 })).toBe(b2);
  });

  it('never offers the null key as a backup', () => {
    expect(backupOrder(primary, [NULL_SIGNING_KEY])).toEqual([]);
  });

  it('signs with the current key where held, else with the active key, else not at all', () => {
    expect(signingPlan(primary, new Set([primary]), 'STMactive')).toEqual({
      operation: 'witness_set_properties',
      signWith: primary,
    });
    expect(signingPlan(primary, new Set(), 'STMactive')).toEqual({
      operation: 'witness_update',
      signWith: 'STMactive',
    });
    expect(signingPlan(primary, new Set(), undefined)).toBeUndefined();
    expect(signingPlan(NULL_SIGNING_KEY, new Set([NULL_SIGNING_KEY]), undefined)).toBeUndefined();
  });

  it('counts switches inside the cap window only', () => {
    const record = (at: number) => ({ fromKey: primary, toKey: b1, at, byPeer: false });
    expect(switchesInWindow([record(0), record(50), record(100)], 100, 60)).toBe(2);
  });
});
