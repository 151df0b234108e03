import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TIDY_CHAIN } from '@witness-trap/simnet';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrapEvents } from '../../src/events.js';
import { FailoverTrap } from '../../src/trap.js';
import { INTERVAL, keySwitches, missesOf, type Scenario, scenarios, stepUntil } from './sim-harness.js';

const start = scenarios();
// A probe that hangs holds the trap for its real-time timeout: the manual clock waits for it rather than move on.
const PATIENT = { settle: { timeoutMs: 10_000, quietMs: 1000 } };

/** A health URL of our own: it answers 200, or 503 while `dark`, or accepts and never answers while `blackhole`. */
async function healthServer() {
  const state = { dark: false, blackhole: false, requests: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    state.requests += 1;
    if (state.blackhole) return; // the host froze: the connection stays open, nothing comes back
    res.writeHead(state.dark ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  servers.push({ server, sockets });
  return { state, url };
}
let servers: Array<{ server: Server; sockets: Set<Socket> }> = [];
afterEach(async () => {
  for (const { server, sockets } of servers) {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
  servers = [];
});

/** Advances the chain to `leadMs` before the witness's next slot at least that far ahead; returns the slot's time. */
async function advanceToLead(s: Scenario, leadMs: number): Promise<number> {
  for (;;) {
    const slot = s.sim.chain.nextSlot(s.witness.name);
    if (slot === undefined) throw new Error('the witness is not scheduled');
    if (slot.time - leadMs >= s.sim.clock.now()) {
      await s.sim.clock.advance(slot.time - leadMs - s.sim.clock.now());
      return slot.time;
    }
    await s.sim.clock.advance(slot.time - s.sim.clock.now() + INTERVAL);
  }
}

/** A pre-emptive trap on the demo witness with `url` as its node's health URL, running, 2 blocks before a slot. */
async function armedBeforeSlot(s: Scenario, url: string) {
  const trap = new FailoverTrap(s.trapOptions({ health: { [s.witness.signingKey]: url }, preemptive: {} }));
  const triggered: Array<TrapEvents['triggered']> = [];
  trap.on('triggered', (e) => triggered.push(e));
  await trap.arm();
  const run = trap.run();
  await s.sim.advanceSlots(2);
  const slotTime = await advanceToLead(s, 2 * INTERVAL);
  return { trap, run, triggered, slotTime };
}

describe('pre-emptive mode: a sliding window of health probes a poll apart', () => {
  it('switches before the slot when the node dies 2 blocks before it: no missed slot', async () => {
    // a tidy chain: a refused (not blackholed: real-time probe timeout) health URL, and the switch must land before
    // the slot, which the relay delay and a lagging backend can push past
    const scenario = await start(TIDY_CHAIN);
    const { sim, witness } = scenario;
    const [b1] = scenario.backupKeys as [string];
    const { run, triggered, slotTime } = await armedBeforeSlot(scenario, sim.nodeHealthUrl(witness.signingKey));
    await sim.stopNode(witness.signingKey);
    expect(await stepUntil(sim, run, 30)).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(triggered.map((t) => t.reason)).toEqual(['preemptive']);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(sim.clock.now()).toBeLessThan(slotTime);
    await sim.advanceSlots(42);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(b1);
    expect(missesOf(sim, witness.name)).toEqual([]);
  });

  it('does not fire on a health URL that flaps (two dark probes in a row), and the slot is produced', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const health = await healthServer();
    const { trap, run } = await armedBeforeSlot(scenario, health.url);
    // Dark for two polls (0.2 block), then back: two dark probes, one short of darkChecks (3).
    const before = health.state.requests;
    health.state.dark = true;
    await sim.clock.advance(INTERVAL / 10);
    await sim.clock.advance(INTERVAL / 10);
    health.state.dark = false;
    expect(health.state.requests - before).toBe(2);
    expect(await stepUntil(sim, run, 42)).toEqual({ settled: false });
    await trap.stop();
    expect(keySwitches(sim, witness.name)).toEqual([]);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(witness.signingKey);
    expect(missesOf(sim, witness.name)).toEqual([]);
  });

  it('takes a health URL that accepts and never answers (a frozen host) as dark within the window', async () => {
    // a tidy chain: asserts the switch lands before the slot, which the relay delay and a lagging backend can push past
    const scenario = await start({ ...PATIENT, ...TIDY_CHAIN });
    const { sim, witness } = scenario;
    const [b1] = scenario.backupKeys as [string];
    const health = await healthServer();
    const { run, triggered, slotTime } = await armedBeforeSlot(scenario, health.url);
    health.state.blackhole = true;
    await sim.stopNode(witness.signingKey);
    expect(await stepUntil(sim, run, 30)).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(triggered.map((t) => t.reason)).toEqual(['preemptive']);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
    expect(sim.clock.now()).toBeLessThan(slotTime);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(b1);
    await sim.advanceSlots(21);
    expect(missesOf(sim, witness.name)).toEqual([]);
  });
});
