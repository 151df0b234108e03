/**
 * The library-level harness: a simulated chain on a manual clock with several API endpoints (so that one can
 * misbehave while others stay healthy), the real dhive chain client pointed at them, and the demo witness's keys.
 * Every trap here runs on the simnet's clock, so a test steps the chain and the traps together, slot by slot.
 */

import { setTimeout as delay } from 'node:timers/promises';
import type { ChainClient, Clock } from '@witness-trap/core';
import {
  dhiveChainClient,
  FailoverTrap,
  type FailoverTrapOptions,
  memoryStateStore,
  type TrapEvents,
  wifKeyRing,
} from '@witness-trap/core';
import { type Simnet, type SimnetOptions, type SimnetWitness, type Stepped, startSimnet } from '@witness-trap/simnet';

/** Hive's block interval: the manual clock makes it free, so the chain runs at hived's own pace. */
export const INTERVAL_MS = 3000;

/** A simnet, the demo witness and ways to make trap instances watching it. */
export interface Scenario {
  sim: Simnet;
  witness: SimnetWitness;
  backupKeys: string[];
  /**
   * A chain client of its own over `nodes` (default: every endpoint), on the simnet's clock; `minNodes`: at least
   * that many available nodes must agree (the client's default: 1).
   */
  newChain(options?: { nodes?: string[]; timeoutMs?: number; clock?: Clock; minNodes?: number }): ChainClient;
  /** Options for a trap on the demo witness holding its signing and backup keys, with its own client and state. */
  trapOptions(extra?: Partial<FailoverTrapOptions>): FailoverTrapOptions;
  /** A trap made from {@link Scenario.trapOptions}, with every event it emits recorded. */
  trap(extra?: Partial<FailoverTrapOptions>): RecordedTrap;
  close(): Promise<void>;
}

/** A trap and the events it emitted, in order. */
export interface RecordedTrap {
  trap: FailoverTrap;
  events: RecordedEvent[];
  /** The payloads of one event kind. */
  of<K extends keyof TrapEvents>(name: K): Array<TrapEvents[K]>;
}

/** One emitted event. */
export interface RecordedEvent {
  name: keyof TrapEvents;
  payload: unknown;
}

const EVENT_NAMES: Array<keyof TrapEvents> = [
  'armed',
  'block',
  'next-slot',
  'missed',
  'triggered',
  'broadcast',
  'confirmed',
  'unconfirmed',
  'failed',
  'notified',
  'notify-failed',
  'recovered',
  'exhausted',
  'nodes',
  'error',
  'stopped',
];

/** Records every event of `trap`. */
export function recordEvents(trap: FailoverTrap): RecordedTrap {
  const events: RecordedEvent[] = [];
  for (const name of EVENT_NAMES) trap.on(name, (payload: unknown) => events.push({ name, payload }));
  return {
    trap,
    events,
    of: <K extends keyof TrapEvents>(name: K) =>
      events.filter((e) => e.name === name).map((e) => e.payload as TrapEvents[K]),
  };
}

/**
 * Starts a simnet on the manual clock with three API endpoints and two backup keys.
 * @example
 * const s = await startScenario();
 * const { trap } = s.trap();
 */
export async function startScenario(options: SimnetOptions = {}): Promise<Scenario> {
  const sim = await startSimnet({
    clock: 'manual',
    blockIntervalMs: INTERVAL_MS,
    backupKeys: 2,
    endpoints: 3,
    seed: 'reliability',
    ...options,
  });
  const witness = sim.witnesses[0];
  if (witness === undefined) throw new Error('the simnet has no demo witness');
  const clients: ChainClient[] = [];
  const traps: FailoverTrap[] = [];
  const backupKeys = witness.backupKeys.map((k) => k.publicKey);
  const newChain: Scenario['newChain'] = (o = {}) => {
    const client = dhiveChainClient({
      nodes: o.nodes ?? sim.urls,
      chainId: sim.chainId,
      clock: o.clock ?? sim.clock,
      blockIntervalMs: sim.blockIntervalMs,
      timeoutMs: o.timeoutMs ?? 1000,
      ...(o.minNodes === undefined ? {} : { minNodes: o.minNodes }),
    });
    clients.push(client);
    return client;
  };
  const trapOptions: Scenario['trapOptions'] = (extra = {}) => ({
    witness: witness.name,
    chain: extra.chain ?? newChain(),
    signer: wifKeyRing({ signingKeys: [witness.privateKey, ...witness.backupKeys.map((k) => k.privateKey)] }),
    backupKeys,
    clock: sim.clock,
    blockIntervalMs: sim.blockIntervalMs,
    state: memoryStateStore(),
    ...extra,
  });
  return {
    sim,
    witness,
    backupKeys,
    newChain,
    trapOptions,
    trap: (extra) => {
      const trap = new FailoverTrap(trapOptions(extra));
      traps.push(trap);
      return recordEvents(trap);
    },
    close: async () => {
      await Promise.all(traps.map((t) => t.stop().catch(() => undefined)));
      await Promise.all(clients.map((c) => c.close?.()));
      await sim.stop();
    },
  };
}

/** How a promise settled while the chain was stepped. */
export type { Stepped } from '@witness-trap/simnet';

/**
 * Steps the chain one block interval at a time until `done` settles or `maxSlots` pass. The traps sleep on the same
 * manual clock, so each step runs the chain and the traps together.
 */
export function stepUntil<T>(sim: Simnet, done: Promise<T>, maxSlots: number): Promise<Stepped<T>> {
  return sim.stepUntil(done, maxSlots);
}

/** Steps the chain one slot at a time, letting `realMs` of real time pass after each (for real-time bounds). */
export async function stepSlowly<T>(sim: Simnet, done: Promise<T>, maxSlots: number, realMs: number) {
  let settled = false;
  done.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let slot = 0; slot < maxSlots && !settled; slot++) {
    await sim.advanceSlots(1);
    await delay(realMs);
  }
  return settled;
}

/** The key switches (`witness_set_properties` / `witness_update`) applied on chain for `owner`. */
export function keySwitches(sim: Simnet, owner: string) {
  return sim.chain.keySwitches(owner);
}

/** Missed slots charged to `owner`. */
export function missesOf(sim: Simnet, owner: string) {
  return sim.chain.missedSlots(owner);
}
