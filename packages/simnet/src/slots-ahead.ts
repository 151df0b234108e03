/**
 * Where a witness's slots fall if it stops producing now: for a test that must kill a node at a moment where the
 * slot after the missed one is far enough away (a shuffle can put a witness twice in a row, and the second miss then
 * says nothing about the client under test).
 */
import { SHUFFLE_EVERY } from './chain.js';
import type { ChainView } from './types.js';

/**
 * The aslots of `name`'s next `count` slots if it produces none of them (every other slot produced), projected from
 * the schedule the chain holds now: this round, and the next one once its shuffle block is made.
 * @returns `undefined` when a slot lies beyond the round after the next shuffle (not drawn yet)
 * @example
 * const [missed, next] = slotsIfMissing(sim.chain, 'alice', 2) ?? [];
 */
export function slotsIfMissing(chain: ChainView, name: string, count: number): number[] | undefined {
  const head = chain.head();
  const { current, future, nextShuffleBlockNum } = chain.schedule();
  let order = current;
  let blockNum = head.number;
  let shuffleAt = nextShuffleBlockNum;
  let shuffled = false;
  const found: number[] = [];
  for (let aslot = head.aslot + 1; found.length < count; aslot++) {
    if (order.length === 0) return undefined;
    if (order[aslot % order.length] === name) {
      found.push(aslot); // missed: no block, the block number stays
      continue;
    }
    blockNum++;
    if (blockNum === shuffleAt) {
      if (shuffled) return undefined;
      order = future;
      shuffled = true;
      shuffleAt += SHUFFLE_EVERY;
    }
  }
  return found;
}
