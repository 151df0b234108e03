/**
 * Soak: 24 simulated hours (28,800 blocks of 3 s on the manual clock; `SOAK_HOURS` to scale) with a daemon trap,
 * random RPC faults from the matrix on one of three endpoints at a time, the hostile chain's micro-forks, and the node of
 * the key on chain killed every two hours. No false fire (every switch follows a miss charged on chain), every death
 * failed over, memory within its limit: the heap after a forced GC,
 * sampled every simulated hour, judged by its least-squares trend after warm-up (figures.ts `memoryTrend`), RSS
 * reported beside.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Fault, FaultHandle } from '@witness-trap/simnet';
import { seededRandom } from '@witness-trap/simnet';
import { afterEach, expect, it } from 'vitest';
import { memoryTrend } from '../../src/figures.js';
import { recordFinding } from '../../src/findings.js';
import { missesOf, type Scenario, startScenario } from '../../src/scenario.js';

const HOURS = Number(process.env.SOAK_HOURS ?? 24);
const SLOTS_PER_HOUR = 1200;
const ROUND = 21;
/**
 * The most the live heap may grow over the run (after warm-up, by its trend). The simulated chain in the same process
 * keeps every block, a steady few MiB a day of it; a leak in the trap of a few hundred bytes per block would pass it.
 */
const HEAP_GROWTH_LIMIT_MIB = 16;

/** A forced full GC, so that a sample is the live heap and not what the collector has not got round to. */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const FAULTS: Fault[] = [
  { kind: 'refuse-connections' },
  { kind: 'frozen-head' },
  { kind: 'lying-head' },
  { kind: 'error-rate', rate: 0.5 },
  { kind: 'error-rate', rate: 1, response: 'rpc-server' },
  { kind: 'html-error', rate: 0.5 },
  { kind: 'reset-connection', rate: 0.3 },
  { kind: 'drop-broadcasts' },
  { kind: 'hang-broadcasts' },
];

let scenario: Scenario | undefined;
afterEach(async () => {
  await scenario?.close();
  scenario = undefined;
});

