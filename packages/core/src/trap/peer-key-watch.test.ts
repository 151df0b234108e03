import { describe, expect, it } from 'vitest';
import { taposBlockNum } from './inclusion-scan.js';
import { PeerKeyWatch } from './peer-key-watch.js';

describe('peer key watch', () => {
  it('adopts a key only once it has held for a full block after it was first seen', () => {
    const watch = new PeerKeyWatch();
    expect(watch.observe(100, 'STMpeer')).toBe(false); // first seen, at head 100 or a little after
    expect(watch.observe(100, 'STMpeer')).toBe(false); // still block 100: the sighting is bounded by it
    expect(watch.observe(101, 'STMpeer')).toBe(true); // block 101 applied, the key still there
  });

  it('starts over when the key goes back or changes (a pending transaction that fell out)', () => {
    const watch = new PeerKeyWatch();
    watch.observe(100, 'STMpeer');
    watch.observe(101, 'STMpeer');
    expect(watch.observe(102, undefined)).toBe(false);
    expect(watch.watching).toBe(false);
    expect(watch.observe(103, 'STMother')).toBe(false);
    expect(watch.observe(104, 'STMother')).toBe(false);
    expect(watch.observe(105, 'STMother')).toBe(true);
  });
});

describe('TaPoS block', () => {
  it('is the latest block at or before the head whose number ends in ref_block_num', () => {
    expect(taposBlockNum({ ref_block_num: 1000 }, 1003)).toBe(1000);
    expect(taposBlockNum({ ref_block_num: 1003 }, 1003)).toBe(1003);
    expect(taposBlockNum({ ref_block_num: 0xfffe }, 0x10002)).toBe(0xfffe);
    expect(taposBlockNum({ ref_block_num: 5 }, 0x30004)).toBe(0x20005);
  });
});
