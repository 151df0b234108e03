import type { AccountAuthorities, WitnessSchedule, WitnessState } from '@witness-trap/core';
import { describe, expect, it } from 'vitest';
import { drillRoster } from './drill-copy.js';

const witness: WitnessState = {
  owner: 'gtg',
  url: 'https://example.invalid/post',
  signingKey: 'STM6mFEFSTcXtimShM3SyUiitdW2KxTM8kv8c87D9Q5BXfAH7E6Zs',
  totalMissed: 977,
  lastAslot: 100,
  lastConfirmedBlockNum: 90,
  props: { accountCreationFee: '3.000 HIVE', maximumBlockSize: 65536, hbdInterestRate: 1500 },
};
const activeA = 'STM6onso67bfnAHTg9fbzogBYLVsUE5NR9Ec5VAhMXYEM9aV5vNCH';
const activeB = 'STM5iDbudA3aRRtxt3CHNV3ZLSHn5GwyeKaemwpoNmnbFbs1nvzX7';
const account: AccountAuthorities = {
  name: 'gtg',
  active: {
    weightThreshold: 1,
    keyAuths: [
      [activeA, 1],
      [activeB, 1],
    ],
    accountAuths: [],
  },
  owner: { weightThreshold: 1, keyAuths: [], accountAuths: [] },
};
const round = (names: string[]): WitnessSchedule => ({
  currentShuffledWitnesses: names,
  numScheduledWitnesses: names.length,
  nextShuffleBlockNum: 21,
});

describe("the drill's copy of a witness", () => {
  it("keeps its key, url, props, misses and place in a round as long as the real chain's", () => {
    const roster = drillRoster(witness, account, round(['a1', 'a2', 'gtg', 'a4', 'a5']), undefined);
    expect(roster.witnesses).toHaveLength(5);
    expect(roster.witnesses[0]).toEqual({
      name: 'gtg',
      signingKey: witness.signingKey,
      url: witness.url,
      props: { account_creation_fee: '3.000 HIVE', maximum_block_size: 65536, hbd_interest_rate: 1500 },
      totalMissed: 977,
      activeKey: activeA,
      schedulePosition: 2,
    });
    expect(roster.position).toBe(2);
  });

  it('copies the configured active key where the authority lists it, and schedules a witness out of the round', () => {
    const roster = drillRoster(witness, account, round(Array.from({ length: 21 }, (_, i) => `w${i}`)), activeB);
    expect(roster.witnesses[0]?.activeKey).toBe(activeB);
    expect(roster.witnesses[0]?.schedulePosition).toBeUndefined();
    expect(roster.position).toBeUndefined();
    expect(roster.witnesses).toHaveLength(21);
    expect(new Set(roster.witnesses.map((w) => w.name)).size).toBe(21);
  });
});
