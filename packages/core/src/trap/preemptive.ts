import type { HealthProbe } from './health.js';
import { probeOnce } from './health.js';

/** The pre-emptive mode's settings, as `FailoverTrapOptions.preemptive` takes them. */
export interface PreemptiveOptions {
  /**
   * Consecutive dark probes of the current key's health URL that fire the switch. One or two dark probes in a row
   * (a health URL that flaps) do not.
   * @default 3
   */
  darkChecks?: number;
  /**
   * The decision is made by this many block intervals before the slot: the last moment a switch broadcast then
   * still lands in the block before the slot (1 interval) with half an interval for the decisive head read,
   * signing and the broadcast itself.
   * @default 1.5
   */
  leadSlots?: number;
  /** Probing starts this many block intervals before the slot. @default 4 */
  watchSlots?: number;
  /**
   * Time between the starts of two probes, and each probe's timeout: a health URL that accepts the connection and
   * never answers (a frozen host) counts as dark after this, not after an HTTP client's default timeout.
   * @default the trap's poll interval (a tenth of a block, 300 ms on Hive)
   */
  probeIntervalMs?: number;
}

/** The window of one slot, in chain time (epoch ms). */
export interface DarkWindow {
  darkChecks: number;
  probeIntervalMs: number;
  /** First probe. */
  from: number;
  /** No probe starts after `decideBy - probeIntervalMs`: each ends (answer or timeout) by `decideBy`. */
  decideBy: number;
}

/** The window before a slot at `slotTime`, from the options and the chain's timings. */
export function darkWindow(
  slotTime: number,
  options: PreemptiveOptions,
  timing: { blockIntervalMs: number; pollIntervalMs: number },
): DarkWindow {
  const probeIntervalMs = options.probeIntervalMs ?? timing.pollIntervalMs;
  return {
    darkChecks: options.darkChecks ?? 3,
    probeIntervalMs,
    from: slotTime - (options.watchSlots ?? 4) * timing.blockIntervalMs,
    decideBy: slotTime - (options.leadSlots ?? 1.5) * timing.blockIntervalMs,
  };
}

/** Problems with pre-emptive options, as sentences (empty: fine). */
export function preemptiveProblems(options: PreemptiveOptions): string[] {
  const problems: string[] = [];
  const { darkChecks = 3, leadSlots = 1.5, watchSlots = 4, probeIntervalMs } = options;
  if (!Number.isSafeInteger(darkChecks) || darkChecks < 1)
    problems.push('preemptive.darkChecks must be an integer >= 1');
  if (!(leadSlots >= 1)) problems.push('preemptive.leadSlots must be at least 1 (the switch lands a block later)');
  if (!(watchSlots > leadSlots)) problems.push('preemptive.watchSlots must be more than leadSlots');
  if (probeIntervalMs !== undefined && !(probeIntervalMs > 0)) {
    problems.push('preemptive.probeIntervalMs must be a positive number of milliseconds');
  }
  return problems;
}

/** What {@link watchForDark} needs of the trap. */
export interface DarkWatchEnv {
  probe: HealthProbe;
  /** Chain time now (the trap's clock, corrected for a host clock that is off). */
  now(): number;
  /** Sleeps until the chain time `time`; rejects when the trap stops. */
  sleepUntil(time: number): Promise<void>;
}

/** How a window ended. */
export interface DarkVerdict {
  /** `darkChecks` consecutive probes found the node dark by `decideBy`. */
  dark: boolean;
  /** Probes made in the window. */
  probes: number;
}

/**
 * Probes `url` a probe interval apart through the window and decides on the last `darkChecks` probes (a sliding
 * window): dark when they all were (down, refused, or no answer within the interval), alive when the window ends
 * first. A live answer resets the count, so a node that dies after answering is still caught, as long as
 * `darkChecks` probes fit between its death and `decideBy`.
 */
export async function watchForDark(url: string, window: DarkWindow, env: DarkWatchEnv): Promise<DarkVerdict> {
  const lastStart = window.decideBy - window.probeIntervalMs;
  let dark = 0;
  let probes = 0;
  if (env.now() < window.from) await env.sleepUntil(window.from);
  for (;;) {
    const startedAt = env.now();
    if (startedAt > lastStart) return { dark: false, probes };
    const health = await probeOnce(url, { probe: env.probe, timeoutMs: window.probeIntervalMs });
    probes += 1;
    dark = health.up ? 0 : dark + 1;
    if (dark >= window.darkChecks) return { dark: true, probes };
    await env.sleepUntil(startedAt + window.probeIntervalMs);
  }
}
