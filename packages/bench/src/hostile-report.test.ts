import { describe, expect, it } from 'vitest';
import type { LatencyFigures, MissFigures } from './analysis.js';
import { type HostileResults, hostileSection, hostileVerdicts } from './hostile-report.js';

const summary = (x: number) => ({ count: 10, mean: x, p50: x, p99: x, max: x, min: x });
const latency = (certain: number): LatencyFigures => ({
  broadcastAfterCertain: summary(certain),
  broadcastAfterSlot: summary(certain + 1),
  onChainAfterSlot: summary(certain + 2),
});
const misses = (mean: number, falseFires = 0): MissFigures => ({
  incidents: 10,
  meanMisses: mean,
  meanMissesCi95: 0,
  histogram: { 1: 10 },
  maxMisses: 1,
  unavoidableExtra: 0,
  meanMissesAvoidable: mean,
  notRecovered: 0,
  errors: 0,
  clockSlips: 0,
  firedBeforeKill: { afterMiss: 0, falseFires },
  multiMiss: [],
  late: [],
});
const tidy = { misses: misses(1), latency: latency(0) };
const results = (certain: number, noProxyCertain: number, falseFires = 0): HostileResults => ({
  hostile: { misses: misses(1, falseFires), latency: latency(certain), forks: 3, orphanedSwitch: 0 },
  noProxy: { misses: misses(1), latency: latency(noProxyCertain) },
  proxy: { cacheMs: 1000, backends: 2, backendLagBlocks: 1 },
  blockIntervalMs: 3000,
  endpoints: 3,
});

describe('the hostile chain beside the tidy one', () => {
  it('judges the hostile figures on their unrounded values', () => {
    const verdicts = hostileVerdicts(tidy, results(1.1, 0));
    expect(verdicts.map((v) => v.verdict.ok)).toEqual([true, false, false, false, true]);
    expect(hostileVerdicts(tidy, results(1, 0)).map((v) => v.verdict.ok)).toEqual([true, true, true, true, true]);
    expect(hostileVerdicts(tidy, results(0, 0, 1)).at(-1)?.verdict.ok).toBe(false);
  });

  it('names every figure that got worse, and says how much of it the proxy accounts for, from the figures', () => {
    const text = hostileSection(tidy, results(1.1, 0)).join('\n');
    expect(text).toContain('Worse on the hostile chain: broadcast, blocks after the block that made the miss certain');
    expect(text).toContain('0.00 tidy, 1.10 hostile. With the proxy off the figure is 0.00');
    const partly = hostileSection(tidy, results(1.1, 0.6)).join('\n');
    expect(partly).toContain('With the proxy off it is 0.60: the proxy accounts for 0.50 of the 1.10 difference');
    expect(hostileSection(tidy, results(0, 0)).join('\n')).toContain('No headline figure is worse');
    const withLate = results(17, 0);
    withLate.hostile.misses.late = [
      { draw: 'mc/5/8', afterCertainBlocks: 17, decisionLagBlocks: 17, unprojectedSlot: true, orphanedSwitch: 0 },
    ];
    const late = hostileSection(tidy, withLate).join('\n');
    expect(late).toContain('1 of 10 incidents broadcast more than 1 block after the block that made the miss certain');
    expect(late).toContain('1 incident, 17.00 blocks (mc/5/8): the missed slot was not one the trap had projected');
    // Many late for one cause read as one line with a few draws named; the rare cause stands apart.
    const many = results(17, 0);
    many.hostile.misses.late = [
      ...Array.from({ length: 8 }, (_, i) => ({
        draw: `mc/0/${i}`,
        afterCertainBlocks: 1.1,
        decisionLagBlocks: 1.1,
        unprojectedSlot: false,
        orphanedSwitch: 0,
      })),
      { draw: 'mc/1/2', afterCertainBlocks: 3.2, decisionLagBlocks: 3.2, unprojectedSlot: false, orphanedSwitch: 0 },
      { draw: 'mc/5/8', afterCertainBlocks: 17, decisionLagBlocks: 17, unprojectedSlot: true, orphanedSwitch: 0 },
    ];
    const grouped = hostileSection(tidy, many).join('\n');
    expect(grouped).toContain(
      '9 incidents, 1.10 to 3.20 blocks (mc/0/0, mc/0/1, mc/0/2, mc/0/3, mc/0/4 and 4 more): the trap decided a block or more after the miss was certain',
    );
    expect(grouped).toContain('1 incident, 17.00 blocks (mc/5/8): the missed slot');
    expect(grouped).not.toContain('mc/0/7');
  });
});
