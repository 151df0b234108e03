/**
 * The monitor host misbehaving: its clock skewed, its state file unwritable, and the witness's nodes flapping.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStateStore, memoryStateStore, StateError, type StateStore, type TrapState } from '@witness-trap/core';
import { afterEach, describe, expect, it } from 'vitest';
import { recordFinding } from '../src/findings.js';
import { keySwitches, missesOf, type Scenario, startScenario, stepUntil } from '../src/scenario.js';
import { skewedClock } from '../src/skewed-clock.js';

let scenario: Scenario | undefined;
afterEach(async () => {
  await scenario?.close();
  scenario = undefined;
});

describe('clock skew on the monitor host', () => {
  for (const skewMs of [30_000, -30_000]) {
    const label = `${skewMs > 0 ? '+' : ''}${skewMs / 1000} s`;

    // Freshness rests on the head advancing in local elapsed time; absolute head time is compared with the local
    // clock only within the client's clock-skew allowance (maxClockSkewMs, 60 s by default).
    it(`fails over with one missed slot when the host clock is ${label} off`, async () => {
      scenario = await startScenario();
      const { sim, witness, backupKeys } = scenario;
      const clock = skewedClock(sim.clock, skewMs);
      const { trap, of } = scenario.trap({ clock, chain: scenario.newChain({ clock }) });
      expect(await stepUntil(sim, trap.arm(), 21)).toMatchObject({ settled: true, value: { witness: witness.name } });
      const run = trap.run();
      expect(await stepUntil(sim, run, 42)).toEqual({ settled: false });
      expect(of('triggered')).toHaveLength(0);
      await sim.stopNode(witness.signingKey);
      expect(await stepUntil(sim, run, 63)).toMatchObject({ settled: true, value: { status: 'confirmed' } });
      expect(keySwitches(sim, witness.name)).toHaveLength(1);
      expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
      expect(missesOf(sim, witness.name)).toHaveLength(1);
    });
  }

  for (const skewMs of [90_000, -90_000]) {
    const label = `${skewMs > 0 ? '+' : ''}${skewMs / 1000} s`;
    it(`says loudly that no node is fresh when the host clock is ${label} off (beyond the allowance), and broadcasts nothing`, async () => {
      scenario = await startScenario();
      const { sim, witness } = scenario;
      const clock = skewedClock(sim.clock, skewMs);
      const { trap, of } = scenario.trap({ clock, chain: scenario.newChain({ clock }) });
      await sim.stopNode(witness.signingKey);
      const armed = await stepUntil(sim, trap.arm(), 21);
      expect(armed).toMatchObject({ settled: true, error: { code: 'STALE_DATA' } });
      const message = 'error' in armed ? String((armed.error as Error).message) : '';
      expect(message).toMatch(skewMs > 0 ? /old/ : /ahead of the local clock/);
      expect(of('error').length).toBeGreaterThan(0);
      expect(sim.chain.broadcasts()).toHaveLength(0);
      recordFinding({
        area: 'process: clock skew',
        injected: `monitor clock ${label} (trap and chain client), primary dead`,
        happened: `refuses to arm with STALE_DATA ("${message.slice(0, 90)}..."), beyond the 60 s clock-skew allowance; nothing broadcast`,
      });
    });
  }

  for (const skewMs of [8000, -2000]) {
    it(`fails over with one missed slot when the host clock is ${skewMs / 1000} s off (inside the freshness bounds)`, async () => {
      scenario = await startScenario();
      const { sim, witness, backupKeys } = scenario;
      const clock = skewedClock(sim.clock, skewMs);
      const { trap } = scenario.trap({ clock, chain: scenario.newChain({ clock }) });
      expect(await stepUntil(sim, trap.arm(), 21)).toMatchObject({ settled: true, value: { witness: witness.name } });
      await sim.stopNode(witness.signingKey);
      expect(await stepUntil(sim, trap.run(), 63)).toMatchObject({ settled: true, value: { status: 'confirmed' } });
      expect(keySwitches(sim, witness.name)).toHaveLength(1);
      expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
      expect(missesOf(sim, witness.name)).toHaveLength(1);
      recordFinding({
        area: 'process: clock skew',
        injected: `monitor clock ${skewMs / 1000} s off`,
        happened: '1 switch, 1 missed slot',
      });
    });
  }
});

describe('the state file cannot be written', () => {
  it('reports a read-only state path loudly and still fails over', async () => {
    scenario = await startScenario();
    const { sim, witness, backupKeys } = scenario;
    // Root ignores file modes, so "read-only" is made with a path no one can write: its parent is a file.
    const dir = mkdtempSync(join(tmpdir(), 'wt-rel-state-'));
    writeFileSync(join(dir, 'not-a-dir'), '');
    const { trap, of } = scenario.trap({ state: fileStateStore(join(dir, 'not-a-dir', 'state.json')) });
    await trap.arm().catch(() => undefined);
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, trap.run(), 63);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    const stateErrors = of('error').filter((e) => e.during === 'state');
    expect(stateErrors.length).toBeGreaterThan(0);
    expect(stateErrors[0]?.error).toBeInstanceOf(StateError);
    recordFinding({
      area: 'process: state file',
      injected: 'state path whose parent is a file (unwritable, as a read-only mount would be)',
      happened: `${stateErrors.length} state error events (${stateErrors[0]?.error.code}); 1 switch, confirmed`,
    });
  });

  it('reports a full disk loudly and still fails over', async () => {
    scenario = await startScenario();
    const { sim, witness, backupKeys } = scenario;
    let attempts = 0;
    const fullDisk: StateStore = {
      load: async () => undefined,
      save: async () => {
        attempts += 1;
        throw new StateError('STATE_WRITE_FAILED', 'cannot write the state file (write: ENOSPC)', {
          isRetryable: true,
          details: { errno: 'ENOSPC' },
        });
      },
    };
    const { trap, of } = scenario.trap({ state: fullDisk });
    await trap.arm();
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, trap.run(), 63);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(of('error').some((e) => e.during === 'state' && e.error.code === 'STATE_WRITE_FAILED')).toBe(true);
    recordFinding({
      area: 'process: state file',
      injected: 'every state save fails with ENOSPC (disk full)',
      happened: `${attempts} save attempts, ${of('error').length} error events; 1 switch, confirmed`,
    });
  });
});

describe('a flapping node', () => {
  it('switches at most the anti-flap cap in an hour and never to a key whose node is down', async () => {
    scenario = await startScenario();
    const { sim, witness, backupKeys } = scenario;
    const keys = [witness.signingKey, ...backupKeys];
    const cap = { count: 3, windowMs: 3_600_000 };
    // A short cooldown and health URLs (proof that a recovered node is up) let keys back into rotation, so that the
    // cap, not the cooldown or the end of the list, is what bounds it.
    const health = Object.fromEntries(keys.map((key) => [key, sim.nodeHealthUrl(key)]));
    const { trap, of } = scenario.trap({
      mode: 'daemon',
      backupKeys: keys,
      cooldownMs: 120_000,
      maxSwitches: cap,
      health,
    });
    await trap.arm();
    const run = trap.run();
    const down = new Set<string>();
    const badTargets: string[] = [];
    let flaps = 0;
    for (; flaps < 8; flaps++) {
      const key = sim.chain.witness(witness.name)?.signing_key ?? '';
      await sim.stopNode(key);
      down.add(key);
      const before = keySwitches(sim, witness.name).length;
      for (let slot = 0; slot < 42 && keySwitches(sim, witness.name).length === before; slot++) {
        await sim.advanceSlots(1);
      }
      const after = keySwitches(sim, witness.name);
      if (after.length > before) {
        const target = sim.chain.witness(witness.name)?.signing_key ?? '';
        if (down.has(target)) badTargets.push(target);
      }
      // The node comes back a little later: the flap.
      await sim.advanceSlots(3);
      await sim.startNode(key);
      down.delete(key);
      await sim.advanceSlots(10);
    }
    await stepUntil(sim, run, 5);
    const switches = keySwitches(sim, witness.name).length;
    const capErrors = of('error').filter((e) => e.error.code === 'SWITCH_CAP_REACHED').length;
    await trap.stop();
    expect(badTargets).toEqual([]);
    expect(switches).toBeLessThanOrEqual(cap.count);
    expect(switches).toBeGreaterThan(0);
    expect(capErrors).toBeGreaterThan(0);
    recordFinding({
      area: 'flapping',
      injected: `the node of the key on chain dies and recovers ${flaps} times (cap ${cap.count}/h, cooldown 2 min, rotation of 3 keys with health URLs)`,
      happened: `${switches} switches (cap ${cap.count}), ${capErrors} cap-reached errors, 0 switches to a dead key; ${missesOf(sim, witness.name).length} missed slots`,
      figures: { flaps, switches, capErrors },
    });
  });
});

describe('a one-shot trap restarted after its switch', () => {
  // Found by this suite: a one-shot run killed after its switch was confirmed and saved refused to arm on restart
  // (CONFIG_NO_BACKUP_KEY, exit 2) when its only backup was now the signing key. The state now says whether the run
  // that made the switch ended; a run cut off before that is finished on restart (exit 0, no second switch).
  it('ends confirmed (not a config error) when a crash cut off the run whose switch has landed', async () => {
    scenario = await startScenario();
    const { sim, witness, backupKeys } = scenario;
    const state = memoryStateStore();
    const onlyBackup = [backupKeys[0] ?? ''];
    const first = scenario.trap({ state, backupKeys: onlyBackup });
    // What the state file holds at the moment the confirmation is announced: a kill -9 then leaves exactly this.
    let atCrash: TrapState | undefined;
    first.trap.on('confirmed', () => {
      atCrash = structuredClone(state.saved);
    });
    await first.trap.arm();
    await sim.stopNode(witness.signingKey);
    expect(await stepUntil(sim, first.trap.run(), 63)).toMatchObject({ value: { status: 'confirmed' } });
    await sim.advanceSlots(1);
    expect(atCrash?.history).toHaveLength(1);
    const second = scenario.trap({ state: memoryStateStore(atCrash), backupKeys: onlyBackup });
    const result = await stepUntil(sim, second.trap.run(), 10);
    recordFinding({
      area: 'process: restart',
      injected: 'one-shot trap (one backup key) killed right after its switch was confirmed and saved, then restarted',
      happened: `${'error' in result ? `run rejected with ${(result.error as { code?: string }).code}` : `run ended ${JSON.stringify((result as { value?: { status?: string } }).value?.status)}`}; ${keySwitches(sim, witness.name).length} switch on chain; ${second.of('triggered').length} new triggers`,
    });
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed', last: { toKey: backupKeys[0] } } });
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(second.of('triggered')).toHaveLength(0);
  });

  it('arms as usual (and refuses a setup with no backup left) when the run that switched ended normally', async () => {
    scenario = await startScenario();
    const { sim, witness, backupKeys } = scenario;
    const state = memoryStateStore();
    const onlyBackup = [backupKeys[0] ?? ''];
    const first = scenario.trap({ state, backupKeys: onlyBackup });
    await first.trap.arm();
    await sim.stopNode(witness.signingKey);
    expect(await stepUntil(sim, first.trap.run(), 63)).toMatchObject({ value: { status: 'confirmed' } });
    await sim.advanceSlots(1);
    const second = scenario.trap({ state: memoryStateStore(structuredClone(state.saved)), backupKeys: onlyBackup });
    const result = await stepUntil(sim, second.trap.run(), 10);
    expect(result).toMatchObject({ settled: true, error: { code: 'CONFIG_NO_BACKUP_KEY' } });
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
  });
});
