import { describe, expect, it } from 'vitest';
import type { TrapEvents } from '../../src/events.js';
import type { ControlResult } from '../../src/trap/control.js';
import { FailoverTrap } from '../../src/trap.js';
import { NULL_SIGNING_KEY } from '../../src/types.js';
import { keySwitches, missesOf, scenarios, stepUntil } from './sim-harness.js';

const start = scenarios();

/** Records every control event a trap emits, in order, as `[name, payload]`. */
function controlEvents(trap: FailoverTrap) {
  const seen: Array<[string, Record<string, unknown>]> = [];
  for (const name of ['command', 'command-refused', 'command-executed', 'paused', 'resumed'] as const) {
    trap.on(name, (payload) => seen.push([name, payload as Record<string, unknown>]));
  }
  return seen;
}

describe('control: pause and resume', () => {
  it('a paused trap sees a real miss but does not fire; resumed, the next miss fires', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions());
    const events = controlEvents(trap);
    const missed: Array<TrapEvents['missed']> = [];
    trap.on('missed', (e) => missed.push(e));
    await trap.arm();
    expect(trap.pause({ by: 'telegram:42' })).toBe(true);
    expect(trap.pause({ by: 'telegram:42' })).toBe(false);
    const run = trap.run();
    await sim.stopNode(witness.signingKey);
    // Two full rounds: every slot of the witness is missed, none fires.
    const paused = await stepUntil(sim, run, 60);
    expect(paused.settled).toBe(false);
    expect(missed.length).toBeGreaterThanOrEqual(2);
    expect(keySwitches(sim, witness.name)).toHaveLength(0);
    expect(trap.status()).toMatchObject({
      paused: { by: 'telegram:42' },
      keyRole: 'held',
      lastMiss: { aslot: missed.at(-1)?.aslot },
    });
    const status = trap.status();
    expect(status.freshNodes).toBe(status.nodes.filter((node) => node.fresh).length);

    const result = await trap.command({ command: 'resume', by: 'telegram:42' });
    expect(result).toEqual({ ok: true, command: 'resume' });
    expect(trap.status().paused).toBeUndefined();
    const fired = await stepUntil(sim, run, 60);
    expect(fired).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    // It fired on the first miss after the resume, not on one seen while paused.
    const firstAfterResume = missesOf(sim, witness.name).length;
    expect(firstAfterResume).toBe(missed.length);
    expect(events.map(([name]) => name)).toEqual(['paused', 'command', 'resumed', 'command-executed']);
    expect(events[0]?.[1]).toEqual({ at: expect.any(Number), by: 'telegram:42' });
  });
});

