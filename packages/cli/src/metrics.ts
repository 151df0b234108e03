/**
 * `--metrics HOST:PORT`: Prometheus text at `/metrics` and a `/healthz` that answers 503 whenever the trap is not
 * watching (not armed, or its watch stalled: the trap's `health()`; without one, no new head for `staleAfterMs`), so a
 * supervisor can tell a watcher that is running from one that is merely alive.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeStatus, TrapEvents } from '@witness-trap/core';
import { lastReadVerdict } from './node-verdict.js';
import { safeUrl } from './safe-url.js';

/** Anything that emits the trap's events (a `FailoverTrap`). */
export interface TrapEventSource {
  /** Subscribes `listener` to `event`; the metrics subscribe once and never unsubscribe, so the result is ignored. */
  on<K extends keyof TrapEvents>(event: K, listener: (payload: TrapEvents[K]) => void): unknown;
}

/** Options for {@link TrapMetrics}. */
export interface TrapMetricsOptions {
  witness: string;
  /** No new head for this long makes `/healthz` fail. @default 30000 */
  staleAfterMs?: number;
  /** The RPC nodes' status, read at scrape time (the chain client's `nodes()`). */
  nodes?: () => NodeStatus[];
  /** @default Date.now */
  now?: () => number;
  /** The CLI's version, shown by `witness_trap_build_info`. @default 'unknown' */
  version?: string;
  /** The backup keys in order: `witness_trap_backup_up` labels each with its place (`backup="1"`). */
  backupKeys?: readonly string[];
  /**
   * The trap's own verdict (`FailoverTrap#health()`): healthy while every slot check that was due ran on a fresh
   * read. Where given, `/healthz` reports it (armed first) instead of the age of the last head seen, which grows
   * between the trap's reads on a healthy chain.
   */
  health?: () => {
    healthy: boolean;
    problems: string[];
    /** Fewer than a majority of the configured RPC nodes available: still healthy (the trap decides), said in the body. */
    degraded?: boolean;
    availableNodes?: number;
    configuredNodes?: number;
  };
}

/** The process's own figures at scrape time (Prometheus's standard names, as client libraries export them). */
export interface ProcessFigures {
  startTimeSeconds: number;
  cpuSecondsTotal: number;
  residentMemoryBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
}

/** This process's figures: start time, CPU, resident memory and V8 heap. */
export function processFigures(): ProcessFigures {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    startTimeSeconds: Math.round(performance.timeOrigin) / 1000,
    cpuSecondsTotal: (cpu.user + cpu.system) / 1e6,
    residentMemoryBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
  };
}

/** The numbers `/metrics` shows, kept up to date from the trap's events. */
export class TrapMetrics {
  armed = false;
  /** Paused by `pause()` or a remote's `/pause`: watching, not firing. */
  paused = false;
  headBlock = 0;
  lastHeadAt: number | undefined;
  missesSeen = 0;
  switchesConfirmed = 0;
  switchesFailed = 0;
  broadcasts = 0;
  /** A switch was broadcast (not a dry run) and is not yet confirmed, given up, or moot (the witness produced). */
  switchPending = false;
  /** When that broadcast went out (epoch ms). */
  lastBroadcastAt: number | undefined;
  /** Every backup failed or was unusable (the `exhausted` event), until a switch is confirmed or the trap re-arms. */
  exhausted = false;
  /** Each backup's node by its health URL, from {@link TrapMetrics.setBackupHealth}; keys without one are absent. */
  readonly backupUp = new Map<string, boolean>();
  private readonly notifications = new Map<string, { ok: boolean; at: number }>();
  private readonly options: Required<Omit<TrapMetricsOptions, 'nodes' | 'health'>> &
    Pick<TrapMetricsOptions, 'nodes' | 'health'>;
  private readonly figures: () => ProcessFigures;

  /** @param figures the process's figures at scrape time (a test passes fixed ones) */
  constructor(options: TrapMetricsOptions, figures: () => ProcessFigures = processFigures) {
    this.options = { staleAfterMs: 30_000, now: Date.now, version: 'unknown', backupKeys: [], ...options };
    this.figures = figures;
  }

  /** Records what the backups' health URLs said (`up` per key); the run command probes them on a timer. */
  setBackupHealth(results: ReadonlyArray<{ key: string; up: boolean }>): void {
    for (const { key, up } of results) {
      if (this.options.backupKeys.includes(key)) this.backupUp.set(key, up);
    }
  }

