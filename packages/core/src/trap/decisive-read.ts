import { toWitnessTrapError, WitnessTrapError } from '../errors.js';
import type { Clock } from '../types.js';

/** The reason a trap's work is aborted by `stop()`: never reported as a failure. */
export class TrapStoppedError extends WitnessTrapError {
  constructor() {
    super('TRAP_STOPPED', 'the trap was stopped', 'runtime');
    this.name = 'TrapStoppedError';
  }
}

/** Where a read loop reports what it survived. */
export type ReportError = (error: WitnessTrapError, during: string) => void;

/** Options for {@link readUntilTrusted}. */
export interface ReadLoopOptions {
  clock: Clock;
  /** Pause after the first failed try; it doubles with each further failure, up to `maxRetryMs`. */
  retryMs: number;
  /** The longest pause between tries: a long outage is polled at this pace, not hammered. @default retryMs * 10 */
  maxRetryMs?: number;
  /** Give up (throw the last error) once the clock passes this. @default Infinity */
  deadline?: number;
  signal?: AbortSignal;
  report: ReportError;
  /** Names the step in `error` events, e.g. `watch`, `confirm`. */
  during: string;
}

/**
 * Runs a decisive read until it answers with data the trap may act on. Retryable failures (a stale or lagging
 * node, nodes that disagree, a timeout) are waited out: the trap never decides on data it does not trust. So are
 * the others (a node answering garbage): a watcher that gives up at 3 a.m. protects nobody. Each distinct failure
 * is reported once per loop, not once per try, so a long outage is one event, not hundreds. Past `deadline` the
 * last failure is thrown.
 */
export async function readUntilTrusted<T>(read: () => Promise<T>, options: ReadLoopOptions): Promise<T> {
  const reported = new Set<string>();
  let pause = options.retryMs;
  for (;;) {
    if (options.signal?.aborted) throw new TrapStoppedError();
    try {
      return await read();
    } catch (thrown) {
      if (options.signal?.aborted) throw new TrapStoppedError();
      const error = toWitnessTrapError(thrown, 'READ_FAILED');
      if (!reported.has(error.code)) {
        reported.add(error.code);
        options.report(error, options.during);
      }
      if (options.clock.now() + pause > (options.deadline ?? Number.POSITIVE_INFINITY)) throw error;
      await sleepOrStop(options.clock, pause, options.signal);
      pause = Math.min(pause * 2, options.maxRetryMs ?? options.retryMs * 10);
    }
  }
}

/** Sleeps on the trap's clock; a `stop()` ends the sleep with a {@link TrapStoppedError}. */
export async function sleepOrStop(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw new TrapStoppedError();
  try {
    await clock.sleep(Math.max(0, ms), signal);
  } catch {
    throw new TrapStoppedError();
  }
  if (signal?.aborted) throw new TrapStoppedError();
}
