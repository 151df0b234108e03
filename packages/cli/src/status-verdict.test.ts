import { describe, expect, it } from 'vitest';
import { missedSlotOf } from './missed-slot.js';
import { statusVerdict } from './status-verdict.js';
import type { WitnessView } from './witness-view.js';

const view = (over: Partial<WitnessView> = {}): WitnessView => ({
  witness: 'alice',
  signingKey: 'STM5Gr2LfceQoTSCbtj11f7co97Gyn1KKfZSyKd6wKxZtRWnALNHM',
  keyRole: 'held',
  keyHeld: true,
  disabled: false,
  totalMissed: 0,
  lastBlock: 100,
  lastAslot: 100,
  lastBlockAgeSeconds: 3,
  headBlock: 101,
  headBlockTime: '2026-01-01T00:00:00.000Z',
  nextSlot: null,
  missedSlot: null,
  nextBackupKey: null,
  backupKeys: [],
  url: '',
  blockIntervalMs: 3000,
  nodes: [],
  nodesAvailable: 0,
  nodesConfigured: 0,
  degraded: false,
  trap: { witness: 'alice', armedAt: 'x', baselineTotalMissed: 0, pending: null, lastSwitch: null, switches: 0 },
  ...over,
});

describe('status verdict', () => {
  it('is OK (0) with nothing wrong, WARNING (1) with a switch in flight, worst first', () => {
    expect(statusVerdict(view(), 's.json')).toMatchObject({ state: 'OK', exitCode: 0 });
    const pending = { fromKey: 'A', toKey: 'B', txId: 'ab', expiresAt: 'later' };
    const trap = { ...view().trap!, pending };
    expect(statusVerdict(view({ trap }), 's.json')).toMatchObject({
      state: 'SWITCH PENDING',
      exitCode: 1,
      findings: [{ line: 'in flight' }],
    });
    const both = statusVerdict(view({ trap, disabled: true, keyRole: 'null' }), 's.json');
    expect(both.findings.map((finding) => finding.state)).toEqual(['DISABLED', 'SWITCH PENDING']);
    expect(both.exitCode).toBe(2);
  });

  it('is WARNING (1) DEGRADED when fewer than a majority of the nodes are available, naming them; CRITICAL still wins', () => {
    const nodes = [
      { url: 'http://a', available: true, fresh: true, failures: 0 },
      { url: 'http://b', available: false, fresh: false, failures: 3, unavailableReason: 'failing (refused)' },
    ];
    const degraded = view({ nodes, nodesAvailable: 1, nodesConfigured: 2, degraded: true });
    const verdict = statusVerdict(degraded, 's.json');
    expect(verdict).toMatchObject({
      state: 'DEGRADED',
      severity: 'warning',
      exitCode: 1,
      findings: [{ line: 'nodes' }],
    });
    expect(verdict.summary).toMatch(
      /^WARNING: DEGRADED: 1 of 2 RPC nodes available, fewer than a majority: the trap decides on them .*unavailable: http:\/\/b \(failing \(refused\)\)$/,
    );
    const worse = statusVerdict({ ...degraded, disabled: true, keyRole: 'null' }, 's.json');
    expect(worse.findings.map((finding) => finding.state)).toEqual(['DISABLED', 'DEGRADED']);
    expect(worse.exitCode).toBe(2);
  });
});

describe('missed slots', () => {
  const head = (aslot: number, blockNum: number) => ({
    headBlockNumber: blockNum,
    headBlockId: '',
    headBlockTime: aslot * 3000,
    currentAslot: aslot,
    currentWitness: 'bob',
    lastIrreversibleBlockNum: 0,
  });
  const schedule = {
    currentShuffledWitnesses: ['a', 'b', 'alice', 'c', 'd'],
    numScheduledWitnesses: 5,
    nextShuffleBlockNum: 42,
  };

  it("sees this round's slot passed without a block, but not one within the read lag of the head", () => {
    // alice has aslots = 2 mod 5; head at block 30 (round 21..41), aslot 110.
    expect(missedSlotOf('alice', 102, head(110, 30), schedule, 3000)).toMatchObject({
      aslot: 107,
      evidence: 'schedule',
    });
    expect(missedSlotOf('alice', 102, head(108, 30), schedule, 3000)).toBeUndefined();
    expect(missedSlotOf('alice', 107, head(110, 30), schedule, 3000)).toBeUndefined();
  });

  it('sees a miss in the round before once the shuffle block is known', () => {
    // Head just past the shuffle (block 43, round start block 42 at aslot 120): alice last produced at 112.
    const next = { ...schedule, nextShuffleBlockNum: 63 };
    expect(missedSlotOf('alice', 112, head(121, 43), next, 3000)).toBeUndefined();
    expect(missedSlotOf('alice', 112, head(123, 43), next, 3000, 120)).toMatchObject({ evidence: 'previous-round' });
    expect(missedSlotOf('alice', 117, head(123, 43), next, 3000, 120)).toBeUndefined();
  });
});
