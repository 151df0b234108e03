/**
 * hived's round shuffle (`witness_schedule.cpp`): a xorshift generator keyed on the head block time, swapping each
 * position with a later one. The simnet mixes its seed into the key so that two simnets with different seeds do not
 * share an order, while one seed always gives the same schedule.
 */
const MULTIPLIER = 2685821657736338717n;
const MASK64 = (1n << 64n) - 1n;

/** Shuffles `names` (a copy) the way hived does for a round that starts at `headBlockTimeSec`. */
export function shuffleWitnesses(names: readonly string[], headBlockTimeSec: number, seedMix: number): string[] {
  const order = [...names];
  const nowHi = (BigInt((headBlockTimeSec ^ seedMix) >>> 0) << 32n) & MASK64;
  for (let i = 0; i < order.length; i++) {
    let k = (nowHi + BigInt(i) * MULTIPLIER) & MASK64;
    k ^= k >> 12n;
    k = (k ^ (k << 25n)) & MASK64;
    k ^= k >> 27n;
    k = (k * MULTIPLIER) & MASK64;
    const jmax = order.length - i;
    const j = i + Number(k % BigInt(jmax));
    const a = order[i] as string;
    order[i] = order[j] as string;
    order[j] = a;
  }
  return order;
}
