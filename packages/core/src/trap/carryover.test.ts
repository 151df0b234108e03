import { PrivateKey } from '@hiveio/dhive';
import { describe, expect, it } from 'vitest';
import { memoryStateStore } from '../state/memory-state-store.js';
import type { Logger, PendingSwitch, SwitchRecord, WitnessState } from '../types.js';
import { Carryover } from './carryover.js';
import { StateKeeper } from './state-keeper.js';

const key = (seed: string) => PrivateKey.fromSeed(`carryover-test-${seed}`).createPublic('STM').toString();
const primary = key('primary');
const backup = key('backup');
const peer = key('peer');
const QUIET: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const witness = (signingKey: string): WitnessState => ({
  owner: 'alice',
  url: 'https://example.invalid',
  signingKey,
  totalMissed: 3,
  lastAslot: 900,
  lastConfirmedBlockNum: 5000,
  props: {} as WitnessState['props'],
});
// The part reads only keys and expiration; the signed transaction itself is the switch machine's business.
const pending: PendingSwitch = {
  fromKey: primary,
  toKey: backup,
  txId: 'ab'.repeat(20),
  tx: {} as PendingSwitch['tx'],
  expiresAt: 60_000,
  signedAt: 30_000,
};

/** A carry-over part over a real state keeper holding `pending`, on a chain whose head is at `headTime`. */
async function rig(mode: 'one-shot' | 'daemon', headTime: number) {
  const state = new StateKeeper(memoryStateStore(), 'alice', () => undefined);
  await state.load();
  await state.savePending(pending);
  let headReads = 0;
  const part = new Carryover({
    mode,
    log: QUIET,
    headTime: async () => {
      headReads += 1;
      return headTime;
    },
    drop: () => state.savePending(undefined),
  });
  return { part, state, headReads: () => headReads };
}

describe('carry-over from an earlier run', () => {
  it('has nothing to do where nothing was pending', async () => {
    const { part, headReads } = await rig('daemon', 0);
    await expect(part.reconcile(undefined, witness(primary))).resolves.toBe('none');
    expect(part.takeResume()).toBeUndefined();
    expect(headReads()).toBe(0);
  });

  it('resumes the same switch while its old key is on chain and it has not expired, once', async () => {
    const { part, state } = await rig('daemon', pending.expiresAt - 1);
    await expect(part.reconcile(pending, witness(primary))).resolves.toBe('resumed');
    expect(state.snapshot().pending?.txId).toBe(pending.txId);
    expect(part.takeResume()).toBe(pending);
    expect(part.takeResume()).toBeUndefined();
  });

  it('drops it from the state once expired, the old key still on chain: a new miss fires a new one', async () => {
    const { part, state } = await rig('daemon', pending.expiresAt);
    await expect(part.reconcile(pending, witness(primary))).resolves.toBe('dropped');
    expect(state.snapshot().pending).toBeUndefined();
    expect(part.takeResume()).toBeUndefined();
  });

  it('resumes it whatever its age where the chain shows another key (confirmed or adopted by the machine)', async () => {
    const { part, state, headReads } = await rig('one-shot', pending.expiresAt + 60_000);
    await expect(part.reconcile(pending, witness(peer))).resolves.toBe('resumed');
    expect(headReads()).toBe(0);
    expect(state.snapshot().pending?.txId).toBe(pending.txId);
    // One-shot: the switch is settled on chain, so the arming objections no longer apply.
    expect(part.doneAlready(witness(peer))).toBe(true);
    expect(part.doneAlready(witness(primary))).toBe(false);
  });

  it('finishes a one-shot run cut off after its confirmed switch, once, without re-arming', async () => {
    const { part } = await rig('one-shot', 0);
    const last: SwitchRecord = { fromKey: primary, toKey: backup, txId: pending.txId, at: 1, byPeer: false };
    expect(part.finishCutOffRun(last, witness(backup))).toBe(backup);
    expect(part.doneAlready(witness(backup))).toBe(true);
    expect(part.takeFinished()).toMatchObject({
      status: 'confirmed',
      fromKey: primary,
      toKey: backup,
      txId: pending.txId,
      blockNum: 5000, // not recorded: the witness's last produced block stands in
      byPeer: false,
    });
    expect(part.takeFinished()).toBeUndefined();
  });

  it('arms as usual after a run that ended, on a key changed since, in daemon mode, and after clear()', async () => {
    const last: SwitchRecord = { fromKey: primary, toKey: backup, at: 1, byPeer: false, confirmedBlock: 77 };
    const oneShot = (await rig('one-shot', 0)).part;
    expect(oneShot.finishCutOffRun({ ...last, ended: true }, witness(backup))).toBeUndefined();
    expect(oneShot.finishCutOffRun(last, witness(peer))).toBeUndefined();
    expect(oneShot.doneAlready(witness(peer))).toBe(false);
    const daemon = (await rig('daemon', 0)).part;
    expect(daemon.finishCutOffRun(last, witness(backup))).toBeUndefined();
    expect(daemon.takeFinished()).toBeUndefined();
    // A daemon watches on whatever key it finds: a resumed switch already settled does not end it.
    await daemon.reconcile(pending, witness(peer));
    expect(daemon.doneAlready(witness(peer))).toBe(false);
    expect(oneShot.finishCutOffRun(last, witness(backup))).toBe(backup);
    oneShot.clear();
    expect(oneShot.doneAlready(witness(backup))).toBe(false);
    expect(oneShot.takeFinished()).toBeUndefined();
  });
});
