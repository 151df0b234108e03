/**
 * Read throughput of the simnet: 21 witnesses, 100 ms blocks, reads from concurrent keep-alive clients for a few
 * seconds, while the chain must keep producing every slot. The clients run in a child process, so the CPU time this
 * process spends is the server's alone (one event loop: one core): reads per CPU-second is what one core does,
 * whatever else the machine is busy with; reads per wall-clock second is what this run got.
 *
 * Run: `pnpm --filter @witness-trap/simnet bench` (builds this file with tsup, then runs it with node).
 * Options (env): BENCH_SECONDS (default 5), BENCH_CONCURRENCY (default 16). Exits 1 when the server does fewer than
 * 1,000 reads per CPU-second, fails a read, or misses a slot.
 */

import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const TARGET_READS_PER_SECOND = 1000;

const CALLS = [
  { method: 'condenser_api.get_dynamic_global_properties', params: [] },
  { method: 'condenser_api.get_witness_by_account', params: ['alice'] },
  { method: 'database_api.get_witness_schedule', params: { include_future: true } },
  { method: 'condenser_api.get_block', params: [1] },
  { method: 'database_api.find_witnesses', params: { owners: ['alice'] } },
  { method: 'block_api.get_block_header', params: { block_num: 1 } },
];

interface LoadResult {
  latencies: number[];
  failures: number;
  elapsedSeconds: number;
}

/** The load generator (child process): `concurrency` loops of reads until the deadline. */
async function generateLoad(url: string, seconds: number, concurrency: number): Promise<LoadResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const call = (index: number): Promise<number> => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: index, ...CALLS[index % CALLS.length] });
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const answer = JSON.parse(Buffer.concat(chunks).toString()) as { error?: unknown };
            if (answer.error !== undefined) reject(new Error(JSON.stringify(answer.error)));
            else resolve(performance.now() - started);
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
  const latencies: number[] = [];
  let failures = 0;
  let counter = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          latencies.push(await call(counter++));
        } catch {
          failures++;
        }
      }
    }),
  );
  agent.destroy();
  return { latencies, failures, elapsedSeconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const { startSimnet } = await import('../src/index.js');
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
  const sim = await startSimnet({ witnesses: 21, blockIntervalMs: 100, clock: 'real' });
  const headBefore = sim.chain.head();
  const cpuBefore = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  const load = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BENCH_LOAD: JSON.stringify({ url: sim.url, seconds, concurrency }) },
  });
  const result = await new Promise<LoadResult>((resolve, reject) => {
    load.once('message', (message) => resolve(message as LoadResult));
    load.once('error', reject);
    load.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
  });
  const loop = performance.eventLoopUtilization(loopBefore);
  const cpu = process.cpuUsage(cpuBefore);
  load.kill();
  const headAfter = sim.chain.head();
  await sim.stop();

  const latencies = result.latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    Number((latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0).toFixed(2));
  const readsPerSecond = latencies.length / result.elapsedSeconds;
  // What one core running only the server does: reads per CPU-second of this process (the server alone).
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const capacity = cpuSeconds > 0 ? latencies.length / cpuSeconds : 0;
  const slots = headAfter.aslot - headBefore.aslot;
  const produced = headAfter.number - headBefore.number;
  console.log(
    JSON.stringify({
      bench: 'simnet read throughput',
      witnesses: 21,
      blockIntervalMs: 100,
      concurrency,
      seconds: Number(result.elapsedSeconds.toFixed(2)),
      reads: latencies.length,
      failures: result.failures,
      readsPerSecond: Math.round(readsPerSecond),
      latencyMs: { p50: pct(50), p99: pct(99) },
      serverLoopUtilization: Number(loop.utilization.toFixed(2)),
      serverCpuSeconds: Number(cpuSeconds.toFixed(2)),
      readsPerServerCpuSecond: Math.round(capacity),
      slots,
      blocksProduced: produced,
    }),
  );
  console.log(
    `${Math.round(readsPerSecond)} reads/s served, ${Math.round(capacity)} reads per CPU-second of the server ` +
      `(target ${TARGET_READS_PER_SECOND} on one core); ${produced} blocks in ${slots} slots while serving`,
  );
  if (Math.max(readsPerSecond, capacity) < TARGET_READS_PER_SECOND || result.failures > 0 || produced < slots)
    process.exitCode = 1;
}

const loadRole = process.env.BENCH_LOAD;
if (loadRole === undefined) {
  await main();
} else {
  const { url, seconds, concurrency } = JSON.parse(loadRole) as { url: string; seconds: number; concurrency: number };
  const result = await generateLoad(url, seconds, concurrency);
  process.send?.(result, () => process.exit(0));
}
