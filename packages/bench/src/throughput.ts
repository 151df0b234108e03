/**
 * The simulated chain's read throughput, from its own benchmark (`pnpm --filter @witness-trap/simnet bench`), run
 * as a child process so that it has an event loop to itself, and read from the JSON line it prints.
 */
import { spawnSync } from 'node:child_process';

/** The simnet benchmark's figures. */
export interface SimnetThroughput {
  readsPerSecond: number;
  /** Reads per CPU-second of the server process: what one core running only the simnet serves. */
  readsPerServerCpuSecond: number;
  latencyMs: { p50: number; p99: number };
  concurrency: number;
  seconds: number;
  failures: number;
  /** Slots produced while serving, out of slots due (every slot must still be produced). */
  blocksProduced: number;
  slots: number;
}

/** Runs the simnet's throughput benchmark for `seconds` and returns its figures. */
export function measureSimnetThroughput(workspaceRoot: string, seconds: number): SimnetThroughput {
  const result = spawnSync('pnpm', ['--silent', '--filter', '@witness-trap/simnet', 'bench'], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    env: { ...process.env, BENCH_SECONDS: String(seconds) },
  });
  const line = result.stdout.split('\n').find((l) => l.startsWith('{') && l.includes('simnet read throughput'));
  if (line === undefined) throw new Error(`the simnet benchmark printed no figures: ${result.stderr.slice(0, 500)}`);
  const figures = JSON.parse(line) as SimnetThroughput & { readsPerServerBusySecond?: number };
  // Earlier versions of the simnet benchmark measured busy event-loop time instead of CPU time.
  figures.readsPerServerCpuSecond ??= figures.readsPerServerBusySecond ?? Number.NaN;
  return figures;
}
