/**
 * What `drill` copies from the real chain into its simulated one: the witness's signing key, url, props, missed
 * count, the owner's active key and its place in the round. Public data only: no private key is read here.
 */
import type { AccountAuthorities, WitnessSchedule, WitnessState } from '@witness-trap/core';
import type { SimnetWitnessSeed } from '@witness-trap/simnet';

/** hived's `HIVE_MAX_WITNESSES`: the longest round. */
const MAX_ROUND = 21;

/** The simulated chain's witnesses for a drill: the copy first, then stand-ins that fill its round. */
export interface DrillRoster {
  witnesses: SimnetWitnessSeed[];
  /** Where the witness stands in the real chain's current round (0-based), if it is in it. */
  position?: number;
  /** Producers per round on the real chain (and so on the simulated one). */
  roundLength: number;
}

/**
 * The seed of the simulated witness. The active key copied is the configured one where the real active authority
 * lists it, else the authority's first key: so the simulated chain accepts exactly the active signatures the real
 * one would.
 */
export function drillRoster(
  witness: WitnessState,
  account: AccountAuthorities | null,
  schedule: WitnessSchedule,
  configuredActiveKey: string | undefined,
): DrillRoster {
  const round = schedule.currentShuffledWitnesses;
  const roundLength = Math.min(MAX_ROUND, Math.max(1, round.length));
  const found = round.indexOf(witness.owner);
  const position = found >= 0 && found < roundLength ? found : undefined;
  const activeKeys = account?.active.keyAuths.map(([key]) => key) ?? [];
  const activeKey =
    configuredActiveKey !== undefined && activeKeys.includes(configuredActiveKey) ? configuredActiveKey : activeKeys[0];
  const copy: SimnetWitnessSeed = {
    name: witness.owner,
    signingKey: witness.signingKey,
    url: witness.url,
    props: {
      account_creation_fee: witness.props.accountCreationFee,
      maximum_block_size: witness.props.maximumBlockSize,
      hbd_interest_rate: witness.props.hbdInterestRate,
    },
    totalMissed: witness.totalMissed,
    ...(activeKey === undefined ? {} : { activeKey }),
    ...(position === undefined ? {} : { schedulePosition: position }),
  };
  const standIns = Array.from({ length: roundLength }, (_, i) => `drill-${String(i + 1).padStart(2, '0')}`)
    .filter((name) => name !== witness.owner)
    .slice(0, roundLength - 1)
    .map((name) => ({ name }));
  return { witnesses: [copy, ...standIns], ...(position === undefined ? {} : { position }), roundLength };
}
