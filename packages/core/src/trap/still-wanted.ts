import type { PendingSwitch, PublicKeyString, WitnessState } from '../types.js';
import { taposBlockNum } from './inclusion-scan.js';
import { MAX_ANCHOR_LAG_BLOCKS } from './switch.js';

/**
 * Asked before a live switch is re-signed: it is still wanted while its old key is on chain and the witness has not
 * produced since the miss that fired it (`lastAslot`: its `last_aslot` then).
 */
export function stillMissing(witness: WitnessState, fromKey: PublicKeyString, lastAslot: number): boolean {
  return witness.signingKey === fromKey && witness.lastAslot <= lastAslot;
}

/**
 * Asked before a switch resumed after a restart is re-signed: the same rule as a live run, its old key still on chain
 * and the witness not produced since the switch was signed (its `last_aslot` then, saved with the switch). State saved
 * by an older version lacks it: there the block the TaPoS names stands in, allowing for a TaPoS on the last
 * irreversible block (up to {@link MAX_ANCHOR_LAG_BLOCKS} behind the signing head): a needless switch to a backup
 * loses no block, a dropped one loses every block until a person wakes up. `headBlockNumber` is read only there.
 */
export async function stillMissingSince(
  witness: WitnessState,
  pending: PendingSwitch,
  headBlockNumber: () => Promise<number>,
): Promise<boolean> {
  if (witness.signingKey !== pending.fromKey) return false;
  if (pending.lastAslotAtSigning !== undefined) return witness.lastAslot <= pending.lastAslotAtSigning;
  const anchor = taposBlockNum(pending.tx, await headBlockNumber());
  return witness.lastConfirmedBlockNum <= anchor + MAX_ANCHOR_LAG_BLOCKS;
}
