/**
 * The vote between RPC nodes, on what decides a switch. A lying node here answers well-formed witness objects that
 * say the witness missed (`total_missed` up, `last_aslot` far behind, for the key on chain): nothing a format check
 * can catch, only the vote. The rule (docs/rpc-nodes.md, issue 19): a decisive read needs a strict majority of the
 * AVAILABLE nodes, at least `minNodes` (default 1); an available node that contradicts the value makes it wait. So
 * while both of two nodes answer, a one-node lie is contradicted and decides nothing; while the honest one times out,
 * the liar is the one available node: by default it decides alone (degraded: the miss must hold on two reads a block
 * apart, which a steady lie does), a needless switch to the operator's own backup, the price the issue chose over a
 * blind watcher; with `minNodes: 2` (today's strict rule) the trap waits instead.
 */
import type { TrapEvents } from '@witness-trap/core';
import { afterEach, describe, expect, it } from 'vitest';
import { recordFinding } from '../src/findings.js';
import { type MutatingProxy, startMutatingProxy } from '../src/mutating-proxy.js';
import { keySwitches, missesOf, type Scenario, startScenario, stepUntil } from '../src/scenario.js';

let scenario: Scenario | undefined;
let proxies: MutatingProxy[] = [];
afterEach(async () => {
  await scenario?.close();
  await Promise.all(proxies.map((p) => p.close()));
  scenario = undefined;
  proxies = [];
});

/**
 * A node in front of `target` that, once told to, says `witness` is missing its slots: it never shows a head that
 * the witness produced (it answers the head before it instead, as a node one block behind would), and its witness
 * object has `last_aslot` long past and `total_missed` up by 7. Every answer is well formed.
 */
async function liarBefore(target: string, witness: string): Promise<MutatingProxy & { lie(on: boolean): void }> {
  const proxy = await startMutatingProxy(target);
  proxies.push(proxy);
  let before: unknown;
  const lie = (method: string, result: unknown): unknown => {
    if (result === null || typeof result !== 'object') return result;
    const r = result as Record<string, unknown>;
    if (method === 'condenser_api.get_dynamic_global_properties') {
      if (r.current_witness === witness && before !== undefined) return before;
      before = r;
      return r;
    }
    if (method !== 'condenser_api.get_witness_by_account') return result;
    return { ...r, total_missed: Number(r.total_missed) + 7, last_aslot: 1, last_confirmed_block_num: 1 };
  };
  return Object.assign(proxy, {
    lie(on: boolean) {
      proxy.mutation = on ? { kind: 'lie', rewrite: lie } : { kind: 'none' };
    },
  });
}

/**
 * The chain clients' request timeout here (the harness's default is 1 s): every call to a timing-out node costs this
 * much real time, and these scenarios make hundreds of them. Still 100 times what a loopback answer takes.
 */
const TIMEOUT_MS = 400;
/** The honest endpoint answers slower than the client's timeout: every call to it times out. */
const TIMING_OUT = { kind: 'latency', ms: 2 * TIMEOUT_MS } as const;

function quorumWaits(errors: Array<TrapEvents['error']>): number {
  return errors.filter((e) => /quorum|disagree/.test(e.error.message)).length;
}