  /** Follows a trap's events. */
  observe(trap: TrapEventSource): this {
    trap.on('armed', () => {
      this.armed = true;
      this.exhausted = false;
    });
    trap.on('block', (event) => {
      this.headBlock = Math.max(this.headBlock, event.number);
      this.lastHeadAt = this.options.now();
    });
    trap.on('missed', () => {
      this.missesSeen += 1;
    });
    trap.on('broadcast', (event) => {
      this.broadcasts += 1;
      if (!event.dryRun) {
        this.switchPending = true;
        this.lastBroadcastAt = this.options.now();
      }
    });
    trap.on('confirmed', () => {
      this.switchesConfirmed += 1;
      this.switchPending = false;
      this.exhausted = false;
    });
    trap.on('failed', () => {
      this.switchesFailed += 1;
      this.switchPending = false;
    });
    trap.on('exhausted', () => {
      this.exhausted = true;
    });
    // A switch the trap stops wanting (the witness produced again before it landed) ends with no event of its own.
    trap.on('recovered', () => {
      this.switchPending = false;
    });
    trap.on('notified', (event) => {
      this.notifications.set(event.notifier, { ok: true, at: this.options.now() });
    });
    trap.on('notify-failed', (event) => {
      this.notifications.set(event.notifier, { ok: false, at: this.options.now() });
    });
    trap.on('stopped', () => {
      this.armed = false;
    });
    trap.on('paused', () => {
      this.paused = true;
    });
    trap.on('resumed', () => {
      this.paused = false;
    });
    return this;
  }

  /** Whether the trap is armed and its checks run on fresh reads (the trap's verdict where given, else head age). */
  healthy(): { ok: boolean; reason: string } {
    if (!this.armed) return { ok: false, reason: 'not armed' };
    if (this.options.health) {
      const health = this.options.health();
      if (!health.healthy) return { ok: false, reason: health.problems.join('; ') || 'unhealthy' };
      const checks = 'every slot check that was due ran on a fresh read';
      // Degraded is healthy: the trap still decides, on the nodes it has. A monitor reading the body sees it.
      if (!health.degraded) return { ok: true, reason: checks };
      return {
        ok: true,
        reason: `DEGRADED: ${health.availableNodes} of ${health.configuredNodes} RPC nodes available, fewer than a majority (the trap decides on them; a miss must hold on two reads a block apart); ${checks}`,
      };
    }
    if (this.lastHeadAt === undefined) return { ok: false, reason: 'no head seen yet' };
    const age = this.options.now() - this.lastHeadAt;
    if (age > this.options.staleAfterMs) return { ok: false, reason: `no new head for ${Math.round(age / 1000)} s` };
    return { ok: true, reason: 'watching fresh data' };
  }

