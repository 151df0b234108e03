import { describe, expect, it } from 'vitest';
import { ci95, isUnavoidableExtra, latencyFigures, missFigures } from './analysis.js';
import type { IncidentResult } from './incident.js';

const S = 3000;
const T0 = 1_000_000_000_000;

function incident(missedAfter: number[], extra: Partial<IncidentResult> = {}): IncidentResult {
  const missedSlotTimes = missedAfter.map((blocks) => T0 + blocks * S);
  const first = missedSlotTimes[0];
  return {
    contender: 'witness-trap',
    misses: missedSlotTimes.length,
    missedSlotTimes,
    recovered: true,
    killedAt: T0 - S,
    ...(first === undefined ? {} : { firstMiss: { slotTime: first, certainAt: first + S } }),
    ...extra,
  };
}

describe('missed-slot figures', () => {
  it('counts a second miss within 2 blocks of the first as out of reach of a reactive switch, and a later one not', () => {
    expect(isUnavoidableExtra(incident([0, 1]), S)).toBe(true);
    expect(isUnavoidableExtra(incident([0, 2]), S)).toBe(true);
    expect(isUnavoidableExtra(incident([0, 3]), S)).toBe(false);
    expect(isUnavoidableExtra(incident([0]), S)).toBe(false);
  });

  it('gives the mean, the histogram and the mean without unavoidable second misses', () => {
    const figures = missFigures([incident([0]), incident([0]), incident([0, 2]), incident([0, 21])], S);
    expect(figures.meanMisses).toBe(1.5);
    expect(figures.histogram).toEqual({ 1: 2, 2: 2 });
    expect(figures.unavoidableExtra).toBe(1);
    expect(figures.meanMissesAvoidable).toBeCloseTo(4 / 3);
  });

  it('leaves incidents that switched before the kill out of the means, counting false fires apart', () => {
    const figures = missFigures(
      [
        incident([0]),
        incident([0, 2], { draw: 'mc/1/4' }),
        incident([], { firedBeforeKill: { afterMiss: true } }),
        incident([], { firedBeforeKill: { afterMiss: false } }),
      ],
      S,
    );
    expect(figures.incidents).toBe(2);
    expect(figures.meanMisses).toBe(1.5);
    expect(figures.firedBeforeKill).toEqual({ afterMiss: 1, falseFires: 1 });
    expect(figures.multiMiss).toEqual([{ draw: 'mc/1/4', misses: 2, gapsBlocks: [2], unavoidable: true }]);
    expect(figures.late).toEqual([]);
    const late = missFigures(
      [
        incident([0, 17], {
          draw: 'mc/5/8',
          broadcastAt: T0 + 18 * S,
          decidedAt: T0 + 18 * S,
          firstMissProjected: false,
        }),
      ],
      S,
    );
    expect(late.late).toEqual([
      { draw: 'mc/5/8', afterCertainBlocks: 17, decisionLagBlocks: 17, unprojectedSlot: true, orphanedSwitch: 0 },
    ]);
  });

  it('counts a broadcast that reached the node after the watcher decided as a clock slip', () => {
    const ok = incident([0], { decidedAt: T0 + S, broadcastAt: T0 + S });
    const slipped = incident([0], { decidedAt: T0 + S, broadcastAt: T0 + S + 300 });
    expect(missFigures([ok, slipped], S).clockSlips).toBe(1);
  });
});

describe('confidence of a mean', () => {
  it('is 1.96 standard errors, and zero when every incident agrees', () => {
    // Sample sd of [1, 2, 3, 4] is sqrt(5/3); the standard error divides by sqrt(4).
    expect(ci95([1, 2, 3, 4])).toBeCloseTo((1.96 * Math.sqrt(5 / 3)) / 2);
    expect(ci95([1, 1, 1])).toBe(0);
    expect(ci95([1])).toBeNaN();
  });
});

describe('latency figures', () => {
  it('measures in blocks from the missed slot and from the block that made it certain', () => {
    const result = incident([0], { broadcastAt: T0 + S, landedAt: T0 + 2 * S });
    const figures = latencyFigures([result], S);
    expect(figures?.broadcastAfterSlot.max).toBe(1);
    expect(figures?.broadcastAfterCertain.max).toBe(0);
    expect(figures?.onChainAfterSlot.max).toBe(2);
  });

  it('has no figures where nothing switched', () => {
    expect(latencyFigures([incident([0])], S)).toBeUndefined();
  });
});
