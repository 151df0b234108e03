it('leaves available a node one or two blocks behind (a caching proxy, a read racing a block), and one behind only by the blocks made between the reads', () => {
  const now = GENESIS + 30 * INTERVAL + 100;
  /** Whether the first node is available, read at `[number, at]` after `[number, at]`, beside the second. */
  const available = (reads: Array<[number, number]>, other: [number, number]) => {
    const behind = node('behind');
    for (const [num, at] of reads) behind.recordHead(head(num), at);
    const ahead = node('ahead');
    ahead.recordHead(head(other[0]), other[1]);
    return behind.unavailability(BOUNDS, INTERVAL, [behind, ahead]) === undefined;
  };
  expect(
    available(
      [
        [27, now - 2 * INTERVAL],
        [28, now],
      ],
      [30, now + 10],
    ),
  ).toBe(true);
  // Read two intervals later, the other is two blocks on: they were made in between.
  expect(available([[28, now - 2 * INTERVAL]], [30, now])).toBe(true);
  // Not advanced for more than an interval (a slow node behind a caching proxy), and the other, read an interval
  // and a half later, two blocks on: one and a half of them were made in between. Judged frozen before.
  expect(
    available(
      [
        [28, now - 1.2 * INTERVAL],
        [28, now],
      ],
      [30, now + 1.5 * INTERVAL],
    ),
  ).toBe(true);
  // The same two blocks at the same moment, after two reads at #28: a lagging node's read for a moment (a
  // backend a block behind, a cached answer across a block boundary) as much as a frozen one's.
  expect(
    available(
      [
        [28, now - 1.2 * INTERVAL],
        [28, now],
      ],
      [30, now + 10],
    ),
  ).toBe(true);
  // A third read at #28: frozen.
  expect(
    available(
      [
        [28, now - 1.2 * INTERVAL],
        [28, now - 0.5 * INTERVAL],
        [28, now],
      ],
      [30, now + 10],
    ),
  ).toBe(false);
  // Three reads, but the head stuck for less than an interval: not frozen yet.
  expect(
    available(
      [
        [28, now - 0.6 * INTERVAL],
        [28, now - 0.3 * INTERVAL],
        [28, now],
      ],
      [30, now + 10],
    ),
  ).toBe(true);
  // A head that went back and forth (backends a block apart) counts its reads at the latest number only.
  expect(
    available(
      [
        [28, now - 1.5 * INTERVAL],
        [28, now - 1.2 * INTERVAL],
        [27, now - 0.5 * INTERVAL],
        [28, now],
      ],
      [30, now + 10],
    ),
  ).toBe(true);
});

import { describe, expect, it } from 'vitest';
import type { HeadState } from '../types.js';
import { rpcEndpoint } from './json-rpc.js';
import { NodeHealth } from './node-health.js';

const INTERVAL = 3000;
const BOUNDS = { staleAfterMs: 4 * INTERVAL, maxClockSkewMs: 60_000 };
/** Genesis of this made-up chain: block n was made at GENESIS + n intervals. */
const GENESIS = 1_800_000_000_000;

function head(num: number): HeadState {
  return {
    headBlockNumber: num,
    headBlockId: `${num.toString(16).padStart(8, '0')}${'0'.repeat(32)}`,
    headBlockTime: GENESIS + num * INTERVAL,
    currentAslot: num,
    currentWitness: 'w',
    lastIrreversibleBlockNum: num - 15,
  };
}

function node(name: string): NodeHealth {
  const endpoint = rpcEndpoint(`http://${name}.invalid`);
  if (endpoint === undefined) throw new Error('bad url');
  return new NodeHealth(endpoint);
}

describe('NodeHealth.unavailability', () => {
  it('finds out at its first read a node that just advanced to a head far behind another read at the same time (a stale snapshot)', () => {
    const stale = node('stale');
    const fresh = node('fresh');
    const now = GENESIS + 30 * INTERVAL + 100;
    // Last read before the trap slept between slots; on waking, the stale one has moved (so it "advanced" just now),
    // but to #21 while the other is at #30.
    stale.recordHead(head(20), now - 10 * INTERVAL);
    stale.recordHead(head(21), now);
    fresh.recordHead(head(30), now + 20);
    const peers = [stale, fresh];
    expect(stale.unavailability(BOUNDS, INTERVAL, peers)).toMatch(/9 blocks behind http:\/\/fresh\.invalid/);
    expect(fresh.unavailability(BOUNDS, INTERVAL, peers)).toBeUndefined();
  });

  it('never makes an honest node stale on the word of one claiming a head far ahead at the same time', () => {
    const honest = node('honest');
    const liar = node('liar');
    const now = GENESIS + 30 * INTERVAL + 100;
    honest.recordHead(head(30), now);
    liar.recordHead({ ...head(30), headBlockNumber: 50_000 }, now);
    expect(honest.unavailability(BOUNDS, INTERVAL, [honest, liar])).toBeUndefined();
  });

  it('leaves available a node one or two blocks behind (a caching proxy, a read racing a block), and one behind only by the blocks made between the reads', () => {
    const lagging = node('lagging');
    const fresh = node('fresh');
    const now = GENESIS + 30 * INTERVAL + 100;
    lagging.recordHead(head(27), now - 2 * INTERVAL);
    lagging.recordHead(head(28), now);
    fresh.recordHead(head(30), now + 10);
    expect(lagging.unavailability(BOUNDS, INTERVAL, [lagging, fresh])).toBeUndefined();
    // Read two intervals later, the other is four blocks on: two of them were made in between.
    const early = node('early');
    early.recordHead(head(28), now - 2 * INTERVAL);
    const later = node('later');
    later.recordHead(head(30), now);
    expect(early.unavailability(BOUNDS, INTERVAL, [early, later])).toBeUndefined();
  });
});
