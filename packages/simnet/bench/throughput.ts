/**
 * Read throughput of the simnet: 21 witnesses, 100 ms blocks, reads from concurrent keep-alive clients for a few
 * seconds, and the chain must keep producing every slot meanwhile. The clients run in this same process, so the
 * server gets less than one core: the figure is a floor.
 *
 * Run: `pnpm --filter @witness-trap/simnet bench` (builds this file with tsup, then runs it with node).
 * Options (env): BENCH_SECONDS (default 5), BENCH_CONCURRENCY (default 16).
 */
import { Agent, request } from 'node:http';
import { startSimnet } from '../src/index.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TARGET_READS_PER_SECOND = 1000;

const sim = await startSimnet({ witnesses: 21, blockIntervalMs: 100, clock: 'real' });
const url = new URL(sim.url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

const calls = [
  { method: 'condenser_api.get_dynamic_global_properties', params: [] },
  { method: 'condenser_api.get_witness_by_account', params: ['alice'] },
  { method: 'database_api.get_witness_schedule', params: { include_future: true } },
  { method: 'condenser_api.get_block', params: [1] },
  { method: 'database_api.find_witnesses', params: { owners: ['alice'] } },
  { method: 'block_api.get_block_header', params: { block_num: 1 } },
];

function call(index: number): Promise<number> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: index, ...calls[index % calls.length] });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
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
}

const headBefore = sim.chain.head();
const deadline = performance.now() + seconds * 1000;
const latencies: number[] = [];
let failures = 0;
let counter = 0;
const started = performance.now();
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
const elapsed = (performance.now() - started) / 1000;
const headAfter = sim.chain.head();
await sim.stop();
agent.destroy();

latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  (latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0).toFixed(2);
const readsPerSecond = latencies.length / elapsed;
const slots = headAfter.aslot - headBefore.aslot;
const produced = headAfter.number - headBefore.number;
console.log(
  JSON.stringify({
    bench: 'simnet read throughput',
    witnesses: 21,
    blockIntervalMs: 100,
    concurrency,
    seconds: Number(elapsed.toFixed(2)),
    reads: latencies.length,
    failures,
    readsPerSecond: Math.round(readsPerSecond),
    latencyMs: { p50: Number(pct(50)), p99: Number(pct(99)) },
    slots,
    blocksProduced: produced,
  }),
);
console.log(
  `${Math.round(readsPerSecond)} reads/s (target ${TARGET_READS_PER_SECOND}); ${produced} blocks in ${slots} slots while serving`,
);
if (readsPerSecond < TARGET_READS_PER_SECOND || failures > 0 || produced < slots) process.exitCode = 1;
