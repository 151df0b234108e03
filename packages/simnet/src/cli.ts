import { parseArgs } from 'node:util';
import type { BlockRecord, MissedSlot } from './chain-data.js';
import { formatHiveTime } from './hive-time.js';
import { type Simnet, type SimnetOptions, startSimnet, TIDY_CHAIN } from './index.js';

/** Where the command writes, and what stops it. */
export interface SimnetCliIo {
  /** @default process.stdout */
  stdout?: {
    /** Takes whole lines (each ends in `\n`): the help, the banner or `--json` description, a line per block. */
    write(text: string): unknown;
  };
  /** @default process.stderr */
  stderr?: {
    /** Takes whole lines: argument and start-up errors, with the usage when the arguments were wrong. */
    write(text: string): unknown;
  };
  /** Stops the simnet when aborted (in addition to SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /**
   * Stop on SIGINT and SIGTERM.
   * @default true
   */
  handleSignals?: boolean;
  /** Called once the simnet is up (tests use it to reach the running chain). */
  onStarted?: (sim: Simnet) => void;
}

/** The command's usage text. */
export const SIMNET_USAGE = `Usage: witness-trap-simnet [options]

Runs a simulated Hive chain on http://HOST:PORT (JSON-RPC 2.0, hived's method names and shapes).

Options:
  --port N              port of the first API endpoint (default 8090; 0 = any free port)
  --host H              address to listen on (default 127.0.0.1)
  --block-interval MS   block interval in ms (default 3000)
  --witnesses N         number of witnesses (default 21)
  --chain-id HEX        chain id (default: the simnet's own; Hive mainnet's is refused)
  --json                first stdout line: one JSON object with url, chainId, blockInterval, witnesses (and keys);
                        then one JSON line per block
  --endpoints N         API endpoints over the one chain (default 1; ports PORT, PORT+1, ...)
  --backup-keys N       backup keys for the demo witness (default 1)
  --seed S              keys and shuffles derive from it (default "simnet")
  --no-health           no per-node health URLs
  --realism MODE        hostile (as Hive's public network) or tidy: what the options below default to
  --tidy                every realism option below at its tidy value (they override it)
  --reads-include-pending BOOL  witness reads show each endpoint's pending pool (default true)
  --propagation-delay MS  a transaction reaches the other endpoints' pools and the producer after this
                        (default block interval / 12; 0 = one mempool)
  --proxy SPEC          caching, fan-out proxy per endpoint: "off", or cacheMs,blockCacheMs,backends,lagBlocks
                        (default block interval / 3, 3 x block interval, 2, 1)
  --micro-fork-rate R   chance per block of a one-block micro-fork, 0 to 0.5 (default 0.005)
  --dead-nodes MODE     how a stopped node's health URL dies: blackhole or refuse (default blackhole)
  -h, --help            this text

Control over RPC (namespace simnet_api): stop_node {"key","mode"}, start_node {"key"}, add_node {"key","up"},
inject_fault {"kind",...,"endpoint"} (kinds include blackhole and lying-witness), remove_fault {"id"},
clear_faults {"endpoint"}, orphan_head {}, get_state {}.
Stops cleanly on SIGINT/SIGTERM. Every key printed is simulator-only.`;

class UsageError extends Error {}

