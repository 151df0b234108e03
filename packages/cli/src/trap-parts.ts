/** Pieces `run`, `switch`, `demo` and `drill` share when they build a trap from settings. */
import { EventEmitter } from 'node:events';
import type { FailoverTrap, Logger, TrapEvents } from '@witness-trap/core';
import type { TrapEventSource } from './metrics.js';
import type { Output } from './output.js';

/** Names for the configured keys, shown beside them in the narrative: `backup #1`, `primary`. */
export function keyNames(backupKeys: readonly string[], heldKeys: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const key of heldKeys) names.set(key, 'primary');
  backupKeys.forEach((key, index) => {
    names.set(key, `backup #${index + 1}`);
  });
  return names;
}

/**
 * Core's logger, into the output: warnings and errors; core's own info and debug lines only at `--log-level debug`
 * (the events already tell the story).
 */
export function outputLogger(output: Output): Logger {
  return {
    debug: (message, fields) => output.log('debug', 'log', message, fields ?? {}),
    info: (message, fields) => output.log('debug', 'log', message, fields ?? {}),
    warn: (message, fields) => output.log('warn', 'log', message, fields ?? {}),
    error: (message, fields) => output.log('error', 'log', message, fields ?? {}),
  };
}

/** An event source fed by a callback (core's admin helpers report through `onEvent`, not an emitter). */
export class ForwardedEvents implements TrapEventSource {
  private readonly emitter = new EventEmitter();

  on<K extends keyof TrapEvents>(event: K, listener: (payload: TrapEvents[K]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  /** Pass this as `onEvent`. */
  readonly forward = <K extends keyof TrapEvents>(event: K, payload: TrapEvents[K]): void => {
    this.emitter.emit(event, payload);
  };
}

/** When each step of a failover happened (local epoch ms), for the demo's and the drill's summary. */
export interface Timeline {
  missedSlotTime?: number;
  missedSeenAt?: number;
  broadcastAt?: number;
  confirmedAt?: number;
  confirmedBlock?: number;
}

/** Records the first miss, broadcast and confirmation of a trap. */
export function recordTimeline(trap: TrapEventSource): Timeline {
  const timeline: Timeline = {};
  trap.on('missed', (e) => {
    timeline.missedSlotTime ??= e.slotTime;
    timeline.missedSeenAt ??= Date.now();
  });
  trap.on('broadcast', () => {
    timeline.broadcastAt ??= Date.now();
  });
  trap.on('confirmed', (e) => {
    timeline.confirmedAt ??= Date.now();
    timeline.confirmedBlock ??= e.blockNum;
  });
  return timeline;
}

/** The timeline in block intervals after the missed slot, and in seconds at Hive's pace. */
export function describeTimeline(timeline: Timeline, intervalMs: number): string[] {
  const start = timeline.missedSlotTime;
  if (start === undefined) return [];
  const step = (label: string, at: number | undefined) => {
    if (at === undefined) return `  ${label.padEnd(18)} never`;
    const blocks = (at - start) / intervalMs;
    return `  ${label.padEnd(18)} ${blocks.toFixed(1)} block intervals after the missed slot (${(blocks * 3).toFixed(1)} s on Hive)`;
  };
  return [
    step('miss seen', timeline.missedSeenAt),
    step('switch broadcast', timeline.broadcastAt),
    step('switch confirmed', timeline.confirmedAt),
  ];
}

/**
 * The trap's events as a {@link TrapEventSource}. eventemitter3's rest-argument listener type does not unify with a
 * one-payload listener under a generic event name, so the cast lives here, once.
 */
export function trapEvents(trap: Pick<FailoverTrap, 'on'>): TrapEventSource {
  return {
    on: (event, listener) => trap.on(event, listener as never),
  };
}

/** Polls `find` until it returns something, the time is up, or `signal` aborts. */
export async function waitFor<T>(
  find: () => T | undefined,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && !signal.aborted) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return find();
}

/** What `--preemptive` lacks when the key on chain has no health URL: `run` refuses on it, `check` reports it. */
export function preemptiveGap(keyOnChain: string): string {
  return `--preemptive needs the health URL of the node holding the key on chain (${keyOnChain}): add --health ${keyOnChain}=http://HOST:PORT/health`;
}
