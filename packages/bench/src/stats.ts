import { createHash } from 'node:crypto';

/**
 * Summary statistics for the benchmark's samples. Percentiles use the nearest-rank method (the smallest sample with
 * at least p % of the samples at or below it), so every figure reported is a value that was actually observed.
 */

/** What the report shows of a set of samples. */
export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
}

/**
 * The nearest-rank percentile of `samples` (any order; not modified).
 *
 * @param p - In (0, 100].
 * @throws RangeError on no samples or `p` out of range.
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2
 * percentile([1, 2, 3, 4], 99); // 4
 * ```
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('no samples');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1] as number;
}

/** The arithmetic mean; `NaN` for no samples. */
export function mean(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  return samples.reduce((sum, x) => sum + x, 0) / samples.length;
}

/** The median (p50) of an odd or even count of samples, nearest rank: the lower middle for an even count. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/**
 * Count, mean, p50, p99, min and max of `samples`.
 *
 * @throws RangeError on no samples.
 * @example
 * ```ts
 * summarize([1, 1, 2]); // { count: 3, mean: 1.333..., p50: 1, p99: 2, max: 2, min: 1 }
 * ```
 */
export function summarize(samples: readonly number[]): Summary {
  return {
    count: samples.length,
    mean: mean(samples),
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: Math.max(...samples),
    min: Math.min(...samples),
  };
}

/**
 * A uniform draw in [0, 1) addressed by a label: the first 32 bits of sha256(label). The Monte Carlo names each
 * draw (`lane/incident/what`), so every run, and every contender, gets the same crash moments, whatever order the
 * lanes run in.
 *
 * @example
 * ```ts
 * uniform('mc/0/3/kill'); // the same value on every run
 * ```
 */
export function uniform(label: string): number {
  return createHash('sha256').update(label).digest().readUInt32BE(0) / 2 ** 32;
}
