/**
 * Scenario harness: a simulated chain on a manual clock, the real dhive chain client pointed at it, a WIF key ring
 * holding the demo witness's keys, and helpers to step the chain until a trap settles. The simnet is a dev
 * dependency of core (tests resolve it to its sources through the `source` export condition).
 */

import { type Simnet, type SimnetOptions, type Stepped, startSimnet } from '@witness-trap/simnet';
import { afterEach } from 'vitest';
import { dhiveChainClient } from '../../src/chain/dhive-client.js';
import { wifKeyRing } from '../../src/signer/wif-key-ring.js';
import type { FailoverTrapOptions } from '../../src/trap.js';
import type { ChainClient } from '../../src/types.js';

export const INTERVAL = 3000;

export interface Scenario {
  sim: Simnet;
  chain: ChainClient;
  witness: Simnet['witnesses'][number];
  backupKeys: string[];
  /** Options for a trap on the demo witness holding its signing and backup keys (not the active key). */
  trapOptions(extra?: Partial<FailoverTrapOptions>): FailoverTrapOptions;
  /** A chain client of its own (a second trap instance on another host). */
  newChain(): ChainClient;
  close(): Promise<void>;
}

export async function startScenario(options: SimnetOptions = {}): Promise<Scenario> {
  const sim = await startSimnet({
    clock: 'manual',
    blockIntervalMs: INTERVAL,
    backupKeys: 2,
    seed: 'trap-scenarios',
    ...options,
  });
  const clients: ChainClient[] = [];
  const newChain = (): ChainClient => {
    const client = dhiveChainClient({
      nodes: sim.urls,
      chainId: sim.chainId,
      clock: sim.clock,
      blockIntervalMs: sim.blockIntervalMs,
      timeoutMs: 2000,
    });
    clients.push(client);
    return client;
  };
  const witness = sim.witnesses[0];
  if (witness === undefined) throw new Error('the simnet has no demo witness');
  const chain = newChain();
  const backupKeys = witness.backupKeys.map((k) => k.publicKey);
  return {
    sim,
    chain,
    witness,
    backupKeys,
    newChain,
    trapOptions: (extra = {}) => ({
      witness: witness.name,
      chain,
      signer: wifKeyRing({ signingKeys: [witness.privateKey, ...witness.backupKeys.map((k) => k.privateKey)] }),
      backupKeys,
      clock: sim.clock,
      blockIntervalMs: sim.blockIntervalMs,
      ...extra,
    }),
    close: async () => {
      await Promise.all(clients.map((c) => c.close?.()));
      await sim.stop();
    },
  };
}

/** Registers cleanup for this test file and returns a starter: every scenario started is closed after its test. */
export function scenarios(): (options?: SimnetOptions) => Promise<Scenario> {
  let started: Scenario[] = [];
  afterEach(async () => {
    await Promise.all(started.map((s) => s.close()));
    started = [];
  });
  return async (options) => {
    const scenario = await startScenario(options);
    started.push(scenario);
    return scenario;
  };
}

/**
 * Steps the chain one block interval at a time until `done` settles or `maxSlots` pass, and says whether it
 * settled. The trap under test sleeps on the same manual clock, so each step runs the chain and the trap together.
 */
export function stepUntil<T>(sim: Simnet, done: Promise<T>, maxSlots: number): Promise<Stepped<T>> {
  return sim.stepUntil(done, maxSlots);
}

/** The witness_set_properties / witness_update transactions applied on chain for `owner`. */
export function keySwitches(sim: Simnet, owner: string) {
  return sim.chain.keySwitches(owner);
}

/** Missed slots charged to `owner`. */
export function missesOf(sim: Simnet, owner: string) {
  return sim.chain.missedSlots(owner);
}
