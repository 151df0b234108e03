/**
 * A daemon's reads leave nothing on the long-lived signals they follow. Node 20's `AbortSignal.any` keeps a WeakRef
 * to every signal it composes in each source for good (Node 22 and 24 clear it on collection): composed with the
 * run's stop signal at nearly every read, it grew a daemon's heap for as long as it ran (measured on Node 20.20:
 * 5,044 WeakRefs after 800 rounds). The trap links signals itself and unlinks them when each read settles.
 *
 * No global is spied on (the suite runs without per-file isolation): Node marks what `AbortSignal.any` made, and
 * the sources it registered with, with its own symbols (`kComposite`, `kDependantSignals`), read here.
 */
import { getEventListeners } from 'node:events';
import { expect, it, vi } from 'vitest';
import { FailoverTrap } from '../../src/trap.js';
import type { ChainClient } from '../../src/types.js';
import { keySwitches, scenarios } from './sim-harness.js';

const start = scenarios();

/** Node's own mark, on a signal, under the symbol of that description. */
function nodeMark(signal: AbortSignal, name: string): unknown {
  const symbol = Object.getOwnPropertySymbols(signal).find((s) => s.description === name);
  return symbol === undefined ? undefined : (signal as unknown as Record<symbol, unknown>)[symbol];
}

/** How many signals `AbortSignal.any` composed from this one (Node's set of dependants). */
function dependants(signal: AbortSignal): number {
  const set = nodeMark(signal, 'kDependantSignals') as Set<unknown> | undefined;
  return set?.size ?? 0;
}

it('decisive reads on a caller signal leave no listener on it and compose nothing from it', async () => {
  const scenario = await start({ endpoints: 3 });
  const caller = new AbortController();
  for (let i = 0; i < 50; i++) {
    await scenario.chain.getHead({ decisive: true, signal: caller.signal });
    await scenario.chain.getWitness(scenario.witness.name, { decisive: true, signal: caller.signal });
  }
  expect(dependants(caller.signal)).toBe(0);
  // A node's call the decision did not wait for may still be out: it unlinks when it settles.
  expect(getEventListeners(caller.signal, 'abort').length).toBeLessThanOrEqual(3);
  await vi.waitFor(() => expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0), { timeout: 2000 });
});

it('a daemon watching five rounds and failing over hands its chain client no AbortSignal.any composite', async () => {
  const scenario = await start({ endpoints: 3 });
  const { sim, witness, backupKeys } = scenario;
  const seen: AbortSignal[] = [];
  const chain = new Proxy(scenario.chain, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        for (const arg of args) {
          const signal = (arg as { signal?: unknown } | undefined)?.signal;
          if (signal instanceof AbortSignal) seen.push(signal);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as ChainClient;
  const trap = new FailoverTrap(scenario.trapOptions({ mode: 'daemon', chain }));
  await trap.arm();
  const run = trap.run();
  await sim.advanceSlots(5 * 21);
  await sim.stopNode(witness.signingKey);
  await sim.advanceSlots(2 * 21);
  expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
  expect(keySwitches(sim, witness.name)).toHaveLength(1);
  await trap.stop();
  expect(await run).toMatchObject({ status: 'stopped' });
  expect(seen.length).toBeGreaterThan(20);
  expect(seen.filter((signal) => nodeMark(signal, 'kComposite') === true)).toHaveLength(0);
});
