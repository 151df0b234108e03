/**
 * From incident results to the figures the report shows: missed slots per incident, and latencies in blocks
 * measured from the missed slot's due time (and from the block that made the miss certain).
 */
import type { IncidentResult } from './incident.js';
import { mean, type Summary, summarize } from './stats.js';

/** Missed slots per incident, for one contender. */
export interface MissFigures {
  incidents: number;
  meanMisses: number;
  /** Half-width of the 95 % confidence interval of the mean (normal approximation: 1.96 standard errors). */
  meanMissesCi95: number;
  /** Incidents by how many slots were missed. */
  histogram: Record<number, number>;
  maxMisses: number;
  /**
   * Incidents with more than one miss where the witness's next slot came at most 2 blocks after the first missed
   * one: the miss is certain one block after its slot at the earliest, and a switch broadcast then lands in the
   * block after that, so no watcher that reacts to misses could have saved that slot.
   */
  unavoidableExtra: number;
  /** Mean misses leaving those incidents out. */
  meanMissesAvoidable: number;
  /** Incidents where the witness did not produce on the other key within the step limit. */
  notRecovered: number;
  /** Incidents where the watcher failed (error). */
  errors: number;
  /** Incidents where the broadcast reached the node later (simulated time) than the watcher decided. */
  clockSlips: number;
  /**
   * Incidents in which the watcher switched before the node was killed, left out of every figure above: after a
   * missed slot the chain charged (a micro-fork orphaned the witness's block: a real miss), and with none (false
   * fires).
   */
  firedBeforeKill: { afterMiss: number; falseFires: number };
  /** The incidents that missed more than one slot: their draw, and the blocks between the missed slots. */
  multiMiss: Array<{ draw: string; misses: number; gapsBlocks: number[]; unavoidable: boolean }>;
  /** The incidents whose broadcast came more than 1 block after the block that made the miss certain, and why. */
  late: LateIncident[];
}

/** An incident whose switch went out late, with what the run recorded of why. */
export interface LateIncident {
  draw: string;
  /** Blocks from the block that made the miss certain to the broadcast. */
  afterCertainBlocks: number;
  /** Blocks from that block to the trap's decision. */
  decisionLagBlocks: number | undefined;
  /** The first missed slot was not among the slots the trap projected for its witness. */
  unprojectedSlot: boolean;
  /** Micro-forks that orphaned a block holding the switch. */
  orphanedSwitch: number;
}

/** Latencies in blocks, for one contender's incidents that missed. */
export interface LatencyFigures {
  /** From the missed slot's due time to the switch reaching the node. */
  broadcastAfterSlot: Summary;
  /** From the block that made the miss certain to the switch reaching the node. */
  broadcastAfterCertain: Summary;
  /** From the missed slot's due time to the block that carried the switch. */
  onChainAfterSlot: Summary;
}

