/**
 * What the pre-emptive mode's sliding window costs: needless switches on a health URL that fails at random while
 * its node is fine. A daemon trap with `preemptive: {}` (its defaults) watches a healthy witness whose health URLs
 * (both keys' nodes) answer through a probe that drops each answer with probability `p` (seeded); every switch
 * that lands on chain is one the node did not need. Manual clock, Hive's 3 s pace.
 */
import { type HealthProbe, httpHealthProbe, wifKeyRing } from '@witness-trap/core';
import { startSimnet, TIDY_CHAIN } from '@witness-trap/simnet';
import { uniform } from './stats.js';
import { demoWitness, startTrap } from './watchers.js';

/** Needless switches at one failure rate. */
export interface FlakyHealthFigure {
  /** Chance that one probe finds the URL dark. */
  failureRate: number;
  rounds: number;
  /** Probes of the current key's URL per round (the window's length in probes). */
  probesPerRound: number;
  /** Pre-emptive switches that landed on chain. */
  switches: number;
  /** `switches / rounds`. */
  perRound: number;
  /** The chance per round of `darkChecks` dark probes in a row among `probesPerRound`, for comparison. */
  expectedPerRound: number;
}

const ROUND = 21;
/** The trap's default `preemptive.darkChecks`. */
export const DARK_CHECKS = 3;

/** Runs a healthy witness for `rounds` rounds behind a health URL failing at `failureRate`; counts switches. */
export async function measureFlakyHealth(options: { failureRate: number; rounds: number }): Promise<FlakyHealthFigure> {
  const sim = await startSimnet({
    ...TIDY_CHAIN,
    clock: 'manual',
    blockIntervalMs: 3000,
    seed: `flaky-${options.failureRate}`,
    backupKeys: 1,
    healthEndpoints: true,
  });
  try {
    const witness = demoWitness(sim);
    const backup = witness.backupKeys[0];
    if (backup === undefined) throw new Error('the simnet gave no backup key');
    const keys = [witness.signingKey, backup.publicKey];
    const urls = Object.fromEntries(keys.map((key) => [key, sim.nodeHealthUrl(key)]));
    let draws = 0;
    const probesOf = new Map<string, number>();
    const flaky: HealthProbe = (url, signal) => {
      probesOf.set(url, (probesOf.get(url) ?? 0) + 1);
      if (uniform(`flaky/${options.failureRate}/${draws++}`) < options.failureRate) {
        return Promise.resolve({ up: false });
      }
      return httpHealthProbe(url, signal);
    };
    const watcher = startTrap(sim, {
      signer: wifKeyRing({ signingKeys: [witness.privateKey, backup.privateKey] }),
      backupKeys: keys,
      extra: {
        mode: 'daemon',
        health: urls,
        healthProbe: flaky,
        preemptive: {},
        // Every needless switch is counted, none is capped or cooled down.
        maxSwitches: { count: 1_000_000, windowMs: 1 },
        cooldownMs: 1,
      },
    });
    await sim.advanceSlots(options.rounds * ROUND);
    await watcher.stop();
    const switches = sim.chain.keySwitches(witness.name).length;
    const probes = [...probesOf.values()].reduce((a, b) => a + b, 0);
    const probesPerRound = Math.round(probes / options.rounds);
    return {
      failureRate: options.failureRate,
      rounds: options.rounds,
      probesPerRound,
      switches,
      perRound: switches / options.rounds,
      expectedPerRound: chanceOfRun(options.failureRate, probesPerRound, DARK_CHECKS),
    };
  } finally {
    await sim.stop();
  }
}

/** The chance of at least `run` failures in a row among `trials` independent tries failing with chance `p`. */
export function chanceOfRun(p: number, trials: number, run: number): number {
  // by[k]: chance of no such run so far, ending in exactly k failures in a row
  let by: number[] = Array.from({ length: run }, (_, k) => (k === 0 ? 1 : 0));
  for (let t = 0; t < trials; t++) {
    const next = Array.from({ length: run }, () => 0);
    for (let k = 0; k < run; k++) {
      const chance = by[k] ?? 0;
      next[0] = (next[0] ?? 0) + chance * (1 - p);
      if (k + 1 < run) next[k + 1] = (next[k + 1] ?? 0) + chance * p;
    }
    by = next;
  }
  return 1 - by.reduce((a, b) => a + b, 0);
}
