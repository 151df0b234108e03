/**
 * `pnpm bench`: measures witness-trap beside the 2017 approach on the simulated chain and writes
 * docs/performance.md. Expects the CLI built (the package's `bench` script builds it first).
 *
 * Options (env): BENCH_INCIDENTS (500, per contender), BENCH_PREEMPTIVE (200, node dead 2 to 21 blocks before the
 * slot), BENCH_PREEMPTIVE_NEAR (50, 2 to 6 blocks before), BENCH_REALTIME (20 per contender, the real-clock
 * cross-check), BENCH_LANES (10 per contender), BENCH_ROUNDS (1000, the footprint run), BENCH_HELP_RUNS (21),
 * BENCH_THROUGHPUT_SECONDS (5), BENCH_RPC_REAL_ROUNDS (3, the real-clock RPC load at 3 s blocks), BENCH_FLAKY_ROUNDS
 * (200 per failure rate), BENCH_HOSTILE (500, witness-trap on the hostile chain, one node blackholed),
 * BENCH_HOSTILE_NO_PROXY (200, the same with the caching proxy off), BENCH_OUTAGE_BLOCKS (42, each read outage on the real
 * clock at 3 s blocks), BENCH_OUT (the report's path; default docs/performance.md at the workspace root).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { latencyFigures, leadBuckets, missFigures } from './analysis.js';
import { measureFlakyHealth } from './flaky-health.js';
import { measureRunFootprint, measureRuntimeModules, measureStartup } from './footprint.js';
import { type HostileResults, hostileRealism } from './hostile-report.js';
import { installedSize } from './installed-size.js';
import { runMonteCarlo } from './monte-carlo.js';
import { measureOutageLoad, type OutageCase } from './outage-load.js';
import { type BenchResults, renderReport } from './report.js';
import { measureRpcLoad } from './rpc-load.js';
import { measureSimnetThroughput, type SimnetThroughput } from './throughput.js';

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = { bin: `${root}packages/cli/dist/bin.js` };
const coreEntry = `${root}packages/core/dist/index.js`;
const out = process.env.BENCH_OUT ?? `${root}docs/performance.md`;
const config = {
  incidents: env('BENCH_INCIDENTS', 500),
  preemptive: env('BENCH_PREEMPTIVE', 200),
  lanes: env('BENCH_LANES', 10),
  blockIntervalMs: 3000,
  rounds: env('BENCH_ROUNDS', 1000),
  preemptiveNear: env('BENCH_PREEMPTIVE_NEAR', 50),
  realtime: env('BENCH_REALTIME', 20),
  realtimeBlockIntervalMs: 100,
  rpcRealRounds: env('BENCH_RPC_REAL_ROUNDS', 3),
  flakyRounds: env('BENCH_FLAKY_ROUNDS', 200),
  hostile: env('BENCH_HOSTILE', 500),
  hostileNoProxy: env('BENCH_HOSTILE_NO_PROXY', 200),
  outageBlocks: env('BENCH_OUTAGE_BLOCKS', 42),
};
const RPC_NODES = [1, 2, 3, 4, 5];
/** Read outages measured: one node or all failing every read, erroring or blackholed (issue 19). */
const OUTAGES: OutageCase[] = [
  { nodes: 2, failing: 'one', fault: 'erroring' },
  { nodes: 2, failing: 'one', fault: 'blackholed' },
  { nodes: 3, failing: 'one', fault: 'erroring' },
  { nodes: 3, failing: 'one', fault: 'blackholed' },
  { nodes: 2, failing: 'one', fault: 'frozen' },
  { nodes: 3, failing: 'one', fault: 'frozen' },
  { nodes: 3, failing: 'all', fault: 'erroring' },
  { nodes: 3, failing: 'all', fault: 'blackholed' },
];
const FAILURE_RATES = [0.01, 0.05, 0.1, 0.2, 0.3];
const LEAD = { min: 2, max: 21 };
const NEAR_LEAD = { min: 2, max: 6 };
const FOOTPRINT_INTERVAL_MS = 10;

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function main(): Promise<void> {
  for (const file of [cli.bin, coreEntry]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build first (pnpm -r --filter witness-trap... build)`);
  }
  const started = performance.now();
  const loadBefore = loadavg();

  // Quiet phase first: start-up times and throughput want the machine to themselves (as far as this run goes).
  log(`startup: witness-trap --help vs node -e 0, ${env('BENCH_HELP_RUNS', 21)} runs each`);
  const startup = measureStartup(cli, env('BENCH_HELP_RUNS', 21));
  const runtimeModules = measureRuntimeModules(coreEntry);
  const size = installedSize(`${root}packages/cli`);
  const coreJs = size.packages.find((p) => p.name === 'core-js');
  log('simnet throughput');
  let throughput: SimnetThroughput | undefined;
  let throughputError: string | undefined;
  try {
    throughput = measureSimnetThroughput(root, env('BENCH_THROUGHPUT_SECONDS', 5));
  } catch (error) {
    throughputError = String(error);
  }

  // The footprint run is real time (about 3.5 min at 10 ms blocks) in child processes: it goes alongside the
  // Monte Carlo, which runs on the manual clock in this process and so is not slowed by sharing the machine.
  log(`footprint: witness-trap run for ${config.rounds} rounds at ${FOOTPRINT_INTERVAL_MS} ms blocks (background)`);
  const footprint = measureRunFootprint(cli, { rounds: config.rounds, blockIntervalMs: FOOTPRINT_INTERVAL_MS });
  footprint.catch(() => undefined);
  // The RPC load on the real clock at Hive's own pace (a round is 63 s): in the background too.
  log(`RPC load on the real clock: ${config.rpcRealRounds} rounds at 3 s blocks (background)`);
  const rpcReal = measureRpcLoad({
    watcher: 'witness-trap',
    nodes: 1,
    clock: 'real',
    rounds: config.rpcRealRounds,
    settleSlots: 7,
  });
  rpcReal.catch(() => undefined);
  // Read outages on the real clock at 3 s blocks, all at once (each its own chain; they only wait): in the background.
  log(`RPC load during read outages: ${OUTAGES.length} cases, ${config.outageBlocks} blocks each at 3 s (background)`);
  const outage = Promise.all(OUTAGES.map((c) => measureOutageLoad({ ...c, blocks: config.outageBlocks })));
  outage.catch(() => undefined);

  const progress = (label: string, total: number) => (_: unknown, done: number) => {
    if (done % 50 === 0 || done === total) log(`${label}: ${done}/${total} incidents`);
  };
  log(
    `Monte Carlo: ${config.incidents} incidents each for witness-trap and the baseline, ${config.preemptive} pre-emptive`,
  );
  const [trap, baseline, preemptive, preemptiveNear, hostile, hostileNoProxy] = await Promise.all([
    runMonteCarlo({
      contender: 'witness-trap',
      incidents: config.incidents,
      lanes: config.lanes,
      onResult: progress('witness-trap', config.incidents),
    }),
    runMonteCarlo({
      contender: 'baseline-2017',
      incidents: config.incidents,
      lanes: config.lanes,
      onResult: progress('baseline-2017', config.incidents),
    }),
    runMonteCarlo({
      contender: 'witness-trap-preemptive',
      incidents: config.preemptive,
      lanes: config.lanes,
      leadBlocks: LEAD,
      name: 'preemptive',
      onResult: progress('pre-emptive', config.preemptive),
    }),
    runMonteCarlo({
      contender: 'witness-trap-preemptive',
      incidents: config.preemptiveNear,
      lanes: config.lanes,
      leadBlocks: NEAR_LEAD,
      name: 'preemptive-near',
      onResult: progress('pre-emptive, 2 to 6 blocks', config.preemptiveNear),
    }),
    // The hostile chain: the same crash draws as witness-trap's tidy run ('mc'), one node blackholed.
    runMonteCarlo({
      contender: 'witness-trap',
      incidents: config.hostile,
      lanes: config.lanes,
      chain: 'hostile',
      onResult: progress('witness-trap, hostile chain', config.hostile),
    }),
    runMonteCarlo({
      contender: 'witness-trap',
      incidents: config.hostileNoProxy,
      lanes: config.lanes,
      chain: 'hostile',
      simnet: { proxy: false },
      onResult: progress('witness-trap, hostile chain without the proxy', config.hostileNoProxy),
    }),
  ]);

  // The cross-check on the real clock runs while the footprint run (child processes) is still going: it shares
  // the machine, as a real deployment would, and its figures carry real scheduling and loopback latency.
  log(`real-clock cross-check: ${config.realtime} incidents each at ${config.realtimeBlockIntervalMs} ms blocks`);
  const realClock = { clock: 'real' as const, blockIntervalMs: config.realtimeBlockIntervalMs, lanes: config.lanes };
  const [realTrap, realBaseline] = await Promise.all([
    runMonteCarlo({ contender: 'witness-trap', incidents: config.realtime, name: 'real', ...realClock }),
    runMonteCarlo({ contender: 'baseline-2017', incidents: config.realtime, name: 'real', ...realClock }),
  ]);

  log('RPC load');
  const rpc = [];
  for (const nodes of RPC_NODES) rpc.push(await measureRpcLoad({ watcher: 'witness-trap', nodes }));
  rpc.push(await measureRpcLoad({ watcher: 'baseline-2017', nodes: 1 }));

  log(`pre-emptive mode on a flaky health URL: ${config.flakyRounds} rounds at each of ${FAILURE_RATES.join(', ')}`);
  const flaky = [];
  for (const failureRate of FAILURE_RATES) {
    flaky.push(await measureFlakyHealth({ failureRate, rounds: config.flakyRounds }));
  }
  log('waiting for the real-clock RPC load');
  rpc.push(await rpcReal);
  log('waiting for the read-outage RPC load');
  const outages = await outage;

  log('waiting for the footprint run');
  const interval = config.blockIntervalMs;
  const results: BenchResults = {
    date: new Date().toISOString(),
    command: 'pnpm bench',
    machine: {
      nproc: availableParallelism(),
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${platform()} ${release()}`,
      loadBefore,
      loadAfter: [],
    },
    seconds: 0,
    config,
    misses: { trap: missFigures(trap, interval), baseline: missFigures(baseline, interval) },
    latency: {
      ...optional('trap', latencyFigures(trap, interval)),
      ...optional('baseline', latencyFigures(baseline, interval)),
    },
    preemptive: {
      all: missFigures(preemptive, interval),
      buckets: leadBuckets(preemptive, interval, [2, 3, 4, 5, 6, 10, 21.01]),
      lead: LEAD,
      near: missFigures(preemptiveNear, interval),
      nearBuckets: leadBuckets(preemptiveNear, interval, [2, 2.5, 3, 3.5, 4, 4.5, 5, 6.01]),
      nearLead: NEAR_LEAD,
    },
    realClock: {
      blockIntervalMs: config.realtimeBlockIntervalMs,
      trap: missFigures(realTrap, config.realtimeBlockIntervalMs),
      baseline: missFigures(realBaseline, config.realtimeBlockIntervalMs),
      ...optional('trapLatency', latencyFigures(realTrap, config.realtimeBlockIntervalMs)),
      ...optional('baselineLatency', latencyFigures(realBaseline, config.realtimeBlockIntervalMs)),
    },
    rpc,
    outages,
    flaky,
    hostile: {
      hostile: {
        misses: missFigures(hostile, interval),
        ...optional('latency', latencyFigures(hostile, interval)),
        forks: hostile.reduce((sum, x) => sum + (x.forks?.all ?? 0), 0),
        orphanedSwitch: hostile.reduce((sum, x) => sum + (x.forks?.orphanedSwitch ?? 0), 0),
      },
      noProxy: {
        misses: missFigures(hostileNoProxy, interval),
        ...optional('latency', latencyFigures(hostileNoProxy, interval)),
      },
      ...(await hostileRealism(interval)),
    } satisfies HostileResults,
    footprint: await footprint,
    startup,
    size,
    ...(coreJs === undefined ? {} : { coreJs }),
    runtimeModules,
    ...(throughput === undefined ? {} : { throughput }),
    ...(throughputError === undefined ? {} : { throughputError }),
  };
  results.machine.loadAfter = loadavg();
  results.seconds = (performance.now() - started) / 1000;
  const report = renderReport(results);
  writeFileSync(out, report);
  process.stdout.write(report);
  log(`wrote ${out}`);
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

await main();
