import { describe, expect, it } from 'vitest';
import { mean, median, percentile, summarize, uniform } from './stats.js';

describe('percentile (nearest rank)', () => {
  it('gives the smallest sample with at least p % of the samples at or below it', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile(samples, 1)).toBe(1);
  });

  it('takes the maximum as p99 when there are fewer than 100 samples', () => {
    expect(percentile([3, 1, 2], 99)).toBe(3);
    expect(percentile([5], 50)).toBe(5);
  });

  it('does not depend on the order of the samples, nor change them', () => {
    const samples = [9, 1, 5, 3, 7];
    expect(percentile(samples, 50)).toBe(5);
    expect(samples).toEqual([9, 1, 5, 3, 7]);
  });

  it('reports an observed value, the lower middle for an even count', () => {
    expect(median([1, 2, 3, 4])).toBe(2);
  });

  it('refuses no samples and percentiles out of (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('gives count, mean, p50, p99, min and max', () => {
    const samples = [...Array.from({ length: 98 }, () => 1), 2, 10];
    expect(summarize(samples)).toEqual({ count: 100, mean: 1.1, p50: 1, p99: 2, max: 10, min: 1 });
  });

  it('has a mean of NaN for no samples rather than a made-up zero', () => {
    expect(mean([])).toBeNaN();
  });
});

describe('uniform draws', () => {
  it('gives the same value for the same label and spreads labels over [0, 1)', () => {
    expect(uniform('mc/0/0/kill')).toBe(uniform('mc/0/0/kill'));
    const draws = Array.from({ length: 2000 }, (_, i) => uniform(`draw/${i}`));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    // Each tenth of the range gets roughly a tenth of the draws.
    for (let decile = 0; decile < 10; decile++) {
      const inside = draws.filter((x) => x >= decile / 10 && x < (decile + 1) / 10).length;
      expect(inside).toBeGreaterThan(140);
      expect(inside).toBeLessThan(260);
    }
  });
});
