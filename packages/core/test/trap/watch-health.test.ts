import { describe, expect, it } from 'vitest';
import type { TrapEvents } from '../../src/events.js';
import { FailoverTrap } from '../../src/trap.js';
import { scenarios } from './sim-harness.js';

const start = scenarios();

describe('FailoverTrap#health on the simnet', () => {
  it('stays healthy on a live chain however rarely it reads between slots, with one `slot` event per check', async () => {
    const { sim, trapOptions, witness } = await start();
    const trap = new FailoverTrap(trapOptions({ mode: 'daemon' }));
    const slots: Array<TrapEvents['slot']> = [];
    const stalled: Array<TrapEvents['stalled']> = [];
    trap.on('slot', (e) => slots.push(e));
    trap.on('stalled', (e) => stalled.push(e));
    // Before arming no node has answered yet: none counts as available.
    expect(trap.health()).toEqual({
      healthy: true,
      problems: [],
      availableNodes: 0,
      configuredNodes: 1,
      degraded: true,
    });
    await trap.arm();
    const run = trap.run();
    const unhealthy: string[] = [];
    for (let i = 0; i < 84; i++) {
      await sim.advanceSlots(1);
      const h = trap.health();
      if (!h.healthy) unhealthy.push(h.problems.join('; '));
    }
    expect(unhealthy).toEqual([]);
    expect(stalled).toEqual([]);
    const produced = sim.chain.blocks().filter((b) => b.witness === witness.name).length;
    expect(slots.length).toBeGreaterThanOrEqual(3);
    expect(slots.every((s) => s.produced && s.witness === witness.name)).toBe(true);
    expect(new Set(slots.map((s) => s.aslot)).size).toBe(slots.length);
    expect(slots.length).toBeLessThanOrEqual(produced);
    expect(trap.health()).toMatchObject({ healthy: true, lastCheck: { produced: true } });
    await trap.stop();
    await run;
  });

  it('is unhealthy and tells `stalled` while every node is unreadable, and recovers', async () => {
    const { sim, trapOptions } = await start();
    const trap = new FailoverTrap(trapOptions({ mode: 'daemon' }));
    const stalled: Array<TrapEvents['stalled']> = [];
    const unstalled: Array<TrapEvents['unstalled']> = [];
    trap.on('stalled', (e) => stalled.push(e));
    trap.on('unstalled', (e) => unstalled.push(e));
    await trap.arm();
    const run = trap.run();
    await sim.advanceSlots(2);
    const outage = await sim.injectFault({ kind: 'error-rate', rate: 1, response: 'http-503' });
    await sim.advanceSlots(30);
    expect(trap.health().healthy).toBe(false);
    expect(stalled).toHaveLength(1);
    expect(stalled[0]?.reason).toBe('reads-failing');
    await outage.remove();
    await sim.advanceSlots(45);
    expect(trap.health().healthy).toBe(true);
    expect(unstalled).toHaveLength(1);
    await trap.stop();
    await run;
  });
});
