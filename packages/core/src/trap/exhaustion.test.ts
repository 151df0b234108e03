import { PrivateKey } from '@hiveio/dhive';
import { describe, expect, it } from 'vitest';
import { Exhaustion } from './exhaustion.js';

const key = (seed: string) => PrivateKey.fromSeed(`exhaustion-test-${seed}`).createPublic('STM').toString();
const primary = key('primary');
const b1 = key('b1');
const b2 = key('b2');
const backupKeys = [primary, b1, b2];
const health = (healthy: string[]) => ({ healthy: new Set(healthy), unhealthy: new Set<string>() });

describe('exhaustion', () => {
  it('one-shot: ends the run, and tells it', () => {
    const part = new Exhaustion({ backupKeys, mode: 'one-shot', killSwitch: true });
    expect(part.enter(b1, 1000)).toEqual({ triedKeys: [b2, primary], killSwitch: false, alert: true, next: 'end' });
  });

  it('daemon without the kill switch: keeps watching, tells the first exhaustion of an episode only', () => {
    const part = new Exhaustion({ backupKeys, mode: 'daemon', killSwitch: false });
    expect(part.enter(primary, 1000)).toEqual({ triedKeys: [b1, b2], killSwitch: false, alert: true, next: 'watch' });
    expect(part.since).toBe(1000);
    // The next miss finds it exhausted again: no second alert, and the episode still dates from the first.
    expect(part.enter(primary, 4000).alert).toBe(false);
    expect(part.since).toBe(1000);
  });

  it('tells again after the episode ended (a switch went out, or the witness produced)', () => {
    const part = new Exhaustion({ backupKeys, mode: 'daemon', killSwitch: false });
    part.enter(primary, 1000);
    part.end();
    expect(part.since).toBeUndefined();
    expect(part.enter(primary, 9000)).toMatchObject({ alert: true, next: 'watch' });
    expect(part.since).toBe(9000);
  });

  it('daemon with the kill switch: sets the null key, and always tells it first', () => {
    const part = new Exhaustion({ backupKeys, mode: 'daemon', killSwitch: true });
    part.enter(primary, 1000);
    expect(part.enter(primary, 2000)).toEqual({ triedKeys: [b1, b2], killSwitch: true, alert: true, next: 'kill' });
  });

  it('checks for a recovery only while exhausted, and only on a slot that was neither produced nor moved', () => {
    const part = new Exhaustion({ backupKeys, mode: 'daemon', killSwitch: false });
    expect(part.watching('missed')).toBe(false);
    part.enter(primary, 1000);
    expect(part.watching('missed')).toBe(true);
    expect(part.watching('pending')).toBe(true);
    expect(part.watching('produced')).toBe(false);
    expect(part.watching('moved')).toBe(false);
    part.end();
    expect(part.watching('missed')).toBe(false);
  });

  it('recovers to the first key after the current one, in backup order, that proved up', () => {
    const part = new Exhaustion({ backupKeys, mode: 'daemon', killSwitch: false });
    expect(part.recoveryKey(b1, health([b2]))).toBeUndefined(); // not exhausted: nothing to recover from
    part.enter(b1, 1000);
    expect(part.recoveryKey(b1, health([]))).toBeUndefined();
    expect(part.recoveryKey(b1, undefined)).toBeUndefined(); // the probe itself failed
    expect(part.recoveryKey(b1, health([primary]))).toBe(primary);
    expect(part.recoveryKey(b1, health([primary, b2]))).toBe(b2);
    expect(part.recoveryKey(b1, health([b1]))).toBeUndefined(); // the key on chain is no way out
  });
});
