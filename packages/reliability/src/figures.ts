/**
 * The judgements behind figures in docs/reliability.md, kept apart from the scenarios so that each can be shown to
 * fail (test/figures.test.ts): a counter that can never count, or a verdict that cannot say "no", is a defect.
 */

/** hived's verdict on a broadcast, as the simnet records it (`BroadcastRecord.error`). */
export interface ChainVerdict {
  name: string;
  message: string;
}

/**
 * Whether hived rejected a broadcast because the compare-and-swap on the signing key failed: a
 * `witness_set_properties` whose `key` is no longer the key on chain. hived says so with an `assert_exception`
 * ("'key' does not match witness signing key."), JSON-RPC code -32003; not with `tx_missing_other_auth`.
 */
export function isCompareAndSwapRejection(error: ChainVerdict | undefined): boolean {
  return error?.name === 'assert_exception' && /'key' does not match witness signing key/.test(error.message);
}

/** What a series of memory samples says. */
export interface MemoryTrend {
  /** Least-squares slope over the samples, MiB per sample interval. */
  slopePerSample: number;
  /** The slope projected over the whole series (slope x (samples - 1)), MiB. */
  projectedGrowth: number;
  /** `within limit` when the projected growth is under the limit, else `over limit`. */
  verdict: 'within limit' | 'over limit';
}

/**
 * Judges a series of memory samples (MiB, equally spaced) by its least-squares trend, not by its first and last
 * reading: a leak shows as a steady slope whatever the noise at either end; a one-off jump that settles does not.
 * @param limitMiB - The projected growth over the series from which on it is `over limit`.
 * @throws RangeError with fewer than 3 samples: no trend can be told from two readings.
 */
export function memoryTrend(samples: number[], limitMiB: number): MemoryTrend {
  if (samples.length < 3) throw new RangeError(`a trend needs at least 3 samples, got ${samples.length}`);
  const n = samples.length;
  const meanX = (n - 1) / 2;
  const meanY = samples.reduce((sum, y) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  samples.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  const slopePerSample = num / den;
  const projectedGrowth = slopePerSample * (n - 1);
  return { slopePerSample, projectedGrowth, verdict: projectedGrowth < limitMiB ? 'within limit' : 'over limit' };
}

/** What one `witness-trap run` through a node fault did, read off the chain and the exit code. */
export interface NodeFaultRun {
  /** Slots the witness missed. */
  missedSlots: number;
  /** Blocks (unrounded) from the missed slot to the first broadcast of the switch that landed; NaN: none landed. */
  blocksToBroadcast: number;
  /** The CLI's exit code (or the signal that ended it). */
  exitCode: number | string;
}

/**
 * The verdict on a {@link NodeFaultRun}. `ok`/`text` judge the outcome on chain (one missed slot, a switch landed,
 * exit 0): the scenario's test asserts it. `withinTarget`/`target` judge the timing target (the broadcast at most
 * `maxBlocks` blocks after the missed slot): a figure of the run, measured and named in the report, not asserted by
 * the test, because a real-clock test on a loaded machine cannot tell the trap's latency from the machine's.
 */
export interface NodeFaultVerdict {
  ok: boolean;
  text: string;
  withinTarget: boolean;
  target: string;
}

/**
 * Judges a run through a node fault on the unrounded figures: the outcome (exactly one missed slot, a switch on
 * chain, exit 0; a run with no switch has blocks-to-broadcast NaN) and, apart, issue 19's timing target (the
 * broadcast at most `maxBlocks` blocks after the missed slot: 3.001 misses a target of 3).
 */
export function judgeNodeFaultRun(run: NodeFaultRun, maxBlocks: number): NodeFaultVerdict {
  const reasons: string[] = [];
  if (run.missedSlots !== 1) reasons.push(`${run.missedSlots} missed slots, not 1`);
  if (Number.isNaN(run.blocksToBroadcast)) reasons.push('no switch landed');
  if (run.exitCode !== 0) reasons.push(`exit ${run.exitCode}, not 0`);
  const withinTarget = run.blocksToBroadcast <= maxBlocks;
  const target = Number.isNaN(run.blocksToBroadcast)
    ? `target of <= ${maxBlocks} blocks MISSED (no switch landed)`
    : withinTarget
      ? `within the target of <= ${maxBlocks} blocks`
      : `target of <= ${maxBlocks} blocks MISSED (${run.blocksToBroadcast} blocks)`;
  return {
    ok: reasons.length === 0,
    text: reasons.length === 0 ? 'pass' : `FAIL: ${reasons.join('; ')}`,
    withinTarget,
    target,
  };
}