it(`runs ${HOURS} simulated hours with random faults: no crash, no false fire, every death failed over, live heap growth under ${HEAP_GROWTH_LIMIT_MIB} MiB`, async () => {
  scenario = await startScenario({ seed: 'soak', settle: { timeoutMs: 2000, quietMs: 5 } });
  const { sim, witness, backupKeys } = scenario;
  const random = seededRandom(20261125);
  const rotation = [witness.signingKey, ...backupKeys];
  // Health URLs prove a revived node is up: the rotation may then come back round to it.
  const health = Object.fromEntries(rotation.map((key) => [key, sim.nodeHealthUrl(key)]));
  const { trap, of } = scenario.trap({ mode: 'daemon', backupKeys: rotation, cooldownMs: 3_600_000, health });
  await trap.arm();
  // Counted as blocks are produced: the simnet prunes its transaction index like a node does.
  let switchesOnChain = 0;
  const switchTimes: number[] = [];
  const stopCounting = sim.onBlock((block) => {
    for (const tx of block.transactions) {
      if (tx.operations.some(([name]) => name === 'witness_set_properties' || name === 'witness_update')) {
        switchesOnChain += 1;
        switchTimes.push(block.timestamp);
      }
    }
  });
  let crashed: unknown;
  const run = trap.run().catch((error: unknown) => {
    crashed = error;
  });

  const rss: number[] = [];
  const liveHeap: number[] = [];
  const incidents: Array<{ hour: number; slotsToSwitch: number; misses: number; fault: string }> = [];
  let fault: FaultHandle | undefined;
  let faultName = 'none';
  const faultLog: string[] = [];
  let revive: { key: string; atSlot: number } | undefined;
  const started = Date.now();
  let nextFaultAt = 0;
  let nextDeathAt = SLOTS_PER_HOUR;
  let nextSampleAt = 0;

  for (let slot = 0; slot < HOURS * SLOTS_PER_HOUR; slot += ROUND) {
    if (slot >= nextFaultAt) {
      nextFaultAt += SLOTS_PER_HOUR / 2;
      // Every half hour, a new fault on a random endpoint (or none).
      await fault?.remove();
      fault = undefined;
      const pick = Math.floor(random() * (FAULTS.length + 1));
      const chosen = FAULTS[pick];
      if (chosen !== undefined) {
        fault = await sim.injectFault(chosen, { endpoint: Math.floor(random() * sim.urls.length) });
        faultName = `${chosen.kind}@${fault.endpoint}`;
      } else faultName = 'none';
      faultLog.push(faultName);
    }
    if (revive !== undefined && slot >= revive.atSlot) {
      await sim.startNode(revive.key);
      revive = undefined;
    }
    if (slot >= nextDeathAt) {
      nextDeathAt += 2 * SLOTS_PER_HOUR;
      // The node of the key on chain dies; it must be failed over from within a few rounds.
      const key = sim.chain.witness(witness.name)?.signing_key ?? '';
      const switchesBefore = switchesOnChain;
      const missesBefore = missesOf(sim, witness.name).length;
      await sim.stopNode(key);
      let waited = 0;
      while (switchesOnChain === switchesBefore && waited < 6 * ROUND) {
        await sim.advanceSlots(1);
        waited += 1;
      }
      incidents.push({
        hour: Math.floor(slot / SLOTS_PER_HOUR),
        slotsToSwitch: switchesOnChain > switchesBefore ? waited : -1,
        misses: missesOf(sim, witness.name).length - missesBefore,
        fault: faultName,
      });
      revive = { key, atSlot: slot + SLOTS_PER_HOUR / 2 };
      slot += waited;
    }
    await sim.advanceSlots(ROUND);
    if (slot >= nextSampleAt) {
      nextSampleAt += SLOTS_PER_HOUR;
      gc();
      const usage = process.memoryUsage();
      rss.push(Math.round(usage.rss / 2 ** 20));
      liveHeap.push(Math.round((usage.heapUsed / 2 ** 20) * 10) / 10);
    }
  }
  await fault?.remove();
  await trap.stop();
  await run;

  stopCounting();
  const switches = switchesOnChain;
  // A micro-fork that orphans the witness's own block charges it a missed slot on the winning fork, as hived does,
  // while its node is up: the trap may act on that miss like any other (the chain cannot tell it from a dead node's).
  // Such switches are counted apart; a switch that follows no charged miss at all is a false fire.
  const orphanedOwnBlocks = sim.chain.forks().filter((fork) => fork.orphaned.witness === witness.name).length;
  const misses = missesOf(sim, witness.name);
  // Earned: a miss charged to the witness since the switch before it put the replaced key on chain (a switch can take
  // several signed attempts while a fault drops or hangs broadcasts, so no fixed window would do).
  const unearned = switchTimes.filter(
    (time, i) => !misses.some((miss) => miss.slotTime <= time && miss.slotTime > (switchTimes[i - 1] ?? 0)),
  );
  const failedOver = incidents.filter((i) => i.slotsToSwitch >= 0).length;
  // The first two hours are warm-up (code loaded, caches filled); the trend is judged on the rest.
  const heapTrend = memoryTrend(liveHeap.slice(2), HEAP_GROWTH_LIMIT_MIB);
  const rssTrend = memoryTrend(rss.slice(2), Number.POSITIVE_INFINITY);
  const mib = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(1)} MiB`;
  recordFinding({
    area: 'soak',
    injected: `${HOURS} simulated hours (${HOURS * SLOTS_PER_HOUR} blocks of 3 s), a random fault every 30 min on one of 3 endpoints (${faultLog.length} faults: ${[...new Set(faultLog)].join(', ')}), the signing node killed every 2 h and revived 30 min later`,
    happened: `${Math.round((Date.now() - started) / 1000)} s wall time; ${incidents.length} deaths, ${failedOver} failed over (slots from death to switch: ${incidents.map((i) => i.slotsToSwitch).join(', ')}; misses per incident: ${incidents.map((i) => i.misses).join(', ')}); ${switches} switches in all, each after a miss charged on chain (no false fire), ${switches - incidents.length} of them beyond the deaths, on misses that micro-forks charged by orphaning the witness's own block (${orphanedOwnBlocks} such blocks); crash: ${crashed === undefined ? 'none' : String(crashed)}; live heap after GC, MiB per simulated hour: ${liveHeap.join(', ')}; its least-squares trend after warm-up ${mib(heapTrend.projectedGrowth)} over ${liveHeap.length - 3} h against a limit of ${HEAP_GROWTH_LIMIT_MIB} MiB: **${heapTrend.verdict}**; RSS MiB per hour: ${rss.join(', ')} (trend ${mib(rssTrend.projectedGrowth)}; the simulated chain, which keeps every block, lives in the same process)`,
    figures: {
      rssMiB: rss,
      liveHeapMiB: liveHeap,
      heapTrend,
      rssTrend,
      incidents,
      switches,
      orphanedOwnBlocks,
      unearnedSwitchTimes: unearned,
      errorEvents: of('error').length,
    },
  });
  expect(crashed).toBeUndefined();
  expect(failedOver).toBe(incidents.length);
  expect(unearned).toEqual([]);
  expect(switches).toBeGreaterThanOrEqual(incidents.length);
  expect(switches - incidents.length).toBeLessThanOrEqual(orphanedOwnBlocks);
  expect(incidents.every((i) => i.misses <= 2)).toBe(true);
  // After warm-up, the live heap's trend over the run stays under the limit (a leak is a steady slope).
  expect(heapTrend.verdict).toBe('within limit');
}, 900_000);
