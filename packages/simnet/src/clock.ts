/**
 * The simnet's clocks. Both satisfy the core's `Clock` contract (`now`, `sleep`); the manual one is what makes
 * scenario tests deterministic: nothing happens until the test calls `advance`, which walks time forward through
 * every slot and every sleeper in order.
 */

/** A clock with the core's `Clock` shape, plus `advance` (manual: steps time; real: waits that long). */
export interface SimnetClock {
  /** `manual` or `real`. */
  readonly mode: 'manual' | 'real';
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Manual: moves time forward by `ms` through every due slot (producing blocks at slot times) and every sleeper (in
   * time order), waiting after each wake-up until the woken tasks have gone back to sleep or finished. Real: waits
   * `ms` of real time.
   */
  advance(ms: number): Promise<void>;
}

/** Something in simulated time that the manual clock must run when its time comes (the chain's slots). */
export interface ScheduledWork {
  /** When it is next due (epoch ms), or `undefined` where nothing is. */
  nextDue(): number | undefined;
  /** Runs what is due at `now`. */
  run(now: number): void;
}

/** What the clock looks at to decide that woken tasks have settled (the simnet's HTTP activity). */
export interface ActivityProbe {
  /** Requests being served now. */
  inFlight(): number;
  /** A counter that moves whenever a request starts or ends. */
  activity(): number;
}

/** How long `advance` waits for woken tasks. */
export interface SettleOptions {
  /**
   * Real-time bound per wake-up, ms.
   * @default 2000
   */
  timeoutMs?: number;
  /**
   * Real time with no request in flight and nothing new that counts as "finished", ms.
   * @default 25
   */
  quietMs?: number;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** The system clock. */
export function createRealClock(): SimnetClock {
  return {
    mode: 'real',
    now: () => Date.now(),
    sleep: realSleep,
    advance: (ms) => realSleep(ms),
  };
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface Sleeper {
  wakeAt: number;
  seq: number;
  resolve: () => void;
}

const MAX_EVENTS_PER_ADVANCE = 1_000_000;
/** Event-loop turns with nothing moving before woken tasks count as settled (each turn reads pending sockets). */
const QUIET_TURNS = 5;

/**
 * A clock that moves only when told to. `advance` is serialized: a second call waits for the first.
 */
export class ManualClock implements SimnetClock {
  readonly mode = 'manual' as const;
  #now: number;
  #seq = 0;
  #sleepCalls = 0;
  readonly #sleepers = new Set<Sleeper>();
  readonly #work: ScheduledWork[] = [];
  #probe: ActivityProbe | undefined;
  readonly #settle: Required<SettleOptions>;
  #queue: Promise<void> = Promise.resolve();

  constructor(startTime: number, settle: SettleOptions = {}) {
    this.#now = startTime;
    this.#settle = { timeoutMs: settle.timeoutMs ?? 2000, quietMs: settle.quietMs ?? 25 };
  }

  now(): number {
    return this.#now;
  }

  /** Adds work that runs at its due times (before sleepers due at the same time). */
  schedule(work: ScheduledWork): void {
    this.#work.push(work);
  }

  /** Sets what tells the clock that woken tasks are still busy. */
  setActivityProbe(probe: ActivityProbe): void {
    this.#probe = probe;
  }

  /** Sleepers waiting now. */
  sleepers(): number {
    return this.#sleepers.size;
  }

  /** Resolves when `advance` reaches now + `ms`; a sleep of 0 or less resolves at once, as a timer would. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (!(ms > 0)) return Promise.resolve();
    this.#sleepCalls++;
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        wakeAt: this.#now + ms,
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#sleepers.delete(sleeper);
        reject(abortReason(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.add(sleeper);
    });
  }

  advance(ms: number): Promise<void> {
    const run = this.#queue.then(() => this.#advance(ms));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #advance(ms: number): Promise<void> {
    const target = this.#now + Math.max(0, ms);
    // Let tasks that were started just before this call reach their first sleep.
    await this.#settleTasks(0);
    for (let events = 0; events < MAX_EVENTS_PER_ADVANCE; events++) {
      const workDue = this.#nextWork();
      const sleeperDue = this.#nextSleepers();
      const sleeperTime = sleeperDue[0]?.wakeAt;
      const next = Math.min(workDue?.due ?? Number.POSITIVE_INFINITY, sleeperTime ?? Number.POSITIVE_INFINITY);
      if (next > target) break;
      this.#now = Math.max(this.#now, next);
      if (workDue && workDue.due <= next) {
        workDue.work.run(next);
        continue;
      }
      for (const sleeper of sleeperDue) this.#sleepers.delete(sleeper);
      const before = this.#sleepCalls;
      for (const sleeper of sleeperDue) sleeper.resolve();
      await this.#settleTasks(sleeperDue.length, before);
    }
    this.#now = Math.max(this.#now, target);
  }

  #nextWork(): { due: number; work: ScheduledWork } | undefined {
    let best: { due: number; work: ScheduledWork } | undefined;
    for (const work of this.#work) {
      const due = work.nextDue();
      if (due !== undefined && (!best || due < best.due)) best = { due, work };
    }
    return best;
  }

  #nextSleepers(): Sleeper[] {
    let earliest = Number.POSITIVE_INFINITY;
    for (const s of this.#sleepers) earliest = Math.min(earliest, s.wakeAt);
    return [...this.#sleepers].filter((s) => s.wakeAt === earliest).sort((a, b) => a.seq - b.seq);
  }

  /**
   * Waits (in real time, bounded) until the `woken` tasks have each called `sleep` again with no request in flight,
   * or until nothing has moved for `quietMs` and for several event-loop turns (a task that finished never sleeps
   * again). Turns matter as much as milliseconds: on a busy machine the process can be descheduled for longer than
   * `quietMs` while a response waits unread in the socket, and only a turn of the loop reads it.
   */
  async #settleTasks(woken: number, sleepCallsBefore = this.#sleepCalls): Promise<void> {
    const start = performance.now();
    const quietMs = woken === 0 ? Math.min(2, this.#settle.quietMs) : this.#settle.quietMs;
    let lastSignal = -1;
    let lastChange = start;
    let quietTurns = 0;
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const inFlight = this.#probe?.inFlight() ?? 0;
      const now = performance.now();
      if (woken > 0 && this.#sleepCalls - sleepCallsBefore >= woken && inFlight === 0) {
        // one more turn so that continuations queued behind the last sleep call run
        await new Promise<void>((resolve) => setImmediate(resolve));
        return;
      }
      const signal = (this.#probe?.activity() ?? 0) + this.#sleepCalls;
      if (signal !== lastSignal || inFlight > 0) {
        lastSignal = signal;
        lastChange = now;
        quietTurns = 0;
      } else {
        quietTurns++;
        if (quietTurns >= QUIET_TURNS && now - lastChange >= quietMs) return;
      }
      if (now - start >= this.#settle.timeoutMs) return;
      if (now - lastChange > 1) await new Promise<void>((resolve) => setTimeout(resolve, 1));
    }
  }
}