/** Missed-slot figures of `results`. */
export function missFigures(all: readonly IncidentResult[], intervalMs: number): MissFigures {
  const results = all.filter((r) => r.firedBeforeKill === undefined);
  const early = all.filter((r) => r.firedBeforeKill !== undefined);
  const histogram: Record<number, number> = {};
  for (const r of results) histogram[r.misses] = (histogram[r.misses] ?? 0) + 1;
  const unavoidable = results.filter((r) => isUnavoidableExtra(r, intervalMs));
  const rest = results.filter((r) => !isUnavoidableExtra(r, intervalMs));
  return {
    incidents: results.length,
    meanMisses: mean(results.map((r) => r.misses)),
    meanMissesCi95: ci95(results.map((r) => r.misses)),
    histogram,
    maxMisses: Math.max(0, ...results.map((r) => r.misses)),
    unavoidableExtra: unavoidable.length,
    meanMissesAvoidable: mean(rest.map((r) => r.misses)),
    notRecovered: results.filter((r) => !r.recovered).length,
    errors: results.filter((r) => r.error !== undefined).length,
    clockSlips: results.filter(
      (r) => r.decidedAt !== undefined && r.broadcastAt !== undefined && r.broadcastAt > r.decidedAt,
    ).length,
    firedBeforeKill: {
      afterMiss: early.filter((r) => r.firedBeforeKill?.afterMiss).length,
      falseFires: early.filter((r) => !r.firedBeforeKill?.afterMiss).length,
    },
    late: results.flatMap((r) => {
      if (r.firstMiss === undefined || r.broadcastAt === undefined) return [];
      const after = (r.broadcastAt - r.firstMiss.certainAt) / intervalMs;
      if (after <= 1) return [];
      return [
        {
          draw: r.draw ?? '?',
          afterCertainBlocks: after,
          decisionLagBlocks: r.decidedAt === undefined ? undefined : (r.decidedAt - r.firstMiss.certainAt) / intervalMs,
          unprojectedSlot: r.firstMissProjected === false,
          orphanedSwitch: r.forks?.orphanedSwitch ?? 0,
        },
      ];
    }),
    multiMiss: results
      .filter((r) => r.misses > 1)
      .map((r) => ({
        draw: r.draw ?? '?',
        misses: r.misses,
        gapsBlocks: r.missedSlotTimes.slice(1).map((t, i) => (t - (r.missedSlotTimes[i] as number)) / intervalMs),
        unavoidable: isUnavoidableExtra(r, intervalMs),
      })),
  };
}

/** Half-width of the normal-approximation 95 % confidence interval of the mean of `samples`. */
export function ci95(samples: readonly number[]): number {
  if (samples.length < 2) return Number.NaN;
  const m = mean(samples);
  const variance = samples.reduce((sum, x) => sum + (x - m) ** 2, 0) / (samples.length - 1);
  return 1.96 * Math.sqrt(variance / samples.length);
}

/** Whether the incident's second miss came within 2 blocks of the first (out of reach of a reactive switch). */
export function isUnavoidableExtra(result: IncidentResult, intervalMs: number): boolean {
  const [first, second] = result.missedSlotTimes;
  return first !== undefined && second !== undefined && second - first <= 2 * intervalMs;
}

/** Latency figures of the incidents that missed and switched; `undefined` where none did. */
export function latencyFigures(results: readonly IncidentResult[], intervalMs: number): LatencyFigures | undefined {
  const timed = results.filter(
    (r): r is IncidentResult & Required<Pick<IncidentResult, 'firstMiss' | 'broadcastAt' | 'landedAt'>> =>
      r.firstMiss !== undefined && r.broadcastAt !== undefined && r.landedAt !== undefined,
  );
  if (timed.length === 0) return undefined;
  const blocks = (ms: number) => ms / intervalMs;
  return {
    broadcastAfterSlot: summarize(timed.map((r) => blocks(r.broadcastAt - r.firstMiss.slotTime))),
    broadcastAfterCertain: summarize(timed.map((r) => blocks(r.broadcastAt - r.firstMiss.certainAt))),
    onChainAfterSlot: summarize(timed.map((r) => blocks(r.landedAt - r.firstMiss.slotTime))),
  };
}

/** Pre-emptive incidents split by how long before its slot the node died. */
export interface LeadBucket {
  /** Lead, in blocks: [from, to). */
  from: number;
  to: number;
  incidents: number;
  meanMisses: number;
  withMiss: number;
}

/** Buckets pre-emptive results by lead (from the kill to the witness's slot). */
export function leadBuckets(
  results: readonly IncidentResult[],
  intervalMs: number,
  edges: readonly number[],
): LeadBucket[] {
  const buckets: LeadBucket[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const from = edges[i] as number;
    const to = edges[i + 1] as number;
    const inside = results.filter((r) => {
      if (r.nextSlotAt === undefined) return false;
      const lead = (r.nextSlotAt - r.killedAt) / intervalMs;
      return lead >= from && lead < to;
    });
    if (inside.length === 0) continue;
    buckets.push({
      from,
      to,
      incidents: inside.length,
      meanMisses: mean(inside.map((r) => r.misses)),
      withMiss: inside.filter((r) => r.misses > 0).length,
    });
  }
  return buckets;
}
