/**
 * The targets of docs/performance.md, each stated once (design.md, "Targets"), and the one way a figure is judged
 * against them: on the unrounded value, so that 1.002 missed slots never passes a target of 1.00 by rounding.
 * Every section of the report, the hostile-chain one included, judges through {@link judge}.
 */

/** A bound a figure must keep. */
export interface Target {
  /** The bound. */
  limit: number;
  /** `<`: strictly below; `<=`: at most. */
  comparison: '<' | '<=';
  /** Written after the number in the report, e.g. ` MB`. */
  unit?: string;
  /** Digits the bound is written with. @default 0 */
  digits?: number;
}

/** Every target of the report. */
export const TARGETS = {
  /** Missed slots per incident: the configured threshold (`misses 1`), no extra miss while failing over. */
  missedSlotsPerIncident: { limit: 1, comparison: '<=', digits: 2 },
  /** Blocks from the block that made the miss certain to the broadcast. */
  broadcastAfterCertain: { limit: 1, comparison: '<=' },
  /** Blocks from the missed slot to the broadcast. */
  broadcastAfterSlot: { limit: 2, comparison: '<=' },
  /** Blocks from the missed slot to the block that carries the switch. */
  onChainAfterSlot: { limit: 3, comparison: '<=' },
  /** Switches with no missed slot on chain (the witness was producing), over a Monte Carlo's incidents. */
  falseFires: { limit: 0, comparison: '<=' },
  /** Pre-emptive mode, a node dead at least 2 blocks before its slot: missed slots per incident. */
  preemptiveMissedSlots: { limit: 0, comparison: '<=', digits: 2 },
  /** Calls per 21-block round on the busiest RPC node, steady state. */
  callsPerRoundBusiestNode: { limit: 3, comparison: '<=' },
  /** Calls per block on the busiest RPC node while one node or all fail every read (erroring, blackholed). */
  callsPerBlockPerNodeInOutage: { limit: 3, comparison: '<=' },
  /** Peak resident memory of `witness-trap run`. */
  peakRssMB: { limit: 70, comparison: '<', unit: ' MB' },
  /** `witness-trap --help` start-up time over a bare `node -e 0`. */
  helpStartupRatio: { limit: 3, comparison: '<', unit: 'x' },
} as const satisfies Record<string, Target>;

/** How a figure fared. */
export interface Verdict {
  ok: boolean;
  /** `pass` or `**FAIL**`, for the table. */
  text: string;
}

/** Whether `value` (unrounded) keeps `target`; a figure that was not measured (NaN, undefined) fails. */
export function judge(target: Target, value: number | undefined): Verdict {
  const ok =
    value !== undefined &&
    Number.isFinite(value) &&
    (target.comparison === '<' ? value < target.limit : value <= target.limit);
  return { ok, text: ok ? 'pass' : '**FAIL**' };
}

/** Several figures that must all keep their targets. */
export function judgeAll(...verdicts: Verdict[]): Verdict {
  const ok = verdicts.every((v) => v.ok);
  return { ok, text: ok ? 'pass' : '**FAIL**' };
}

/** The target as the table writes it, e.g. `<= 3`, `< 70 MB`. */
export function targetText(target: Target): string {
  return `${target.comparison} ${target.limit.toFixed(target.digits ?? 0)}${target.unit ?? ''}`;
}