describe('control: manual switch', () => {
  it('a running daemon switches to the next backup by command, through the compare-and-swap, once', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions({ mode: 'daemon' }));
    const events = controlEvents(trap);
    const triggered: Array<TrapEvents['triggered']> = [];
    trap.on('triggered', (e) => triggered.push(e));
    await trap.arm();
    const run = trap.run();
    await sim.advanceSlots(3);
    let broadcastTx: string | undefined;
    const asked = trap.command(
      { command: 'switch', by: 'telegram:42' },
      {
        broadcast: (e) => {
          broadcastTx = e.txId;
        },
      },
    );
    const done = await stepUntil(sim, asked, 40);
    expect(done.settled).toBe(true);
    const result = (done as { value: ControlResult }).value;
    expect(result).toMatchObject({
      ok: true,
      command: 'switch',
      switch: { status: 'confirmed', fromKey: witness.signingKey, toKey: backupKeys[0], byPeer: false },
    });
    const switches = keySwitches(sim, witness.name);
    expect(switches).toHaveLength(1);
    expect(switches[0]?.operations[0]?.[0]).toBe('witness_set_properties');
    expect(switches[0]?.signerKeys).toEqual([witness.signingKey]);
    expect(broadcastTx).toBe(result.ok ? result.switch && 'txId' in result.switch && result.switch.txId : 'none');
    expect(triggered).toEqual([
      { witness: witness.name, reason: 'manual', fromKey: witness.signingKey, toKey: backupKeys[0] },
    ]);
    // The daemon re-armed on the new key: it watches it, and does not adopt its own switch as a peer's.
    await sim.advanceSlots(30);
    expect(trap.status()).toMatchObject({ currentKey: backupKeys[0], keyRole: 'backup', backupIndex: 1 });
    expect(trap.status().lastSwitch).toMatchObject({
      fromKey: witness.signingKey,
      toKey: backupKeys[0],
      byPeer: false,
    });
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    await trap.stop();
    expect(await run).toMatchObject({ status: 'stopped', switches: [{ status: 'confirmed', byPeer: false }] });
    expect(events.map(([name]) => name)).toEqual(['command', 'command-executed']);
    expect(events[1]?.[1]).toMatchObject({
      command: 'switch',
      by: 'telegram:42',
      toKey: backupKeys[0],
      txId: broadcastTx,
    });
  });

  it('refuses a key that is not a configured backup, a second pause, and a switch before arming; the chain is untouched', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const stranger = sim.witnesses[1]?.signingKey ?? '';
    const trap = new FailoverTrap(scenario.trapOptions({ backupKeys: [backupKeys[0] ?? ''] }));
    const events = controlEvents(trap);
    expect(await trap.command({ command: 'switch', by: 'api' })).toMatchObject({ ok: false, code: 'NOT_ARMED' });
    await trap.arm();
    const run = trap.run();
    const refused = await Promise.all([
      trap.command({ command: 'switch', to: stranger, by: 'telegram:42' }),
      trap.command({ command: 'switch', to: backupKeys[1] ?? '', by: 'telegram:42' }),
      trap.command({ command: 'resume', by: 'telegram:42' }),
    ]);
    expect(refused.map((r) => !r.ok && r.code)).toEqual(['NOT_A_BACKUP_KEY', 'NOT_A_BACKUP_KEY', 'NO_CHANGE']);
    await sim.advanceSlots(10);
    expect(keySwitches(sim, witness.name)).toHaveLength(0);
    expect(events.filter(([name]) => name === 'command-refused')).toHaveLength(4);
    await trap.stop();
    await run;
  });

  it('disables the witness (null key) by command; a one-shot run then ends, confirmed', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions());
    await trap.arm();
    const run = trap.run();
    const asked = trap.command({ command: 'disable', by: 'telegram:42' });
    const done = await stepUntil(sim, Promise.all([asked, run]), 40);
    expect(done.settled).toBe(true);
    const [result, outcome] = (done as { value: [ControlResult, Awaited<typeof run>] }).value;
    expect(result).toMatchObject({ ok: true, switch: { status: 'confirmed', toKey: NULL_SIGNING_KEY } });
    expect(outcome).toMatchObject({ status: 'confirmed', last: { toKey: NULL_SIGNING_KEY } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(NULL_SIGNING_KEY);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(await trap.command({ command: 'disable', by: 'api' })).toMatchObject({ ok: false, code: 'ALREADY_ON_KEY' });
  });

  it('with confirm, answers a one-time code; only that code from the same requester within 60 s switches, once', async () => {
    const scenario = await start();
    const { sim, witness, backupKeys } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions({ mode: 'daemon' }));
    const events = controlEvents(trap);
    const pending: Array<TrapEvents['command-pending']> = [];
    trap.on('command-pending', (e) => pending.push(e));
    await trap.arm();
    const run = trap.run();
    const by = 'telegram:42';
    const ask = () => trap.command({ command: 'switch', by, confirm: true });
    const codeOf = (result: ControlResult) => (result.ok ? (result.confirmation?.code ?? '') : '');
    const wrongFor = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    // A wrong code spends the code: the right one afterwards does nothing.
    const first = await ask();
    expect(first).toMatchObject({
      ok: true,
      confirmation: { toKey: backupKeys[0], code: expect.stringMatching(/^\d{6}$/) },
    });
    expect(await trap.command({ command: 'confirm', by, code: wrongFor(codeOf(first)) })).toMatchObject({
      code: 'WRONG_CODE',
    });
    expect(await trap.command({ command: 'confirm', by, code: codeOf(first) })).toMatchObject({ code: 'NO_CODE' });
    // Another requester cannot use someone else's code.
    const second = await ask();
    expect(await trap.command({ command: 'confirm', by: 'telegram:666', code: codeOf(second) })).toMatchObject({
      code: 'NO_CODE',
    });
    // Too late: the code expired after 60 s of the trap's clock.
    await sim.advanceSlots(21);
    expect(await trap.command({ command: 'confirm', by, code: codeOf(second) })).toMatchObject({
      code: 'CODE_EXPIRED',
    });
    expect(keySwitches(sim, witness.name)).toHaveLength(0);

    // The right code in time: one switch; used again: nothing.
    const third = await ask();
    const confirmed = await stepUntil(sim, trap.command({ command: 'confirm', by, code: codeOf(third) }), 40);
    expect(confirmed).toMatchObject({
      settled: true,
      value: { ok: true, switch: { status: 'confirmed', toKey: backupKeys[0] } },
    });
    expect(await trap.command({ command: 'confirm', by, code: codeOf(third) })).toMatchObject({ code: 'NO_CODE' });
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(pending).toHaveLength(3);
    // The code is a secret between the trap and the requester: no event carries it.
    expect(events.some(([, payload]) => Object.values(payload).includes(codeOf(third)))).toBe(false);
    await trap.stop();
    await run;
  });
});
