import { startSimnet } from '@witness-trap/simnet';
import { afterEach, describe, expect, it } from 'vitest';
import { Baseline2017Poller, runBaseline2017 } from './baseline-2017.js';

describe('the 2017 poller decision', () => {
  it('waits below the absolute threshold, fires once at it, and has exited after', () => {
    const poller = new Baseline2017Poller(89);
    expect([88, 88].map((n) => poller.observe(n))).toEqual(['wait', 'wait']);
    expect(poller.fired).toBe(false);
    expect(poller.observe(89)).toBe('fire');
    expect(poller.fired).toBe(true);
    expect([90, 95].map((n) => poller.observe(n))).toEqual(['done', 'done']);
  });

  it('fires at a poll that finds the count already past the threshold (several misses between polls)', () => {
    expect(new Baseline2017Poller(10).observe(13)).toBe('fire');
  });

  it('refuses a threshold that is not a whole number', () => {
    expect(() => new Baseline2017Poller(1.5)).toThrow(RangeError);
    expect(() => new Baseline2017Poller(-1)).toThrow(RangeError);
  });
});

describe('the 2017 script on the simulated chain', () => {
  const started: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  });

  async function chain() {
    const sim = await startSimnet({ clock: 'manual', blockIntervalMs: 3000, seed: 'baseline-test', backupKeys: 1 });
    started.push(sim);
    const witness = sim.witnesses[0];
    const backup = witness?.backupKeys[0]?.publicKey;
    if (witness === undefined || backup === undefined) throw new Error('no demo witness');
    /** The script on the demo witness, threshold at its count now + 1, polling every 10 blocks. */
    const script = (signal?: AbortSignal) =>
      runBaseline2017({
        node: sim.url,
        chainId: sim.chainId,
        witness: witness.name,
        activeKey: witness.activeKey,
        backupKey: backup,
        threshold: (sim.chain.witness(witness.name)?.total_missed ?? 0) + 1,
        pollEveryMs: 30_000,
        clock: sim.clock,
        ...(signal === undefined ? {} : { signal }),
      });
    return { sim, witness, backup, script };
  }

  it('polls every 10 blocks and never fires while the witness produces', async () => {
    const { sim, witness, script } = await chain();
    const controller = new AbortController();
    const run = script(controller.signal);
    await sim.advanceSlots(63);
    controller.abort();
    const outcome = await run;
    expect(outcome.status).toBe('stopped');
    expect(outcome.polls).toBe(7); // at 0, 10, ..., 60 blocks
    expect(sim.chain.broadcasts()).toEqual([]);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(witness.signingKey);
  });

  it('fires witness_update with the active key at the first poll after the miss, which lands on chain', async () => {
    const { sim, witness, backup, script } = await chain();
    const before = sim.chain.witness(witness.name);
    const run = script();
    await sim.stopNode(witness.signingKey);
    for (let slot = 0; slot < 80 && sim.chain.witness(witness.name)?.signing_key !== backup; slot++) {
      await sim.advanceSlots(1);
    }
    const outcome = await run;
    expect(outcome.status).toBe('fired');
    const [miss] = sim.chain.missedSlots().filter((m) => m.witness === witness.name);
    expect(miss).toBeDefined();
    // It fired at the first poll (a multiple of 30 s after it started) at or after the miss was charged.
    const chargedAt = sim.chain.block(miss?.chargedInBlock ?? 0)?.timestamp ?? 0;
    const startedAt = sim.chain.block(1)?.timestamp ?? 0;
    expect(outcome.firedAt).toBe(startedAt + Math.ceil((chargedAt - startedAt) / 30_000) * 30_000);
    const switches = sim.chain.transactions().filter((t) => t.operations[0]?.[0] === 'witness_update');
    expect(switches).toHaveLength(1);
    expect(switches[0]?.signerKeys).toEqual([witness.activePublicKey]);
    const after = sim.chain.witness(witness.name);
    expect(after?.signing_key).toBe(backup);
    expect(after?.url).toBe(before?.url);
    expect(after?.props).toEqual(before?.props);
  });
});
