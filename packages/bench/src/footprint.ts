/**
 * The built CLI's footprint: resident memory of `witness-trap run` over a long watch, start-up time of
 * `witness-trap --help` beside a bare `node -e 0`, and the installed size of the CLI with its dependencies.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { median } from './stats.js';

/** Memory of `witness-trap run` after a number of rounds. */
export interface RunFootprint {
  rounds: number;
  blockIntervalMs: number;
  /** Resident set (VmRSS) at the end, MB (10^6 bytes). */
  rssMB: number;
  /** Peak resident set (VmHWM) over the run, MB. */
  peakRssMB: number;
  /** Resident set after the first 10 % of the rounds, MB: growth beyond it suggests a leak. */
  earlyRssMB: number;
  /** Wall time of the watch, s. */
  seconds: number;
  /** The trap watched to the end without firing (the witness never missed). */
  watchedThrough: boolean;
  /** The CLI reported that it armed (a check that it was watching, not stuck). */
  armed: boolean;
}

/** Where the built CLI is. */
export interface CliPaths {
  /** `packages/cli/dist/bin.js`. */
  bin: string;
}

/**
 * Runs a simulated chain (the CLI's own `simnet` command, in its own process) at `blockIntervalMs`, and
 * `witness-trap run` against it, until `rounds` rounds have passed; samples the run's memory from /proc (Linux).
 */
export async function measureRunFootprint(
  cli: CliPaths,
  options: { rounds: number; blockIntervalMs: number },
): Promise<RunFootprint> {
  const dir = mkdtempSync(join(tmpdir(), 'witness-trap-bench-'));
  const children: ChildProcess[] = [];
  try {
    const simnet = spawn(
      process.execPath,
      // The hostile defaults, but no micro-forks: a fork that orphans the witness's block is a real missed slot, and
      // the one-shot run would fire on it and exit; this run is about a long watch.
      [
        cli.bin,
        'simnet',
        '--json',
        '--port',
        '0',
        '--block-interval',
        String(options.blockIntervalMs),
        '--micro-fork-rate',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], env: plainEnv() },
    );
    children.push(simnet);
    const lines = createInterface({ input: simnet.stdout as NonNullable<typeof simnet.stdout> });
    let head = 0;
    let info: SimnetInfo | undefined;
    const ready = new Promise<SimnetInfo>((resolve, reject) => {
      simnet.once('exit', (code) => reject(new Error(`the simnet exited (${code})`)));
      lines.on('line', (line) => {
        if (info === undefined) {
          info = JSON.parse(line) as SimnetInfo;
          resolve(info);
          return;
        }
        const num = (JSON.parse(line) as { num?: number }).num;
        if (typeof num === 'number') head = num;
      });
    });
    const sim = await ready;
    const witness = sim.witnesses[0];
    const backup = witness?.backupKeys?.[0]?.publicKey;
    if (witness === undefined || backup === undefined) throw new Error('the simnet gave no demo witness');
    const keys = join(dir, 'signing.keys');
    writeFileSync(keys, `${witness.privateKey}\n`, { mode: 0o600 });
    const args = [
      cli.bin,
      'run',
      '--witness',
      witness.name,
      '--node',
      sim.url,
      '--backup-key',
      backup,
      '--signing-keys-file',
      keys,
      '--chain-id',
      sim.chainId,
      '--block-interval',
      String(options.blockIntervalMs),
      '--state',
      join(dir, 'state.json'),
      '--json',
    ];
    const run = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, env: plainEnv() });
    children.push(run);
    let armed = false;
    let fired = false;
    createInterface({ input: run.stdout as NonNullable<typeof run.stdout> }).on('line', (line) => {
      if (line.includes('"event":"armed"')) armed = true;
      if (line.includes('"event":"triggered"') || line.includes('"event":"missed"')) fired = true;
    });
    run.stderr?.resume();
    let exited = false;
    run.once('exit', () => {
      exited = true;
    });
    const started = performance.now();
    const startHead = head;
    const endHead = startHead + options.rounds * 21;
    const earlyHead = startHead + Math.round(options.rounds * 2.1);
    let earlyRss = 0;
    while (head < endHead && !exited) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (earlyRss === 0 && head >= earlyHead) earlyRss = memoryOf(run.pid).rss;
    }
    const memory = memoryOf(run.pid);
    return {
      rounds: options.rounds,
      blockIntervalMs: options.blockIntervalMs,
      rssMB: memory.rss,
      peakRssMB: memory.peak,
      earlyRssMB: earlyRss,
      seconds: (performance.now() - started) / 1000,
      watchedThrough: !exited && !fired,
      armed,
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The environment without NODE_OPTIONS: children run plain Node, as an operator's would, not the bench's loader. */
function plainEnv(): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  return env;
}