/** The realism flags as simnet options (range checks are startSimnet's, reported as usage errors). */
function realismFlags(values: Record<string, string | boolean | undefined>): Partial<SimnetOptions> {
  const out: Partial<SimnetOptions> = {};
  const realism = values.realism;
  if (realism !== undefined) {
    if (realism !== 'hostile' && realism !== 'tidy') throw new UsageError('--realism must be hostile or tidy');
    out.realism = realism;
  }
  const reads = values['reads-include-pending'];
  if (reads !== undefined) {
    if (reads !== 'true' && reads !== 'false') throw new UsageError('--reads-include-pending must be true or false');
    out.readsIncludePending = reads === 'true';
  }
  const delay = values['propagation-delay'];
  if (typeof delay === 'string') out.propagationDelayMs = intOption(delay, '--propagation-delay', 0, 600_000, 0);
  const proxy = values.proxy;
  if (typeof proxy === 'string') {
    if (proxy === 'off') out.proxy = false;
    else {
      const parts = proxy.split(',');
      if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p)))
        throw new UsageError('--proxy must be "off" or cacheMs,blockCacheMs,backends,lagBlocks (whole numbers)');
      const [cacheMs, blockCacheMs, backends, backendLagBlocks] = parts.map(Number) as [number, number, number, number];
      out.proxy = { cacheMs, blockCacheMs, backends, backendLagBlocks };
    }
  }
  const rate = values['micro-fork-rate'];
  if (typeof rate === 'string') {
    if (!/^\d+(\.\d+)?$/.test(rate)) throw new UsageError('--micro-fork-rate must be a number from 0 to 0.5');
    out.microForkRate = Number(rate);
  }
  const dead = values['dead-nodes'];
  if (typeof dead === 'string') {
    if (dead !== 'blackhole' && dead !== 'refuse') throw new UsageError('--dead-nodes must be blackhole or refuse');
    out.deadNodes = dead;
  }
  return out;
}

