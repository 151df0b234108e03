import { describe, expect, it } from 'vitest';
import type { TrapEvents } from '../../src/events.js';
import { FailoverTrap, type FailoverTrapOptions } from '../../src/trap.js';
import { NULL_SIGNING_KEY } from '../../src/types.js';
import { keySwitches, missesOf, type Scenario, scenarios, stepUntil } from './sim-harness.js';

const start = scenarios();

/** Steps until the chain shows `key` as the witness's signing key. */
async function untilKey(s: Scenario, key: string, maxSlots: number): Promise<boolean> {
  for (let i = 0; i < maxSlots; i++) {
    if (s.sim.chain.witness(s.witness.name)?.signing_key === key) return true;
    await s.sim.advanceSlots(1);
  }
  return s.sim.chain.witness(s.witness.name)?.signing_key === key;
}

describe('daemon mode', () => {
  it('fails over again when the backup dies after taking over, and never back to the dead key', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const [b1, b2] = scenario.backupKeys as [string, string];
    const trap = new FailoverTrap(scenario.trapOptions({ mode: 'daemon', backupKeys: [witness.signingKey, b1, b2] }));
    const confirmed: Array<TrapEvents['confirmed']> = [];
    const recovered: string[] = [];
    trap.on('confirmed', (e) => confirmed.push(e));
    trap.on('recovered', (e) => recovered.push(e.key));
    await trap.arm();
    const run = trap.run();
    await sim.stopNode(witness.signingKey);
    expect(await untilKey(scenario, b1, 120)).toBe(true);
    await sim.stopNode(b1);
    expect(await untilKey(scenario, b2, 120)).toBe(true);
    // Healthy on b2 for a while: no more switches.
    await sim.advanceSlots(63);
    await trap.stop();
    expect(await run).toMatchObject({ status: 'stopped' });
    expect(confirmed.map((c) => [c.fromKey, c.toKey])).toEqual([
      [witness.signingKey, b1],
      [b1, b2],
    ]);
    expect(keySwitches(sim, witness.name)).toHaveLength(2);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(b2);
    // b1 died before it ever produced; b2's first block after the misses is the recovery.
    expect(recovered).toEqual([b2]);
    expect(missesOf(sim, witness.name)).toHaveLength(2);
  });

  it('sets the null key (kill switch) when every backup has failed', async () => {
    const scenario = await start({ backupKeys: 1 });
    const { sim, witness } = scenario;
    const [b1] = scenario.backupKeys as [string];
    const trap = new FailoverTrap(scenario.trapOptions({ mode: 'daemon', killSwitch: true }));
    const exhausted: Array<TrapEvents['exhausted']> = [];
    trap.on('exhausted', (e) => exhausted.push(e));
    await trap.arm();
    const run = trap.run();
    await sim.stopNode(witness.signingKey);
    expect(await untilKey(scenario, b1, 120)).toBe(true);
    await sim.stopNode(b1);
    const result = await stepUntil(sim, run, 120);
    expect(result).toMatchObject({ settled: true, value: { status: 'exhausted' } });
    expect(exhausted).toEqual([{ witness: witness.name, triedKeys: [], killSwitch: true }]);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(NULL_SIGNING_KEY);
    const last = keySwitches(sim, witness.name).at(-1);
    expect(last?.signerKeys).toEqual([b1]);
  });

  it('exhausted without the kill switch: alerts once, keeps watching, and sees the witness recover', async () => {
    const scenario = await start({ backupKeys: 1 });
    const { sim, witness } = scenario;
    const [b1] = scenario.backupKeys as [string];
    const trap = new FailoverTrap(scenario.trapOptions({ mode: 'daemon' }));
    const exhausted: unknown[] = [];
    const recovered: unknown[] = [];
    trap.on('exhausted', (e) => exhausted.push(e));
    trap.on('recovered', (e) => recovered.push(e));
    await trap.arm();
    const run = trap.run();
    await sim.stopNode(witness.signingKey);
    expect(await untilKey(scenario, b1, 120)).toBe(true);
    await sim.stopNode(b1);
    // Three rounds of misses on b1 with nothing left: the daemon stays, says it once, and never touches the key.
    expect(await stepUntil(sim, run, 3 * 21)).toEqual({ settled: false });
    expect(exhausted).toMatchObject([{ witness: witness.name, killSwitch: false }]);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(b1);
    // b1's node comes back: its block is the proof, and the daemon is still there to see it.
    await sim.startNode(b1);
    expect(await stepUntil(sim, run, 2 * 21)).toEqual({ settled: false });
    expect(recovered).toMatchObject([{ key: b1 }]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    await trap.stop();
    expect(await run).toMatchObject({ status: 'stopped' });
  });

  it('skips a backup whose node is down, by its health URL', async () => {
    // refused, not blackholed: the probe's timeout is real time, which the manual clock cannot step
    const scenario = await start({ deadNodes: 'refuse' });
    const { sim, witness } = scenario;
    const [b1, b2] = scenario.backupKeys as [string, string];
    const health = { [b1]: sim.nodeHealthUrl(b1), [b2]: sim.nodeHealthUrl(b2) };
    const trap = new FailoverTrap(scenario.trapOptions({ health }));
    await trap.arm();
    await sim.stopNode(b1);
    await sim.stopNode(witness.signingKey);
    expect(await stepUntil(sim, trap.run(), 120)).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(b2);
  });

  it('switches before the slot when the current node is dark (pre-emptive): no missed block at all', async () => {
    // refused, not blackholed: the probe's timeout is real time, which the manual clock cannot step
    const scenario = await start({ deadNodes: 'refuse' });
    const { sim, witness } = scenario;
    const [b1] = scenario.backupKeys as [string];
    const trap = new FailoverTrap(
      scenario.trapOptions({
        health: { [witness.signingKey]: sim.nodeHealthUrl(witness.signingKey) },
        preemptive: { darkChecks: 3, leadSlots: 2 },
      }),
    );
    const triggered: Array<TrapEvents['triggered']> = [];
    trap.on('triggered', (e) => triggered.push(e));
    await trap.arm();
    await sim.stopNode(witness.signingKey);
    expect(await stepUntil(sim, trap.run(), 120)).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(triggered.map((t) => t.reason)).toEqual(['preemptive']);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(b1);
    await sim.advanceSlots(42);
    expect(missesOf(sim, witness.name)).toEqual([]);
  });

  it('keeps watching after a switch that did not land, and switches on the next miss', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions({ mode: 'daemon', maxAttempts: 1, confirmTimeoutMs: 6000 }));
    const failed: Array<TrapEvents['failed']> = [];
    trap.on('failed', (e) => failed.push(e));
    await trap.arm();
    const run = trap.run();
    const fault = await sim.injectFault({ kind: 'drop-broadcasts' });
    await sim.stopNode(witness.signingKey);
    for (let i = 0; i < 60 && failed.length === 0; i++) await sim.advanceSlots(1);
    expect(failed).toHaveLength(1);
    await fault.remove();
    // Behind the caching proxy the trap sees the key a little after it lands: wait for its confirmation.
    const confirmed = new Promise((resolve) => trap.once('confirmed', resolve));
    expect(await stepUntil(sim, confirmed, 120)).toMatchObject({ settled: true });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    await trap.stop();
    expect(await run).toMatchObject({ status: 'stopped', switches: [{ status: 'confirmed', toKey: backupKeys[0] }] });
    expect(missesOf(sim, witness.name).length).toBeGreaterThanOrEqual(2);
  });

  it('caps switches per window (anti-flap): says so instead of switching again', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const [b1] = scenario.backupKeys as [string, string];
    const trap = new FailoverTrap(
      scenario.trapOptions({ mode: 'daemon', maxSwitches: { count: 1, windowMs: 3_600_000 } }),
    );
    const errors: string[] = [];
    trap.on('error', (e) => errors.push(e.error.code));
    await trap.arm();
    const run = trap.run();
    await sim.stopNode(witness.signingKey);
    expect(await untilKey(scenario, b1, 120)).toBe(true);
    await sim.stopNode(b1);
    for (let i = 0; i < 90 && !errors.includes('SWITCH_CAP_REACHED'); i++) await sim.advanceSlots(1);
    await trap.stop();
    await run;
    expect(errors).toContain('SWITCH_CAP_REACHED');
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(b1);
  });

  it('does not switch pre-emptively while the current node answers its health URL', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const trap = new FailoverTrap(
      scenario.trapOptions({
        health: { [witness.signingKey]: sim.nodeHealthUrl(witness.signingKey) },
        preemptive: { darkChecks: 3, leadSlots: 2 },
      }),
    );
    await trap.arm();
    const run = trap.run();
    expect(await stepUntil(sim, run, 84)).toEqual({ settled: false });
    await trap.stop();
    expect(keySwitches(sim, witness.name)).toEqual([]);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(witness.signingKey);
  });

  describe('the rotation only moves forward', () => {
    /** A one-shot trap fails over from the dead primary (rotation [primary, b1, b2]); then a daemon joins afresh. */
    async function afterAnotherMonitorFailedOver(extra: (s: Scenario) => Partial<FailoverTrapOptions> = () => ({})) {
      // refused, not blackholed: the probe's timeout is real time, which the manual clock cannot step
      const scenario = await start({ deadNodes: 'refuse' });
      const { sim, witness } = scenario;
      const [b1, b2] = scenario.backupKeys as [string, string];
      const rotation = [witness.signingKey, b1, b2];
      const first = new FailoverTrap(scenario.trapOptions({ backupKeys: rotation }));
      await first.arm();
      await sim.stopNode(witness.signingKey);
      expect(await stepUntil(sim, first.run(), 80)).toMatchObject({ value: { status: 'confirmed' } });
      expect(sim.chain.witness(witness.name)?.signing_key).toBe(b1);
      // A fresh daemon (its own empty state): it never saw the primary die.
      const late = new FailoverTrap(scenario.trapOptions({ mode: 'daemon', backupKeys: rotation, ...extra(scenario) }));
      await late.arm();
      return { scenario, late, rotation, b1, b2 };
    }

    it('a daemon started after another monitor failed over goes on to b2, never back to the dead primary', async () => {
      const { scenario, late, rotation, b1, b2 } = await afterAnotherMonitorFailedOver();
      const { sim, witness } = scenario;
      const run = late.run();
      await sim.advanceSlots(21);
      await sim.stopNode(b1);
      expect(await untilKey(scenario, b2, 120)).toBe(true);
      await sim.advanceSlots(42);
      await late.stop();
      await run;
      const signedBy = keySwitches(sim, witness.name).map((t) => rotation.indexOf(t.signerKeys[0] ?? ''));
      expect(signedBy).toEqual([0, 1]);
      expect(sim.chain.witness(witness.name)?.signing_key).toBe(b2);
    });

    for (const repaired of [true, false]) {
      it(`wraps back to the primary only while its health URL shows it up (primary ${repaired ? 'repaired' : 'still dead'})`, async () => {
        const { scenario, late, b1, b2 } = await afterAnotherMonitorFailedOver((s) => ({
          health: Object.fromEntries([s.witness.signingKey, ...s.backupKeys].map((k) => [k, s.sim.nodeHealthUrl(k)])),
        }));
        const { sim, witness } = scenario;
        // b2 is gone too: the only way on is back to the start of the list.
        await sim.stopNode(b2);
        if (repaired) await sim.startNode(witness.signingKey);
        const run = late.run();
        await sim.advanceSlots(21);
        await sim.stopNode(b1);
        const result = await stepUntil(sim, run, 120);
        if (repaired) {
          expect(result).toEqual({ settled: false });
          expect(sim.chain.witness(witness.name)?.signing_key).toBe(witness.signingKey);
          expect(keySwitches(sim, witness.name).map((t) => t.signerKeys[0])).toEqual([witness.signingKey, b1]);
        } else {
          // Nothing proves up: the daemon stays on b1, watching (no kill switch), and touches nothing.
          expect(result).toEqual({ settled: false });
          expect(sim.chain.witness(witness.name)?.signing_key).toBe(b1);
          expect(keySwitches(sim, witness.name)).toHaveLength(1);
          // The primary's node is repaired later: its health URL is the proof, and the daemon fails over to it.
          await sim.startNode(witness.signingKey);
          expect(await untilKey(scenario, witness.signingKey, 63)).toBe(true);
          expect(keySwitches(sim, witness.name)).toHaveLength(2);
        }
        await late.stop();
        await run;
      });
    }
  });
});
