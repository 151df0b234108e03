import { describe, expect, it } from 'vitest';
import { runMonitors } from './several-monitors.js';

describe('examples/several-monitors', () => {
  it('lands exactly one switch on chain while all three monitors end confirmed', async () => {
    const { outcomes, switchesOnChain } = await runMonitors({ blockIntervalMs: 100, print: () => undefined });
    expect(switchesOnChain).toHaveLength(1);
    expect(outcomes.map((o) => o.status)).toEqual(['confirmed', 'confirmed', 'confirmed']);
    const landed = outcomes.flatMap((o) => (o.last?.status === 'confirmed' && !o.last.byPeer ? [o.last] : []));
    // Identical signed transactions are possible (same TaPoS, same expiration, deterministic signatures), so more
    // than one monitor may rightly call the landed switch its own; whoever did must name the one on chain.
    expect(landed.length).toBeGreaterThanOrEqual(1);
    for (const own of landed) expect(own.txId).toBe(switchesOnChain[0]);
    // The monitors that adopted a peer's switch agree with it on the key now signing.
    expect(new Set(outcomes.map((o) => (o.last?.status === 'confirmed' ? o.last.toKey : undefined))).size).toBe(1);
  });
});