function intOption(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${name} must be from ${min} to ${max}`);
  return n;
}

/**
 * The standalone simnet command (`witness-trap-simnet`, mounted by the CLI as `witness-trap simnet`). Resolves
 * with the exit code once the chain has stopped: 0 after SIGINT/SIGTERM or `io.signal`, 2 for bad usage, 1 when it
 * could not start (e.g. the port is taken).
 *
 * @example
 * ```ts
 * process.exitCode = await runSimnetCli(['--port', '0', '--json']);
 * ```
 */
export async function runSimnetCli(argv: readonly string[], io: SimnetCliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'block-interval': { type: 'string' },
        witnesses: { type: 'string' },
        'chain-id': { type: 'string' },
        json: { type: 'boolean' },
        endpoints: { type: 'string' },
        'backup-keys': { type: 'string' },
        seed: { type: 'string' },
        'no-health': { type: 'boolean' },
        tidy: { type: 'boolean' },
        realism: { type: 'string' },
        'reads-include-pending': { type: 'string' },
        'propagation-delay': { type: 'string' },
        proxy: { type: 'string' },
        'micro-fork-rate': { type: 'string' },
        'dead-nodes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    stderr.write(`witness-trap-simnet: ${(error as Error).message}\n${SIMNET_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    stdout.write(`${SIMNET_USAGE}\n`);
    return 0;
  }
  let options: Parameters<typeof startSimnet>[0];
  try {
    const chainId = values['chain-id'];
    if (chainId !== undefined && typeof chainId === 'string' && !/^[0-9a-fA-F]{64}$/.test(chainId))
      throw new UsageError('--chain-id must be 64 hex characters');
    options = {
      port: intOption(values.port as string | undefined, '--port', 0, 65535, 8090),
      host: (values.host as string | undefined) ?? '127.0.0.1',
      blockIntervalMs: intOption(values['block-interval'] as string | undefined, '--block-interval', 10, 600_000, 3000),
      witnesses: intOption(values.witnesses as string | undefined, '--witnesses', 1, 1000, 21),
      endpoints: intOption(values.endpoints as string | undefined, '--endpoints', 1, 64, 1),
      backupKeys: intOption(values['backup-keys'] as string | undefined, '--backup-keys', 0, 100, 1),
      seed: (values.seed as string | undefined) ?? 'simnet',
      healthEndpoints: !values['no-health'],
      ...(typeof chainId === 'string' ? { chainId } : {}),
      ...(values.tidy ? TIDY_CHAIN : {}),
      ...realismFlags(values),
    };
  } catch (error) {
    stderr.write(`witness-trap-simnet: ${(error as Error).message}\n`);
    return 2;
  }

  let sim: Simnet;
  try {
    sim = await startSimnet({ ...options, clock: 'real' });
  } catch (error) {
    const message = (error as Error).message;
    const usage = (error as Error).name === 'SimnetOptionsError';
    stderr.write(`witness-trap-simnet: ${usage ? '' : 'could not start: '}${message}\n`);
    return usage ? 2 : 1;
  }
  const json = values.json === true;
  stdout.write(`${json ? JSON.stringify(describe(sim)) : banner(sim)}\n`);
  let missedSeen = 0;
  const offBlock = sim.onBlock((block) => {
    const missed = sim.chain.missedSlots().slice(missedSeen);
    missedSeen += missed.length;
    stdout.write(`${json ? JSON.stringify(blockEvent(block, missed, sim)) : blockLine(block, missed, sim)}\n`);
  });
  io.onStarted?.(sim);

  const handleSignals = io.handleSignals ?? true;
  let stop = () => {};
  // `witness-trap simnet --json | head -1`: once the reader is gone, stop as on a signal instead of dying of EPIPE.
  const output = stdout as Partial<Pick<NodeJS.WriteStream, 'on' | 'off'>>;
  const onOutputError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') stop();
    else stderr.write(`witness-trap-simnet: output failed: ${error.message}\n`);
  };
  output.on?.('error', onOutputError);
  await new Promise<void>((resolve) => {
    stop = () => resolve();
    io.signal?.addEventListener('abort', stop, { once: true });
    if (io.signal?.aborted) resolve();
    if (handleSignals) {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  // the handlers go once stopped, so that an embedding CLI keeps its own behaviour for later signals
  if (handleSignals) {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
  io.signal?.removeEventListener('abort', stop);
  offBlock();
  output.off?.('error', onOutputError);
  await sim.stop();
  if (!json) stdout.write('simnet stopped\n');
  return 0;
}

function describe(sim: Simnet): Record<string, unknown> {
  return {
    url: sim.url,
    chainId: sim.chainId,
    blockInterval: sim.blockIntervalMs,
    witnesses: sim.witnesses.map((w, index) => ({
      name: w.name,
      signingKey: w.signingKey,
      privateKey: w.privateKey,
      ...(index === 0 ? { activeKey: w.activeKey, backupKeys: w.backupKeys } : {}),
    })),
    urls: sim.urls,
    nodes: [sim.witnesses[0]?.signingKey, ...(sim.witnesses[0]?.backupKeys.map((b) => b.publicKey) ?? [])]
      .filter((key): key is string => key !== undefined)
      .flatMap((key) => {
        try {
          return [{ key, healthUrl: sim.nodeHealthUrl(key) }];
        } catch {
          return [];
        }
      }),
  };
}

function banner(sim: Simnet): string {
  const demo = sim.witnesses[0];
  const lines = [
    `witness-trap simnet: a simulated Hive chain (simulator-only keys; nothing here touches Hive)`,
    `  RPC            ${sim.urls.join(', ')}`,
    `  chain id       ${sim.chainId}`,
    `  block interval ${sim.blockIntervalMs} ms, ${sim.witnesses.length} witnesses`,
  ];
  if (demo) {
    lines.push(`  demo witness   ${demo.name}  signing key ${demo.signingKey}`);
    for (const backup of demo.backupKeys) lines.push(`  backup key     ${backup.publicKey} (node up, idle)`);
  }
  lines.push('  keys: run with --json to print them; Ctrl-C stops');
  return lines.join('\n');
}

function blockLine(block: BlockRecord, missed: MissedSlot[], sim: Simnet): string {
  const time = formatHiveTime(block.timestamp, sim.blockIntervalMs % 1000 !== 0).slice(11);
  const txs = block.transactions.length > 0 ? `  ${block.transactions.length} tx` : '';
  const misses = missed
    .map((m) => `  missed: ${m.witness} (aslot ${m.aslot}${m.forked ? ', its block orphaned by a micro-fork' : ''})`)
    .join('');
  return `#${block.num} ${time} ${block.witness} aslot ${block.aslot}${txs}${misses}`;
}

function blockEvent(block: BlockRecord, missed: MissedSlot[], sim: Simnet): Record<string, unknown> {
  return {
    event: 'block',
    num: block.num,
    id: block.id,
    time: formatHiveTime(block.timestamp, sim.blockIntervalMs % 1000 !== 0),
    witness: block.witness,
    signingKey: block.signingKey,
    aslot: block.aslot,
    transactions: block.transactions.map((t) => t.id),
    missed: missed.map((m) => ({ witness: m.witness, aslot: m.aslot, ...(m.forked ? { forked: true } : {}) })),
  };
}
