import { describe, expect, it } from 'vitest';
import type { ChainClient, SignedTransaction } from '../types.js';
import { InclusionScan, taposBlockNum } from './inclusion-scan.js';
import { PeerKeyWatch } from './peer-key-watch.js';

describe('peer key watch', () => {
  it('adopts a key only once it has held for a full block after it was first seen, on reads a block apart', () => {
    const watch = new PeerKeyWatch();
    expect(watch.observe(100, 'STMpeer')).toBe(false); // first seen, at head 100 or a little after
    expect(watch.observe(100, 'STMpeer')).toBe(false); // a head read after it: the sighting was at most block 101
    // Block 102 as the head read shows it may be read beside a witness read a block behind (101): the sighting's.
    expect(watch.observe(101, 'STMpeer')).toBe(false);
    expect(watch.observe(102, 'STMpeer')).toBe(false);
    // Block 103: the witness read is at least at 102, a block past the sighting, and the key is still there.
    expect(watch.observe(103, 'STMpeer')).toBe(true);
  });

  it('does not adopt a pending key shown again by a backend a block behind while the head read came from the fresh one', () => {
    // One node behind a balancer over two backends a block apart, reads including pending transactions: a peer's
    // transaction with one block of life sits in the pool, never included. Head reads #17 (lagging backend), the
    // key is seen at #18's state; head #18 (fresh), the key again from the lagging backend (#17's state, where it is
    // still pending): a one-block hold counted on the head reads adopted it there.
    const watch = new PeerKeyWatch();
    expect(watch.observe(17, 'STMpeer')).toBe(false);
    expect(watch.observe(17, 'STMpeer')).toBe(false);
    expect(watch.observe(18, 'STMpeer')).toBe(false);
    expect(watch.observe(19, 'STMpeer')).toBe(false);
    // By head #20 every backend is past #18: the transaction expired, the key is back.
    expect(watch.observe(20, undefined)).toBe(false);
    expect(watch.watching).toBe(false);
  });

  it('starts over when the key goes back or changes (a pending transaction that fell out)', () => {
    const watch = new PeerKeyWatch();
    watch.observe(100, 'STMpeer');
    watch.observe(101, 'STMpeer');
    expect(watch.observe(102, undefined)).toBe(false);
    expect(watch.watching).toBe(false);
    expect(watch.observe(103, 'STMother')).toBe(false);
    expect(watch.observe(104, 'STMother')).toBe(false);
    expect(watch.observe(106, 'STMother')).toBe(false);
    expect(watch.observe(107, 'STMother')).toBe(true);
  });
});

describe('TaPoS block', () => {
  it('is the latest block at or before the head whose number ends in ref_block_num', () => {
    expect(taposBlockNum({ ref_block_num: 1000 }, 1003)).toBe(1000);
    expect(taposBlockNum({ ref_block_num: 1003 }, 1003)).toBe(1003);
    expect(taposBlockNum({ ref_block_num: 0xfffe }, 0x10002)).toBe(0xfffe);
    expect(taposBlockNum({ ref_block_num: 5 }, 0x20005 + 64_511)).toBe(0x20005);
  });

  it('is just ahead of a head read from a node a few blocks behind the one the transaction was signed from', () => {
    // Signed at head 4, the head then read from a lagging node: 3 (not -65532: a scan from there never confirms).
    expect(taposBlockNum({ ref_block_num: 4 }, 3)).toBe(4);
    expect(taposBlockNum({ ref_block_num: 5 }, 0x30004)).toBe(0x30005);
    expect(taposBlockNum({ ref_block_num: 2 }, 0x2fffe)).toBe(0x30002);
  });
});

describe('inclusion scan', () => {
  it('finds a transaction signed at head 4 when the first head it is given came from a node one block behind', async () => {
    const read: number[] = [];
    const chain = {
      getBlockHeader: async (num: number) => {
        read.push(num);
        return {
          value: { number: num, previous: '', timestamp: 0, witness: 'w', transactionIds: num === 5 ? ['t'] : [] },
        };
      },
    } as unknown as ChainClient;
    const scan = new InclusionScan(chain, { ref_block_num: 4 } as SignedTransaction, 't', undefined, 20);
    expect(await scan.upTo(3)).toBeUndefined();
    expect(await scan.upTo(6)).toBe(5);
    expect(read).toEqual([5]);
  });
});
