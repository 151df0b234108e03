import { describe, expect, it } from 'vitest';
import { chanceOfRun } from './flaky-health.js';

describe('chanceOfRun', () => {
  it('is the chance of a run of failures among independent tries', () => {
    expect(chanceOfRun(0.5, 2, 3)).toBe(0);
    expect(chanceOfRun(0.5, 3, 3)).toBeCloseTo(1 / 8, 12);
    // 4 tries, a run of 3: FFF? or ?FFF, overlapping in FFFF: 2/16 - 1/16 = 3/16
    expect(chanceOfRun(0.5, 4, 3)).toBeCloseTo(3 / 16, 12);
    expect(chanceOfRun(0, 25, 3)).toBe(0);
    expect(chanceOfRun(1, 25, 3)).toBe(1);
  });
});
