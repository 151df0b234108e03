/**
 * `witness-trap run`: arm the trap and watch the witness. One-shot (the default) exits 0 once a switch is confirmed
 * on chain; `--daemon` re-arms and runs until SIGINT/SIGTERM. All failover logic is the core's `FailoverTrap`.
 */
import { setFlagsFromString } from 'node:v8';
import type { TelegramRemote } from '@witness-trap/notifier-telegram';
import { connect } from '../connect.js';
import { ExitCode } from '../exit-codes.js';
import { probeHealthUrls } from '../health-probes.js';
import { type CommandContext, cliVersion } from '../main.js';
import { type MetricsServer, serveMetrics, TrapMetrics } from '../metrics.js';
import { narrate } from '../narrate.js';
import { buildNotifiers } from '../notifiers.js';
import { logRounds } from '../round-line.js';
import { keyNames, outputLogger, preemptiveGap, trapEvents } from '../trap-parts.js';
import { UsageError } from '../usage-error.js';

/** Runs the trap until it is done (one-shot) or stopped (daemon). */
export async function runCommand({ settings, output, signal }: CommandContext): Promise<number> {
  keepYoungGenerationSmall();
  const connection = await connect(settings);
  const { notifiers, problems } = await buildNotifiers(settings);
  if (problems.length > 0) {
    await connection.close();
    throw new UsageError('CONFIG_NOTIFIER', problems);
  }
  if (notifiers.length === 0) {
    output.log(
      'warn',
      'no-notifier',
      'no notifier configured: a failover will only be logged (see notify-test --help)',
    );
  }
  const { FailoverTrap, fileStateStore, isNullSigningKey } = await import('@witness-trap/core');
  const { chain, signer } = connection;
  const trap = new FailoverTrap({
    witness: settings.witness ?? '',
    chain,
    signer,
    backupKeys: settings.backupKeys,
    notifiers,
    misses: settings.misses,
    windowMs: settings.windowMs,
    mode: settings.daemon ? 'daemon' : 'one-shot',
    dryRun: settings.dryRun,
    state: fileStateStore(settings.statePath),
    killSwitch: settings.killSwitch,
    ...(Object.keys(settings.health).length > 0 ? { health: settings.health } : {}),
    ...(settings.preemptive ? { preemptive: {} } : {}),
    ...(settings.blockIntervalMs === undefined ? {} : { blockIntervalMs: settings.blockIntervalMs }),
    ...(settings.pollIntervalMs === undefined ? {} : { pollIntervalMs: settings.pollIntervalMs }),
    log: outputLogger(output),
  });
  const events = trapEvents(trap);
  const story = narrate(events, output, {
    keyNames: keyNames(settings.backupKeys, connection.keys.signingPublicKeys),
    nodes: () => chain.nodes(),
  });
  // A node is judged by its last read against the same bound as the metrics gauge.
  const staleAfterMs = Math.max(30_000, 10 * (settings.blockIntervalMs ?? 3000));
  const endRounds = logRounds(events, output, {
    status: () => chain.nodes(),
    configured: settings.nodes.length,
    staleAfterMs,
  });
  let metrics: MetricsServer | undefined;
  let remote: TelegramRemote | undefined;
  let healthTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    output.log('info', 'stopping', 'stopping: a switch in flight is confirmed or recorded first');
    void trap.stop();
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    if (settings.metrics) {
      const interval = settings.blockIntervalMs ?? 3000;
      const observed = new TrapMetrics({
        witness: settings.witness ?? '',
        staleAfterMs,
        // Healthy while every slot check that was due ran on a fresh read: the trap's own verdict.
        health: () => trap.health(),
        nodes: () => chain.nodes(),
        version: cliVersion(),
        backupKeys: settings.backupKeys,
      }).observe(events);
      healthTimer = watchBackupHealth(settings.health, observed, Math.max(15_000, 5 * interval));
      metrics = await serveMetrics(observed, settings.metrics.host, settings.metrics.port);
      output.log('info', 'metrics', `metrics on ${metrics.url}/metrics, health on ${metrics.url}/healthz`, {
        url: metrics.url,
      });
    }
    const armed = await trap.arm();
    if (settings.preemptive && settings.health[armed.currentKey] === undefined) {
      throw new UsageError('CONFIG_PREEMPTIVE', [preemptiveGap(armed.currentKey)]);
    }
    if (signal.aborted) return ExitCode.ok;
    if (settings.remoteControl === 'telegram') {
      // Beside the trap, never in its way: the poll shares nothing with the failover but the control contract.
      const { telegramRemoteFromEnv } = await import('@witness-trap/notifier-telegram');
      remote = telegramRemoteFromEnv(settings.env, { control: trap, log: outputLogger(output) });
      remote.start();
      output.log('info', 'remote-control', 'remote control: obeying Telegram commands from TELEGRAM_CHAT_ID');
    }
    const outcome = await trap.run();
    switch (outcome.status) {
      case 'confirmed':
        output.log(
          'info',
          'done',
          'done: the trap fired once and is now disarmed. Find out why the old node failed, then re-arm with witness-trap run (or use --daemon)',
        );
        return ExitCode.ok;
      case 'dry-run':
      case 'stopped':
        return ExitCode.ok;
      case 'exhausted':
        // A daemon ends exhausted only once the kill switch set the null key; otherwise it keeps watching.
        return outcome.last?.status === 'confirmed' && isNullSigningKey(outcome.last.toKey)
          ? ExitCode.disabled
          : ExitCode.failure;
    }
    return ExitCode.failure;
  } finally {
    signal.removeEventListener('abort', stop);
    await remote?.stop();
    clearInterval(healthTimer);
    endRounds();
    story.stop();
    await metrics?.close();
    await Promise.all(notifiers.map((notifier) => notifier.close?.()));
    await connection.close();
  }
}

/**
 * For `/metrics`: probes the backups' health URLs now and every `everyMs` (the trap probes them only when it is about
 * to switch), so an alert can say a backup is down before it is needed. Returns the timer, or nothing to probe.
 */
function watchBackupHealth(
  health: Record<string, string>,
  metrics: TrapMetrics,
  everyMs: number,
): NodeJS.Timeout | undefined {
  if (Object.keys(health).length === 0) return undefined;
  const probe = () => {
    probeHealthUrls(health).then(
      (results) => metrics.setBackupHealth(results),
      () => {},
    );
  };
  probe();
  const timer = setInterval(probe, everyMs);
  timer.unref();
  return timer;
}

/**
 * A watch is a long, quiet process: a few small reads a poll, a few hundred live kilobytes. V8 still grows its young
 * generation (by default doubling its semi-spaces up to 16 MB each) as short-lived objects pile up, and gives the
 * memory back only when its memory reducer notices an idle heap: 7 to 10 MB of resident memory for nothing (measured
 * in docs/performance.md). Growth factor 1 keeps the young generation at its initial size; a scavenge of it then
 * comes more often but costs microseconds. Read by V8 each time it would grow the space, so setting it now holds.
 * Only `witness-trap run` does this: a program using the library keeps Node's defaults.
 */
function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
