/**
 * The two watchers the bench compares, started on a simulated chain: witness-trap (`FailoverTrap` with the dhive
 * chain client) and the 2017 baseline. Both give back a handle that stops them and says when they decided to
 * switch (clock time) and whether they failed.
 */
import { dhiveChainClient, FailoverTrap, type FailoverTrapOptions, type PublicKeyString } from '@witness-trap/core';
import type { Simnet } from '@witness-trap/simnet';
import { runBaseline2017 } from './baseline-2017.js';

/** A running watcher. */
export interface Watcher {
  /** Stops it; resolves with when it decided to switch and its error, if it failed. */
  stop(): Promise<{ decidedAt?: number; error?: string; projectedSlots?: number[] }>;
}

/** The simulated chain's demo witness (the one watched). */
export function demoWitness(sim: Simnet): Simnet['witnesses'][number] {
  const witness = sim.witnesses[0];
  if (witness === undefined) throw new Error('the simnet has no demo witness');
  return witness;
}

/** Options of {@link startTrap}. */
export interface TrapWatcherOptions {
  /** RPC node URLs. @default the simnet's endpoints */
  nodes?: string[];
  signer: FailoverTrapOptions['signer'];
  backupKeys: PublicKeyString[];
  /** Anything else for the trap (health URLs, pre-emptive mode). */
  extra?: Partial<FailoverTrapOptions>;
}

/** Arms and runs a `FailoverTrap` on the demo witness, at its defaults except for what `extra` sets. */
export function startTrap(sim: Simnet, options: TrapWatcherOptions): Watcher {
  const chain = dhiveChainClient({
    nodes: options.nodes ?? sim.urls,
    chainId: sim.chainId,
    clock: sim.clock,
    blockIntervalMs: sim.blockIntervalMs,
  });
  const trap = new FailoverTrap({
    witness: demoWitness(sim).name,
    chain,
    signer: options.signer,
    backupKeys: options.backupKeys,
    clock: sim.clock,
    blockIntervalMs: sim.blockIntervalMs,
    ...options.extra,
  });
  let decidedAt: number | undefined;
  trap.on('triggered', () => {
    decidedAt ??= sim.clock.now();
  });
  // The slots the trap projected for its witness (it watches closely only around them).
  const projectedSlots: number[] = [];
  trap.on('next-slot', (e) => {
    projectedSlots.push(e.time);
  });
  const run = trap.arm().then(() => trap.run());
  return {
    async stop() {
      await trap.stop();
      const error = await run.then(
        () => undefined,
        (e: unknown) => String(e),
      );
      await chain.close();
      return {
        ...(decidedAt === undefined ? {} : { decidedAt }),
        ...(error === undefined ? {} : { error }),
        projectedSlots,
      };
    },
  };
}

/** Options of {@link startBaseline}. */
export interface BaselineWatcherOptions {
  /** The one RPC node. @default the simnet's first endpoint */
  node?: string;
  backupKey: PublicKeyString;
  /** The script's first poll comes this long after it starts. @default 0 */
  startDelayMs?: number;
}

/**
 * Starts the 2017 script on the demo witness: polls every 10 blocks, threshold set by hand to the witness's
 * `total_missed` now + 1 (the operator's absolute number), the owner's active key.
 */
export function startBaseline(sim: Simnet, options: BaselineWatcherOptions): Watcher {
  const witness = demoWitness(sim);
  const controller = new AbortController();
  const run = runBaseline2017({
    node: options.node ?? sim.url,
    chainId: sim.chainId,
    witness: witness.name,
    activeKey: witness.activeKey,
    backupKey: options.backupKey,
    threshold: (sim.chain.witness(witness.name)?.total_missed ?? 0) + 1,
    pollEveryMs: 10 * sim.blockIntervalMs,
    startDelayMs: options.startDelayMs ?? 0,
    clock: sim.clock,
    signal: controller.signal,
  });
  return {
    async stop() {
      controller.abort();
      const outcome = await run.catch((e: unknown) => ({ status: 'crashed' as const, error: String(e) }));
      return {
        ...('firedAt' in outcome && outcome.firedAt !== undefined ? { decidedAt: outcome.firedAt } : {}),
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
      };
    },
  };
}
