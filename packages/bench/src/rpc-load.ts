/**
 * Steady-state RPC load: calls per 21-block round, by method, while the witness produces every slot. Each watcher
 * talks to the simulated chain through its own counting proxy per node at Hive's 3 s pace: on the manual clock the
 * count is per round of chain time whatever the machine's speed; on the real clock it carries what a manual clock
 * cannot show (timers firing late, retries after slow answers, keep-alive reconnections).
 */
import { wifKeyRing } from '@witness-trap/core';
import { type Simnet, startSimnet, TIDY_CHAIN } from '@witness-trap/simnet';
import { type CountingProxy, startCountingProxy } from './rpc-counter.js';
import { demoWitness, startBaseline, startTrap, type Watcher } from './watchers.js';

/** Calls per round, on average over the measured rounds. */
export interface RpcLoad {
  watcher: string;
  nodes: number;
  clock: 'manual' | 'real';
  rounds: number;
  /** Calls per round, by method, summed over nodes. */
  perRoundByMethod: Record<string, number>;
  /** All calls per round, summed over nodes. */
  perRound: number;
  /** The busiest node's calls per round. */
  perRoundPerNode: number;
}

/** Options of {@link measureRpcLoad}. */
export interface RpcLoadOptions {
  watcher: 'witness-trap' | 'baseline-2017';
  /** RPC nodes (simnet endpoints) the watcher is given. @default 1 */
  nodes?: number;
  /** Rounds counted, after the settling slots. @default 20 */
  rounds?: number;
  /** Slots run before counting starts. @default 21 (one round) */
  settleSlots?: number;
  /** @default 'manual' */
  clock?: 'manual' | 'real';
  seed?: string;
}

const ROUND = 21;

/** Runs a watcher on a healthy chain and counts its calls per round. */
export async function measureRpcLoad(options: RpcLoadOptions): Promise<RpcLoad> {
  const nodes = options.nodes ?? 1;
  const rounds = options.rounds ?? 20;
  const clock = options.clock ?? 'manual';
  const sim = await startSimnet({
    ...TIDY_CHAIN,
    clock,
    blockIntervalMs: 3000,
    seed: options.seed ?? 'rpc-load',
    endpoints: nodes,
    backupKeys: 1,
    healthEndpoints: false,
    settle: { timeoutMs: 10_000, quietMs: 250 },
  });
  const proxies = await Promise.all(sim.urls.map((url) => startCountingProxy(url)));
  try {
    const watcher = startWatcher(options.watcher, sim, proxies);
    await sim.advanceSlots(options.settleSlots ?? ROUND);
    // Counted between two blocks of the witness `rounds` rounds apart: each round holds exactly one of its slots,
    // so the window holds exactly `rounds` slot checks whatever the shuffles (a fixed span of 21 * rounds blocks
    // holds one more or one less where the witness's place in the round moves).
    const name = demoWitness(sim).name;
    const marks: Array<Array<Map<string, number>>> = [];
    const off = sim.onBlock((block) => {
      if (block.witness === name && marks.length <= rounds) marks.push(proxies.map((p) => p.counts()));
    });
    for (let slot = 0; marks.length <= rounds && slot < (rounds + 2) * ROUND; slot++) await sim.advanceSlots(1);
    off();
    const [first, last] = [marks[0], marks[rounds]];
    if (first === undefined || last === undefined) throw new Error(`the witness produced ${marks.length} blocks`);
    const perProxy = last.map((counts, i) => {
      const before = first[i] ?? new Map<string, number>();
      return new Map([...counts].map(([method, n]) => [method, n - (before.get(method) ?? 0)]));
    });
    const byMethod = new Map<string, number>();
    for (const counts of perProxy) {
      for (const [method, n] of counts) if (n > 0) byMethod.set(method, (byMethod.get(method) ?? 0) + n);
    }
    const busiest = Math.max(...perProxy.map((counts) => [...counts.values()].reduce((a, b) => a + b, 0)));
    await watcher.stop();
    const total = [...byMethod.values()].reduce((a, b) => a + b, 0);
    return {
      watcher: options.watcher,
      nodes,
      clock,
      rounds,
      perRoundByMethod: Object.fromEntries([...byMethod].map(([m, n]) => [m, n / rounds])),
      perRound: total / rounds,
      perRoundPerNode: busiest / rounds,
    };
  } finally {
    await Promise.all(proxies.map((p) => p.stop()));
    await sim.stop();
  }
}

/** Starts `watcher` on the demo witness, talking to the chain through `proxies` (one per node). */
export function startWatcher(watcher: RpcLoadOptions['watcher'], sim: Simnet, proxies: CountingProxy[]): Watcher {
  const witness = demoWitness(sim);
  const backupKey = witness.backupKeys[0]?.publicKey ?? '';
  if (watcher === 'baseline-2017') return startBaseline(sim, { node: proxies[0]?.url ?? sim.url, backupKey });
  return startTrap(sim, {
    nodes: proxies.map((p) => p.url),
    signer: wifKeyRing({ signingKeys: [witness.privateKey] }),
    backupKeys: [backupKey],
  });
}
