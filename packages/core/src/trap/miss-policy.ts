/** One counted miss. */
export interface MissRecord {
  aslot: number;
  /** When the slot was due, epoch ms: the window is measured in slot times, not in when the trap noticed. */
  slotTime: number;
}

/**
 * When to fire: `threshold` misses whose slots fall within `windowMs` of each other, counted only after arming.
 * A miss is in the window while `latest.slotTime - miss.slotTime < windowMs`: one exactly `windowMs` older than
 * the newest has left it. The same slot is never counted twice.
 *
 * @example
 * const policy = new MissPolicy(2, 3_600_000);
 * policy.record({ aslot: 100, slotTime: t });
 * policy.record({ aslot: 121, slotTime: t + 63_000 }).fire; // true
 */
export class MissPolicy {
  readonly threshold: number;
  readonly windowMs: number;
  #misses: MissRecord[] = [];

  constructor(threshold: number, windowMs: number) {
    this.threshold = threshold;
    this.windowMs = windowMs;
  }

  /** Counts a miss; says how many are in the window now (this one included) and whether that fires the trap. */
  record(miss: MissRecord): { missesInWindow: number; fire: boolean } {
    if (!this.#misses.some((m) => m.aslot === miss.aslot)) this.#misses.push(miss);
    this.#misses.sort((a, b) => a.slotTime - b.slotTime);
    const missesInWindow = this.countAt(miss.slotTime);
    return { missesInWindow, fire: missesInWindow >= this.threshold };
  }

  /** Misses within the window that ends at `time` (slot times in `(time - windowMs, time]`). */
  countAt(time: number): number {
    this.#misses = this.#misses.filter((m) => time - m.slotTime < this.windowMs || m.slotTime > time);
    return this.#misses.filter((m) => m.slotTime <= time).length;
  }

  /** Forgets every miss (after a switch, or on re-arming on another key). */
  reset(): void {
    this.#misses = [];
  }

  /** The misses still remembered, oldest first. */
  misses(): readonly MissRecord[] {
    return [...this.#misses];
  }
}

/** The last miss seen: its slot, when it was due (chain time, epoch ms), and the block that showed it. */
export interface LastMiss {
  aslot: number;
  slotTime: number;
  seenInBlock: number;
}

/**
 * The one owner of the trap's miss bookkeeping: the firing policy's window (reset after a switch, a pause, a
 * re-arming), the misses since the witness last produced (kept across switches: its first block after them is a
 * recovery), and the last miss seen (for `status`).
 */
export class MissLedger {
  readonly policy: MissPolicy;
  #sinceProduced = 0;
  #last: LastMiss | undefined;

  constructor(threshold: number, windowMs: number) {
    this.policy = new MissPolicy(threshold, windowMs);
  }

  /** Misses since the witness last produced. */
  get sinceProduced(): number {
    return this.#sinceProduced;
  }

  /** The last miss seen, if any. */
  get last(): LastMiss | undefined {
    return this.#last === undefined ? undefined : { ...this.#last };
  }

  /** Counts a miss: how many are in the policy's window now and whether that fires. */
  missed(miss: LastMiss): { missesInWindow: number; fire: boolean } {
    this.#sinceProduced += 1;
    this.#last = { ...miss };
    return this.policy.record({ aslot: miss.aslot, slotTime: miss.slotTime });
  }

  /** The witness produced: returns whether that ends a run of misses (a recovery). */
  produced(): boolean {
    const recovered = this.#sinceProduced > 0;
    this.#sinceProduced = 0;
    return recovered;
  }

  /** Forgets the policy's window (the misses since produced and the last miss stay). */
  reset(): void {
    this.policy.reset();
  }
}
