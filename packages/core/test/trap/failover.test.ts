import { describe, expect, it } from 'vitest';
import { SignerError, StateError, SwitchFailedError } from '../../src/errors.js';
import type { TrapEvents } from '../../src/events.js';
import { wifKeyRing } from '../../src/signer/wif-key-ring.js';
import { memoryStateStore } from '../../src/state/memory-state-store.js';
import { FailoverTrap } from '../../src/trap.js';
import type { Notifier } from '../../src/types.js';
import { keySwitches, missesOf, scenarios, stepUntil } from './sim-harness.js';

const start = scenarios();

describe('FailoverTrap on the simulated chain', () => {
  it('switches to the first backup after the first missed slot, signed by the old signing key', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions());
    const armed = await trap.arm();
    expect(armed).toMatchObject({ currentKey: witness.signingKey, nextKey: backupKeys[0] });
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, trap.run(), 120);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });

    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    const switches = keySwitches(sim, witness.name);
    expect(switches).toHaveLength(1);
    expect(switches[0]?.operations[0]?.[0]).toBe('witness_set_properties');
    expect(switches[0]?.signerKeys).toEqual([witness.signingKey]);
    expect(missesOf(sim, witness.name)).toHaveLength(1);
    // The backup took over: the witness produces again, on the new key.
    await sim.advanceSlots(42);
    expect(missesOf(sim, witness.name)).toHaveLength(1);
    expect(sim.chain.witness(witness.name)?.last_aslot).toBeGreaterThan(missesOf(sim, witness.name)[0]?.aslot ?? 0);
  });

  it('waits for the second miss when misses is 2, and the witness misses exactly two slots', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions({ misses: 2 }));
    const missed: Array<TrapEvents['missed']> = [];
    trap.on('missed', (e) => missed.push(e));
    await trap.arm();
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, trap.run(), 160);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(missed.map((m) => m.missesInWindow)).toEqual([1, 2]);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    await sim.advanceSlots(42);
    expect(missesOf(sim, witness.name).map((m) => m.aslot)).toEqual(missed.map((m) => m.aslot));
  });

  it('broadcasts nothing in a dry run, and reports the signed switch', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions({ dryRun: true }));
    const broadcasts: Array<TrapEvents['broadcast']> = [];
    trap.on('broadcast', (e) => broadcasts.push(e));
    await trap.arm();
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, trap.run(), 120);
    expect(result).toMatchObject({ settled: true, value: { status: 'dry-run' } });
    expect(broadcasts).toMatchObject([{ dryRun: true, operation: 'witness_set_properties', acceptedBy: [] }]);
    expect(sim.chain.broadcasts()).toHaveLength(0);
    await sim.advanceSlots(3);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(witness.signingKey);
  });

  it('switches with witness_update and the active key when the signing key is not held, url and props unchanged', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const before = sim.chain.witness(witness.name);
    const trap = new FailoverTrap(scenario.trapOptions({ signer: wifKeyRing({ activeKey: witness.activeKey }) }));
    expect(await trap.arm()).toMatchObject({ operation: 'witness_update' });
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, trap.run(), 120);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    const after = sim.chain.witness(witness.name);
    expect(after?.signing_key).toBe(backupKeys[0]);
    expect(after?.url).toBe(before?.url);
    expect(after?.props).toEqual(before?.props);
    const switches = keySwitches(sim, witness.name);
    expect(switches.map((s) => s.operations[0]?.[0])).toEqual(['witness_update']);
    expect(switches[0]?.signerKeys).toEqual([witness.activePublicKey]);
  });

  it('does not let a notifier that hangs delay the switch', async () => {
    // no proxy: asserts the switch's exact block; a backend a block behind can show the miss one block later
    const scenario = await start({ proxy: false });
    const { sim, witness, backupKeys } = scenario;
    const hanging: Notifier = { name: 'hangs', notify: () => new Promise<void>(() => undefined) };
    const trap = new FailoverTrap(scenario.trapOptions({ notifiers: [hanging], notifyTimeoutMs: 100 }));
    const failedNotices: Array<TrapEvents['notify-failed']> = [];
    trap.on('notify-failed', (e) => failedNotices.push(e));
    await trap.arm();
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, trap.run(), 120);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    // The switch went into the very block after the one that showed the miss, notifier or not.
    const [miss] = missesOf(sim, witness.name);
    expect(keySwitches(sim, witness.name)[0]?.blockNum).toBe((miss?.chargedInBlock ?? 0) + 1);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    // The notifier is given up on after its timeout (real time: it bounds a network call), and that is reported.
    await trap.stop();
    expect(failedNotices.map((e) => [e.notifier, e.error.code])).toContainEqual(['hangs', 'TIMEOUT']);
  });

  it('keeps the switch it fires in the state store until it is confirmed, then records it', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const state = memoryStateStore();
    const trap = new FailoverTrap(scenario.trapOptions({ state }));
    let pendingAtBroadcast: unknown;
    trap.on('broadcast', () => {
      pendingAtBroadcast = state.saved?.pending;
    });
    await trap.arm();
    await sim.stopNode(witness.signingKey);
    await stepUntil(sim, trap.run(), 120);
    expect(pendingAtBroadcast).toMatchObject({ fromKey: witness.signingKey, toKey: backupKeys[0] });
    expect(state.saved?.pending).toBeUndefined();
    expect(state.saved?.history).toMatchObject([{ fromKey: witness.signingKey, toKey: backupKeys[0], byPeer: false }]);
  });

  it('tells the operator when a fired switch is abandoned because the witness produced again', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const told: string[] = [];
    const recording: Notifier = { name: 'recording', notify: async (n) => void told.push(n.kind) };
    // The switch outlives the witness's next slot (a round away at most): by its expiration the witness has produced.
    const trap = new FailoverTrap(scenario.trapOptions({ notifiers: [recording], confirmTimeoutMs: 90_000 }));
    const abandoned: Array<TrapEvents['abandoned']> = [];
    trap.on('abandoned', (e) => abandoned.push(e));
    // The switch never reaches the chain, and the witness's node is back as soon as it went out.
    trap.on('broadcast', () => void sim.startNode(witness.signingKey));
    await trap.arm();
    await sim.injectFault({ kind: 'drop-broadcasts' });
    await sim.stopNode(witness.signingKey);
    const run = trap.run();
    for (let i = 0; i < 80 && abandoned.length === 0; i++) await sim.advanceSlots(1);
    expect(abandoned).toEqual([
      expect.objectContaining({ witness: witness.name, fromKey: witness.signingKey, attempts: 1 }),
    ]);
    await sim.advanceSlots(1);
    expect(told).toEqual(['fired', 'abandoned']);
    expect(keySwitches(sim, witness.name)).toEqual([]);
    await trap.stop();
    await run;
  });

  it('re-signs an expired switch with fresh TaPoS up to maxAttempts, then fails loudly', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions({ maxAttempts: 2, confirmTimeoutMs: 9000 }));
    const failed: Array<TrapEvents['failed']> = [];
    const txIds = new Set<string>();
    trap.on('failed', (e) => failed.push(e));
    trap.on('broadcast', (e) => txIds.add(e.txId));
    await trap.arm();
    await sim.injectFault({ kind: 'drop-broadcasts' });
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, trap.run(), 120);
    expect(result.settled).toBe(true);
    expect((result as { error: unknown }).error).toBeInstanceOf(SwitchFailedError);
    expect(failed).toMatchObject([{ attempts: 2, fromKey: witness.signingKey }]);
    expect(txIds.size).toBe(2);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(witness.signingKey);
    expect(keySwitches(sim, witness.name)).toEqual([]);
  });

  it('confirms on chain when the node takes the broadcast but never answers', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions({ broadcastTimeoutMs: 1000 }));
    await trap.arm();
    await sim.injectFault({ kind: 'hang-broadcasts' });
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, trap.run(), 120);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
  });

  it('tells the notifiers after the broadcast and after the confirmation, once each', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const told: Array<{ kind: string; title: string; text: string }> = [];
    const recording: Notifier = {
      name: 'recording',
      notify: async (n) => {
        told.push({ kind: n.kind, title: n.title, text: n.text });
      },
    };
    const trap = new FailoverTrap(scenario.trapOptions({ notifiers: [recording] }));
    const notified: string[] = [];
    trap.on('notified', (e) => notified.push(`${e.notifier}:${e.kind}`));
    await trap.arm();
    await sim.stopNode(witness.signingKey);
    expect(await stepUntil(sim, trap.run(), 120)).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    await trap.stop();
    expect(told.map((t) => t.kind)).toEqual(['fired', 'confirmed']);
    expect(notified).toEqual(['recording:fired', 'recording:confirmed']);
    // No secret in any message: neither private key appears.
    const keys = [witness.privateKey, ...witness.backupKeys.map((k) => k.privateKey)];
    for (const t of told) for (const key of keys) expect(`${t.title} ${t.text}`).not.toContain(key);
  });

  it('goes on with the failover when the state file cannot be written, and says so loudly', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const broken = {
      load: async () => undefined,
      save: async () => {
        throw new StateError('STATE_WRITE_FAILED', 'disk full');
      },
    };
    const trap = new FailoverTrap(scenario.trapOptions({ state: broken }));
    const errors: Array<TrapEvents['error']> = [];
    trap.on('error', (e) => errors.push(e));
    await trap.arm();
    await sim.stopNode(witness.signingKey);
    expect(await stepUntil(sim, trap.run(), 120)).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(errors.filter((e) => e.during === 'state').map((e) => e.error.code)).toContain('STATE_WRITE_FAILED');
  });

  it('reports recovery and does not switch when the node comes back before the second miss', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions({ misses: 2 }));
    const missed: Array<TrapEvents['missed']> = [];
    const recovered: Array<TrapEvents['recovered']> = [];
    trap.on('missed', (e) => missed.push(e));
    trap.on('recovered', (e) => recovered.push(e));
    await trap.arm();
    const run = trap.run();
    await sim.stopNode(witness.signingKey);
    for (let i = 0; i < 80 && missed.length === 0; i++) await sim.advanceSlots(1);
    expect(missed).toHaveLength(1);
    await sim.startNode(witness.signingKey);
    expect(await stepUntil(sim, run, 63)).toEqual({ settled: false });
    await trap.stop();
    expect(recovered).toMatchObject([{ witness: witness.name, key: witness.signingKey }]);
    expect(keySwitches(sim, witness.name)).toEqual([]);
  });

  it('switches by hand through the same path (switchNow), to a chosen key', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions());
    const triggered: Array<TrapEvents['triggered']> = [];
    trap.on('triggered', (e) => triggered.push(e));
    const result = await stepUntil(sim, trap.switchNow({ to: backupKeys[1] }), 10);
    expect(result).toMatchObject({
      settled: true,
      value: { status: 'confirmed', toKey: backupKeys[1], byPeer: false },
    });
    expect(triggered).toMatchObject([{ reason: 'manual', fromKey: witness.signingKey, toKey: backupKeys[1] }]);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[1]);
    // The last key of the rotation: backup 0 is behind it, so no failover would go there on its own...
    expect(trap.status()).toMatchObject({ armed: true, currentKey: backupKeys[1] });
    expect(trap.status().nextKey).toBeUndefined();
    // ...but a manual switch goes anywhere, back to the primary included.
    const back = await stepUntil(sim, trap.switchNow({ to: witness.signingKey }), 10);
    expect(back).toMatchObject({ settled: true, value: { status: 'confirmed', toKey: witness.signingKey } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(witness.signingKey);
  });

  it('shows what it knows in status(): keys, next slot, misses, nodes', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions({ misses: 2 }));
    expect(trap.status()).toMatchObject({ armed: false, running: false, missesInWindow: 0 });
    await trap.arm();
    const run = trap.run();
    await sim.stopNode(witness.signingKey);
    const missed = new Promise((resolve) => trap.once('missed', resolve));
    await stepUntil(sim, missed, 80);
    const status = trap.status();
    expect(status).toMatchObject({
      armed: true,
      running: true,
      mode: 'one-shot',
      currentKey: witness.signingKey,
      nextKey: backupKeys[0],
      operation: 'witness_set_properties',
      missesInWindow: 1,
      threshold: 2,
    });
    expect(status.nodes).toHaveLength(1);
    expect(status.nextSlot?.aslot).toBeGreaterThan(0);
    await trap.stop();
    await run;
  });

  for (const skewMs of [30_000, -30_000]) {
    it(`fails over with one missed slot when the trap's host clock is ${skewMs / 1000} s off the chain's`, async () => {
      // no proxy: asserts the switch's exact block; a backend a block behind can show the miss one block later
      const scenario = await start({ proxy: false });
      const { sim, witness, backupKeys } = scenario;
      // Only the trap's clock is off here; the chain client's freshness check has its own story with skew.
      const skewed = {
        now: () => sim.clock.now() + skewMs,
        sleep: (ms: number, signal?: AbortSignal) => sim.clock.sleep(ms, signal),
      };
      const trap = new FailoverTrap(scenario.trapOptions({ clock: skewed }));
      await trap.arm();
      const run = trap.run();
      expect(await stepUntil(sim, run, 42)).toEqual({ settled: false });
      await sim.stopNode(witness.signingKey);
      expect(await stepUntil(sim, run, 63)).toMatchObject({ settled: true, value: { status: 'confirmed' } });
      expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
      await sim.advanceSlots(42);
      const misses = missesOf(sim, witness.name);
      expect(misses).toHaveLength(1);
      // On time despite the skew: the switch is in the block right after the one that showed the miss.
      expect(keySwitches(sim, witness.name)[0]?.blockNum).toBe((misses[0]?.chargedInBlock ?? 0) + 1);
    });
  }

  it('fails loudly, broadcasting nothing, when the signer cannot sign at the moment of firing', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const keys = wifKeyRing({ signingKeys: [witness.privateKey] });
    const broken = {
      publicKeys: () => keys.publicKeys(),
      sign: async (): Promise<never> => {
        throw new SignerError('SIGNER_FAILED', 'the hardware signer is unplugged');
      },
    };
    const trap = new FailoverTrap(scenario.trapOptions({ signer: broken }));
    const failed: Array<TrapEvents['failed']> = [];
    trap.on('failed', (e) => failed.push(e));
    await trap.arm();
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, trap.run(), 120);
    expect((result as { error?: unknown }).error).toBeInstanceOf(SwitchFailedError);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error.cause).toBeInstanceOf(SwitchFailedError);
    expect(sim.chain.broadcasts()).toEqual([]);
  });
});
