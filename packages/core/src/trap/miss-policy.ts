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
