import { describe, expect, it } from 'vitest';
import { MissPolicy } from './miss-policy.js';

const HOUR = 3_600_000;

describe('miss policy', () => {
  it('fires on the first miss by default threshold of one', () => {
    expect(new MissPolicy(1, HOUR).record({ aslot: 10, slotTime: 0 })).toEqual({ missesInWindow: 1, fire: true });
  });

  it('waits for the second miss when the threshold is two', () => {
    const policy = new MissPolicy(2, HOUR);
    expect(policy.record({ aslot: 10, slotTime: 0 }).fire).toBe(false);
    expect(policy.record({ aslot: 31, slotTime: 63_000 })).toEqual({ missesInWindow: 2, fire: true });
  });

  it('counts a miss just inside the window and drops one exactly a window old', () => {
    const inside = new MissPolicy(2, HOUR);
    inside.record({ aslot: 1, slotTime: 0 });
    expect(inside.record({ aslot: 2, slotTime: HOUR - 1 }).fire).toBe(true);

    const edge = new MissPolicy(2, HOUR);
    edge.record({ aslot: 1, slotTime: 0 });
    expect(edge.record({ aslot: 2, slotTime: HOUR })).toEqual({ missesInWindow: 1, fire: false });
  });

  it('never counts the same slot twice', () => {
    const policy = new MissPolicy(2, HOUR);
    policy.record({ aslot: 7, slotTime: 21_000 });
    expect(policy.record({ aslot: 7, slotTime: 21_000 })).toEqual({ missesInWindow: 1, fire: false });
  });

  it('forgets everything on reset (after a switch)', () => {
    const policy = new MissPolicy(2, HOUR);
    policy.record({ aslot: 1, slotTime: 0 });
    policy.reset();
    expect(policy.record({ aslot: 2, slotTime: 3000 }).fire).toBe(false);
    expect(policy.countAt(3000)).toBe(1);
  });
});