interface SimnetInfo {
  url: string;
  chainId: string;
  witnesses: Array<{ name: string; privateKey: string; backupKeys?: Array<{ publicKey: string }> }>;
}

/** VmRSS and VmHWM of a process, MB (0 where /proc cannot tell). */
function memoryOf(pid: number | undefined): { rss: number; peak: number } {
  if (pid === undefined) return { rss: 0, peak: 0 };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: (kib('VmRSS') * 1024) / 1e6, peak: (kib('VmHWM') * 1024) / 1e6 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/** dhive's own documented test key (its README and tests): no account holds it. */
const TEST_WIF = '5JNHfZYKGaomSFvd4NUdQ9qMcEAC43kujbfjueTHpVapX1Kzq2n';

/** Start-up time of `witness-trap --help` beside `node -e 0`. */
export interface StartupTime {
  runs: number;
  helpMs: number;
  nodeMs: number;
  ratio: number;
}

/** Runs both `runs` times, interleaved (so that load on the machine hits both alike), and compares medians. */
export function measureStartup(cli: CliPaths, runs: number): StartupTime {
  const help: number[] = [];
  const bare: number[] = [];
  const time = (args: string[]) => {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { stdio: 'ignore', env: plainEnv() });
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
    return performance.now() - started;
  };
  time([cli.bin, '--help']); // warm the file cache
  for (let i = 0; i < runs; i++) {
    help.push(time([cli.bin, '--help']));
    bare.push(time(['-e', '0']));
  }
  const helpMs = median(help);
  const nodeMs = median(bare);
  return { runs, helpMs, nodeMs, ratio: helpMs / nodeMs };
}

/** What loading the trap's code pulls in at run time, from a child process that imports it. */
export interface RuntimeModules {
  /** CommonJS modules loaded in all. */
  commonJsModules: number;
  /** Of them, from core-js. */
  coreJsModules: number;
  /** Resident set after importing the core and reading a key (which loads dhive, as `run` does), MB. */
  rssMB: number;
  /** Resident set after importing the core alone (it loads dhive on first use), MB. */
  coreOnlyRssMB: number;
  /** Time to import the core and read a key (which loads dhive), ms. */
  dhiveMs: number;
  /** Resident set after the same with dhive loaded whole first (its Node entry point), as the core did before, MB. */
  wholeDhiveRssMB: number;
  /** Time of the same, ms. */
  wholeDhiveMs: number;
  /** Resident set of a bare `node` doing nothing, MB. */
  bareRssMB: number;
}

/**
 * Imports `entry` (the built core) in a child process and reads a key with its key ring, which loads dhive as
 * `witness-trap run` does; counts the CommonJS modules that loaded, and how many came from core-js (dhive's Node
 * entry point does not polyfill; its browser bundle does). In another child, loads dhive whole (as the core did
 * before it loaded dhive lean), for comparison.
 */
export function measureRuntimeModules(entry: string): RuntimeModules {
  const run = (whole: boolean) => {
    const script = [
      "const { createRequire } = await import('node:module');",
      'const started = performance.now();',
      // As the core loaded it before: dhive's Node entry point, whole, at import time.
      whole ? `createRequire(${JSON.stringify(entry)})('@hiveio/dhive');` : '',
      `const core = await import(${JSON.stringify(entry)});`,
      'const coreOnlyRssMB = process.memoryUsage().rss / 1e6;',
      `core.wifKeyRing({ signingKeys: [${JSON.stringify(TEST_WIF)}] });`,
      'const ms = performance.now() - started;',
      'const keys = Object.keys(createRequire(import.meta.url).cache);',
      "const coreJsModules = keys.filter((k) => k.includes('/core-js/')).length;",
      'const rssMB = process.memoryUsage().rss / 1e6;',
      'console.log(JSON.stringify({ commonJsModules: keys.length, coreJsModules, rssMB, coreOnlyRssMB, ms }));',
    ].join('\n');
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: plainEnv(),
    });
    if (result.status !== 0) throw new Error(`importing ${entry} failed: ${result.stderr}`);
    return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as {
      commonJsModules: number;
      coreJsModules: number;
      rssMB: number;
      coreOnlyRssMB: number;
      ms: number;
    };
  };
  const lean = run(false);
  const whole = run(true);
  const bare = spawnSync(process.execPath, ['-e', 'console.log(process.memoryUsage().rss / 1e6)'], {
    encoding: 'utf8',
    env: plainEnv(),
  });
  return {
    commonJsModules: lean.commonJsModules,
    coreJsModules: lean.coreJsModules,
    rssMB: lean.rssMB,
    coreOnlyRssMB: lean.coreOnlyRssMB,
    dhiveMs: lean.ms,
    wholeDhiveRssMB: whole.rssMB,
    wholeDhiveMs: whole.ms,
    bareRssMB: Number(bare.stdout.trim()),
  };
}