  /** The Prometheus text exposition. */
  render(): string {
    const witness = label(this.options.witness);
    const lines: string[] = [];
    const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: Array<[string, number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples)
        lines.push(labels === '' ? `${name} ${value}` : `${name}{${labels}} ${value}`);
    };
    const w = `witness="${witness}"`;
    metric('witness_trap_armed', 'gauge', '1 while the trap is armed and watching.', [[w, this.armed ? 1 : 0]]);
    metric('witness_trap_paused', 'gauge', '1 while the trap is paused: it watches but fires no automatic switch.', [
      [w, this.paused ? 1 : 0],
    ]);
    metric('witness_trap_healthy', 'gauge', '1 while the trap watches fresh data (what /healthz reports).', [
      [w, this.healthy().ok ? 1 : 0],
    ]);
    metric('witness_trap_head_block', 'gauge', 'The last head block number seen.', [[w, this.headBlock]]);
    const age = this.lastHeadAt === undefined ? -1 : (this.options.now() - this.lastHeadAt) / 1000;
    metric('witness_trap_head_seen_age_seconds', 'gauge', 'Seconds since a new head was seen (-1: never).', [[w, age]]);
    metric('witness_trap_misses_seen_total', 'counter', 'Missed slots of the witness seen since start.', [
      [w, this.missesSeen],
    ]);
    metric('witness_trap_broadcasts_total', 'counter', 'Key-switch broadcasts sent.', [[w, this.broadcasts]]);
    metric('witness_trap_switches_total', 'counter', 'Key switches by outcome.', [
      [`${w},outcome="confirmed"`, this.switchesConfirmed],
      [`${w},outcome="failed"`, this.switchesFailed],
    ]);
    metric(
      'witness_trap_switch_pending',
      'gauge',
      '1 from a switch broadcast until it is confirmed, given up, or the witness produces again.',
      [[w, this.switchPending ? 1 : 0]],
    );
    metric(
      'witness_trap_last_broadcast_timestamp_seconds',
      'gauge',
      'When the last switch was broadcast, Unix seconds (0: never).',
      [[w, (this.lastBroadcastAt ?? 0) / 1000]],
    );
    metric('witness_trap_backups_exhausted', 'gauge', '1 once every backup has failed or is unusable.', [
      [w, this.exhausted ? 1 : 0],
    ]);
    metric(
      'witness_trap_backup_up',
      'gauge',
      "1 where the backup's node answers its health URL up (--health); backups without one are not shown.",
      this.options.backupKeys
        .map((key, index): [string, boolean | undefined] => [
          `${w},key="${label(key)}",backup="${index + 1}"`,
          this.backupUp.get(key),
        ])
        .filter((entry): entry is [string, boolean] => entry[1] !== undefined)
        .map(([labels, up]) => [labels, up ? 1 : 0]),
    );
    const nodes = this.options.nodes?.() ?? [];
    metric(
      'witness_trap_node_fresh',
      'gauge',
      "1 where the RPC node's last answer was a fresh head (the last read's verdict: it does not decay between reads).",
      nodes.map((node) => [
        `node="${label(safeUrl(node.url))}"`,
        lastReadVerdict(node, this.options.staleAfterMs) ? 1 : 0,
      ]),
    );
    const available = nodes.filter((node) => lastReadVerdict(node, this.options.staleAfterMs)).length;
    metric(
      'witness_trap_rpc_nodes_available',
      'gauge',
      'RPC nodes available (answering, head advancing and near the clock): only they decide. Below a majority of witness_trap_rpc_nodes_configured the trap runs DEGRADED.',
      [[w, available]],
    );
    metric('witness_trap_rpc_nodes_configured', 'gauge', 'RPC nodes configured.', [[w, nodes.length]]);
    metric(
      'witness_trap_node_head_age_seconds',
      'gauge',
      "Age of the RPC node's head block at its last answer.",
      nodes
        .filter((node) => node.headAgeMs !== undefined)
        .map((node) => [`node="${label(safeUrl(node.url))}"`, (node.headAgeMs ?? 0) / 1000]),
    );
    metric(
      'witness_trap_last_notification_success',
      'gauge',
      'Whether the last notification through each notifier was delivered.',
      [...this.notifications].map(([name, result]) => [`notifier="${label(name)}"`, result.ok ? 1 : 0]),
    );
    metric('witness_trap_build_info', 'gauge', 'Always 1: the version of witness-trap and of Node running it.', [
      [`${w},version="${label(this.options.version)}",nodejs="${label(process.versions.node)}"`, 1],
    ]);
    const figures = this.figures();
    metric('process_start_time_seconds', 'gauge', 'Start time of the process since the Unix epoch, seconds.', [
      ['', figures.startTimeSeconds],
    ]);
    metric('process_cpu_seconds_total', 'counter', 'User and system CPU time spent, seconds.', [
      ['', figures.cpuSecondsTotal],
    ]);
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory size, bytes.', [
      ['', figures.residentMemoryBytes],
    ]);
    metric('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use, bytes.', [['', figures.heapUsedBytes]]);
    metric('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap allocated, bytes.', [['', figures.heapTotalBytes]]);
    return `${lines.join('\n')}\n`;
  }
}

function label(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** A running metrics server. */
export interface MetricsServer {
  /** The `http://host:port` it listens on. */
  url: string;
  /** Stops listening and drops open connections (a scraper's keep-alive would otherwise hold the process open). */
  close(): Promise<void>;
}

/** Serves `metrics` on `host:port` (port 0 picks a free one). */
export async function serveMetrics(metrics: TrapMetrics, host: string, port: number): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metrics.render());
    } else if (path === '/healthz') {
      const health = metrics.healthy();
      response
        .writeHead(health.ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`${health.reason}\n`);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('see /metrics and /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