describe('a node lying about what decides a switch', () => {
  it('with 2 nodes and minNodes 2, never causes a switch, even while the honest node times out; a real miss still fails over', async () => {
    scenario = await startScenario();
    const { sim, witness, backupKeys } = scenario;
    const liar = await liarBefore(sim.urls[1] ?? '', witness.name);
    const { trap, of } = scenario.trap({
      chain: scenario.newChain({ nodes: [sim.urls[0] ?? '', liar.url], timeoutMs: TIMEOUT_MS, minNodes: 2 }),
    });
    await trap.arm();
    const run = trap.run();
    liar.lie(true);
    await sim.injectFault(TIMING_OUT, { endpoint: 0 });
    expect(await stepUntil(sim, run, 42)).toEqual({ settled: false });
    const whileTimingOut = { switches: keySwitches(sim, witness.name).length, triggers: of('triggered').length };
    expect(whileTimingOut).toEqual({ switches: 0, triggers: 0 });
    expect(quorumWaits(of('error'))).toBeGreaterThan(0);

    // The honest node answers again, the liar still lies: they disagree, nothing is decided.
    await sim.clearFaults(0);
    expect(await stepUntil(sim, run, 42)).toEqual({ settled: false });
    expect(keySwitches(sim, witness.name)).toHaveLength(0);
    expect(of('missed')).toHaveLength(0);

    // The lie stops; a real death is seen by both and fails over once.
    liar.lie(false);
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, run, 84);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    recordFinding({
      area: 'quorum: a lying node',
      injected:
        '2 nodes configured, minNodes 2; 1 answers witness objects saying the witness misses (its blocks hidden, total_missed +7, last_aslot 1) ' +
        'for 84 slots, the honest one timing out for the first 42; then the primary killed with the lie stopped',
      happened:
        `${whileTimingOut.switches} switches and ${whileTimingOut.triggers} triggers while the honest node timed ` +
        `out (${quorumWaits(of('error'))} "waiting for a quorum"/disagreement error events), 0 while both answered; ` +
        `then ${keySwitches(sim, witness.name).length} switch on the real death, ` +
        `${missesOf(sim, witness.name).length} missed slot(s)`,
      figures: { falseSwitches: whileTimingOut.switches },
    });
  });

  it('with 2 nodes at the default (minNodes 1): contradicted while both answer; alone while the honest one times out, it decides, degraded', async () => {
    scenario = await startScenario();
    const { sim, witness, backupKeys } = scenario;
    const liar = await liarBefore(sim.urls[1] ?? '', witness.name);
    const { trap, of } = scenario.trap({
      chain: scenario.newChain({ nodes: [sim.urls[0] ?? '', liar.url], timeoutMs: TIMEOUT_MS }),
    });
    await trap.arm();
    const run = trap.run();
    liar.lie(true);
    // Both answer: the honest node contradicts the lie, nothing is decided.
    expect(await stepUntil(sim, run, 42)).toEqual({ settled: false });
    expect(keySwitches(sim, witness.name)).toHaveLength(0);
    expect(of('triggered')).toHaveLength(0);

    // The honest node times out: the liar is the one available node, the trap runs degraded and believes it.
    await sim.injectFault(TIMING_OUT, { endpoint: 0 });
    const result = await stepUntil(sim, run, 63);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(of('nodes').some((e) => e.degraded && e.available === 1 && e.configured === 2)).toBe(true);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(missesOf(sim, witness.name)).toHaveLength(0);
    recordFinding({
      area: 'quorum: a lying node',
      injected:
        '2 nodes configured, default minNodes 1; 1 says the witness misses (its blocks hidden, total_missed +7, last_aslot 1); ' +
        '42 slots with both answering, then the honest one timing out; primary up throughout',
      happened:
        `0 switches while both answered; once the honest node timed out, degraded (1 of 2 available), ` +
        `${keySwitches(sim, witness.name).length} needless switch to the operator's own backup, ` +
        `${missesOf(sim, witness.name).length} real missed slots: the documented price of the default (minNodes 2 waits instead)`,
      figures: { falseSwitches: keySwitches(sim, witness.name).length },
    });
  });

  it('with 3 nodes, is outvoted by the two honest ones, and waits while one of those times out', async () => {
    scenario = await startScenario();
    const { sim, witness, backupKeys } = scenario;
    const liar = await liarBefore(sim.urls[1] ?? '', witness.name);
    const nodes = [sim.urls[0] ?? '', liar.url, sim.urls[2] ?? ''];
    const { trap, of } = scenario.trap({ chain: scenario.newChain({ nodes, timeoutMs: TIMEOUT_MS }) });
    await trap.arm();
    const run = trap.run();
    liar.lie(true);
    await sim.injectFault(TIMING_OUT, { endpoint: 0 });
    expect(await stepUntil(sim, run, 42)).toEqual({ settled: false });
    expect(keySwitches(sim, witness.name)).toHaveLength(0);
    expect(of('triggered')).toHaveLength(0);
    const waits = quorumWaits(of('error'));
    expect(waits).toBeGreaterThan(0);

    // Both honest nodes answer: the lie is outvoted, and a real death fails over with one missed slot.
    await sim.clearFaults(0);
    expect(await stepUntil(sim, run, 21)).toEqual({ settled: false });
    expect(keySwitches(sim, witness.name)).toHaveLength(0);
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, run, 63);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(missesOf(sim, witness.name)).toHaveLength(1);
    recordFinding({
      area: 'quorum: a lying node',
      injected:
        '3 nodes configured; 1 says the witness misses (its blocks hidden, total_missed +7, last_aslot 1) throughout, 1 honest one ' +
        'times out for 42 slots; then the primary killed with the liar still lying',
      happened:
        `0 switches while only 1 honest node answered (${waits} waiting/disagreement error events); the lie ` +
        `outvoted once both answered; ${keySwitches(sim, witness.name).length} switch on the real death, ` +
        `${missesOf(sim, witness.name).length} missed slot(s)`,
      figures: { falseSwitches: 0, missedSlots: missesOf(sim, witness.name).length },
    });
  });

  it('with 1 node configured, is believed: the operator chose no cross-check (docs/rpc-nodes.md says so)', async () => {
    scenario = await startScenario();
    const { sim, witness } = scenario;
    const liar = await liarBefore(sim.urls[1] ?? '', witness.name);
    const { trap, of } = scenario.trap({ chain: scenario.newChain({ nodes: [liar.url], timeoutMs: TIMEOUT_MS }) });
    await trap.arm();
    const run = trap.run();
    liar.lie(true);
    const result = await stepUntil(sim, run, 63);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(missesOf(sim, witness.name)).toHaveLength(0);
    recordFinding({
      area: 'quorum: a lying node',
      injected:
        '1 node configured, saying the witness misses (its blocks hidden, total_missed +7, last_aslot 1); primary up',
      happened:
        `${keySwitches(sim, witness.name).length} needless switch (to the operator's own backup), ` +
        `${missesOf(sim, witness.name).length} real missed slots, ${of('triggered').length} trigger: ` +
        'one configured node is believed, as documented',
      figures: { falseSwitches: keySwitches(sim, witness.name).length },
    });
  });

  // The simnet's liar: its head 2 blocks ahead (number, aslot, time and id moved together), the witness's last
  // block long ago and 7 more misses. Nothing a format check can catch.
  const SIMNET_LIE = { kind: 'lying-witness', totalMissedDelta: 7, lastAslotDelta: -1000, headShiftBlocks: 2 } as const;

  it("the simnet's own lying-witness fault, 2 nodes, minNodes 2: never decides while the honest one times out", async () => {
    scenario = await startScenario();
    const { sim, witness } = scenario;
    const { trap, of } = scenario.trap({
      chain: scenario.newChain({ nodes: [sim.urls[0] ?? '', sim.urls[1] ?? ''], timeoutMs: TIMEOUT_MS, minNodes: 2 }),
    });
    await trap.arm();
    const run = trap.run();
    await sim.injectFault({ ...SIMNET_LIE, witness: witness.name }, { endpoint: 1 });
    await sim.injectFault(TIMING_OUT, { endpoint: 0 });
    expect(await stepUntil(sim, run, 42)).toEqual({ settled: false });
    expect(keySwitches(sim, witness.name)).toHaveLength(0);
    expect(of('triggered')).toHaveLength(0);
    recordFinding({
      area: 'quorum: a lying node',
      injected: `the simnet's ${JSON.stringify(SIMNET_LIE)} on 1 of 2 configured endpoints (minNodes 2), the other timing out, 42 slots`,
      happened: `${keySwitches(sim, witness.name).length} switches, ${of('triggered').length} triggers (${quorumWaits(of('error'))} waiting/disagreement error events)`,
      figures: { falseSwitches: keySwitches(sim, witness.name).length },
    });
  });

  it("the simnet's own lying-witness fault, 1 node: believed, the trap fires (so the lie above is one that decides)", async () => {
    scenario = await startScenario();
    const { sim, witness } = scenario;
    const { trap, of } = scenario.trap({
      chain: scenario.newChain({ nodes: [sim.urls[1] ?? ''], timeoutMs: TIMEOUT_MS }),
    });
    await trap.arm();
    const run = trap.run();
    await sim.injectFault({ ...SIMNET_LIE, witness: witness.name }, { endpoint: 1 });
    const ended = await stepUntil(sim, run, 63);
    // The trap decides on the lie and fires; whether the switch lands depends on the liar's head too (its TaPoS names
    // a block the real chain may not have): the decision is what the quorum is about.
    expect(of('triggered').length).toBeGreaterThan(0);
    expect(missesOf(sim, witness.name)).toHaveLength(0);
    const outcome = 'value' in ended ? (ended.value as { status: string }).status : 'still running';
    recordFinding({
      area: 'quorum: a lying node',
      injected: `the simnet's ${JSON.stringify(SIMNET_LIE)} on the only configured endpoint; primary up`,
      happened: `${of('triggered').length} trigger(s) on the lie (run: ${outcome}), ${keySwitches(sim, witness.name).length} switch(es) landed, ${missesOf(sim, witness.name).length} real missed slots`,
      figures: { falseSwitches: keySwitches(sim, witness.name).length },
    });
  });
});
