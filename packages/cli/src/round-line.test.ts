import { describe, expect, it } from 'vitest';
import { roundLine } from './round-line.js';

const nodes = {
  status: [
    { url: 'http://127.0.0.1:1', fresh: true, available: true, headAgeMs: 1200, failures: 0 },
    { url: 'http://127.0.0.1:2', fresh: false, available: false, failures: 3, lastError: 'timeout' },
  ],
  configured: 2,
  staleAfterMs: 30_000,
};

describe('round line', () => {
  it("says the witness's last slot, the nodes available of those configured (by their last read) and the next check", () => {
    const slot = { witness: 'alice', aslot: 100, time: 0, produced: true, blockNum: 95, checkedAt: 0 };
    const line = roundLine(slot, nodes, { aslot: 121, time: 64_000, inMs: 63_000 }, 1_000);
    expect(line.message).toBe(
      'round: alice produced slot 100 (block #95); nodes 1/2 available, DEGRADED (not available: http://127.0.0.1:2); next check slot 121 in 63.0 s',
    );
    expect(line.fields).toMatchObject({
      produced: true,
      nodesAvailable: 1,
      nodesConfigured: 2,
      degraded: true,
      nextAslot: 121,
    });
  });

  it('is not DEGRADED while a majority of the configured nodes is available (2 of 3)', () => {
    const slot = { witness: 'alice', aslot: 100, time: 0, produced: true, checkedAt: 0 };
    const three = {
      ...nodes,
      status: [...nodes.status, { url: 'http://127.0.0.1:3', fresh: true, available: true, failures: 0 }],
      configured: 3,
    };
    const line = roundLine(slot, three, undefined);
    expect(line.message).toBe(
      'round: alice produced slot 100; nodes 2/3 available (not available: http://127.0.0.1:2); next check: not known yet',
    );
    expect(line.fields).toMatchObject({ nodesAvailable: 2, nodesConfigured: 3, degraded: false });
  });

  it('says a missed slot, and a next check not known yet', () => {
    const slot = { witness: 'alice', aslot: 100, time: 0, produced: false, checkedAt: 0 };
    expect(roundLine(slot, { ...nodes, status: [] }, undefined).message).toBe(
      'round: alice MISSED slot 100; nodes 0/2 available, DEGRADED; next check: not known yet',
    );
  });
});
