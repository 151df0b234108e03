/**
 * Several monitors on the active-key path (issue 12, item 7). Where the current signing key's private key is not
 * held, the switch is a `witness_update` signed by the owner's active key, and the chain has no compare-and-swap for
 * it: two different ones both land. The traps converge anyway: they sign the very same transaction for one incident
 * (TaPoS on the witness's last block, expiration on a round boundary), which hived applies once; each also reads
 * the on-chain key right before signing and again right before broadcasting, and stands down (adopts, never
 * rebroadcasts over it) as soon as a peer's key appears. Their confirmation timeouts differ on purpose.
 */

import { wifKeyRing } from '@witness-trap/core';
import { seededRandom } from '@witness-trap/simnet';
import { afterEach, describe, expect, it } from 'vitest';
import { recordFinding } from '../src/findings.js';
import { keySwitches, type RecordedTrap, type Scenario, startScenario, stepUntil } from '../src/scenario.js';

let scenario: Scenario | undefined;
afterEach(async () => {
  await scenario?.close();
  scenario = undefined;
});

/** `count` traps holding the active key and the backups' keys (not the primary's), armed in a seeded order. */
async function activeKeyMonitors(s: Scenario, count: number, seed: number): Promise<RecordedTrap[]> {
  const random = seededRandom(seed);
  const monitors = Array.from({ length: count }, (_, i) => {
    const nodes = [...s.sim.urls.slice(i % s.sim.urls.length), ...s.sim.urls.slice(0, i % s.sim.urls.length)];
    const signer = wifKeyRing({
      activeKey: s.witness.activeKey,
      signingKeys: s.witness.backupKeys.map((k) => k.privateKey),
    });
    return s.trap({ chain: s.newChain({ nodes }), signer, confirmTimeoutMs: 30_000 + (i % 3) * 3000 });
  });
  const order = monitors.map((m) => ({ m, r: random() })).sort((a, b) => a.r - b.r);
  for (const { m } of order) {
    await m.trap.arm();
    if (random() < 0.5) await s.sim.advanceSlots(1);
  }
  return monitors;
}

describe('several one-shot traps on the active-key path (witness_update)', () => {
  for (const count of [2, 3, 5]) {
    it(`${count} traps armed in any order: exactly one witness_update lands, and all ${count} report it confirmed`, async () => {
      scenario = await startScenario();
      const { sim, witness, backupKeys } = scenario;
      // 2 and 3: a fresh chain where the witness has not produced yet; 5: after two rounds, as on a live chain.
      if (count === 5) await sim.advanceSlots(42);
      const monitors = await activeKeyMonitors(scenario, count, count * 11);
      expect(monitors.map((m) => m.of('armed')[0]?.operation)).toEqual(Array(count).fill('witness_update'));
      await sim.stopNode(witness.signingKey);
      const all = Promise.all(monitors.map((m) => m.trap.run()));
      const result = await stepUntil(sim, all, 120);
      expect(result.settled).toBe(true);
      const outcomes = 'value' in result ? result.value : [];
      expect(outcomes.map((o) => o.last?.toKey)).toEqual(Array(count).fill(backupKeys[0]));
      await sim.advanceSlots(42);
      const switches = keySwitches(sim, witness.name);
      expect(switches).toHaveLength(1);
      expect(switches[0]?.operations[0]?.[0]).toBe('witness_update');
      expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
      recordFinding({
        area: 'several monitors, active key',
        injected: `${count} one-shot traps on the witness_update path (no compare-and-swap), primary killed`,
        happened: `${switches.length} witness_update applied (${new Set(monitors.flatMap((m) => m.of('broadcast').map((b) => b.txId))).size} distinct tx id(s) signed); every trap reports it`,
        figures: { traps: count, applied: switches.length },
      });
    });
  }
});
