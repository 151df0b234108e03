import { describe, expect, it } from 'vitest';
import { judge, judgeAll, TARGETS, targetText } from './targets.js';

describe('verdicts against the targets', () => {
  it('judges the unrounded figure: 1.002 missed slots fail a target of 1.00, 82.8 MB fail one of < 70 MB', () => {
    expect(judge(TARGETS.missedSlotsPerIncident, 1.002)).toEqual({ ok: false, text: '**FAIL**' });
    expect(judge(TARGETS.missedSlotsPerIncident, 1)).toEqual({ ok: true, text: 'pass' });
    expect(judge(TARGETS.peakRssMB, 82.8).ok).toBe(false);
    expect(judge(TARGETS.peakRssMB, 70).ok).toBe(false);
    expect(judge(TARGETS.peakRssMB, 69.99).ok).toBe(true);
    expect(judge(TARGETS.callsPerRoundBusiestNode, 3.05).ok).toBe(false);
    expect(judge(TARGETS.callsPerBlockPerNodeInOutage, 3.001).ok).toBe(false);
    expect(judge(TARGETS.callsPerBlockPerNodeInOutage, 3).ok).toBe(true);
  });

  it('fails a figure that was not measured', () => {
    expect(judge(TARGETS.onChainAfterSlot, undefined).ok).toBe(false);
    expect(judge(TARGETS.onChainAfterSlot, Number.NaN).ok).toBe(false);
  });

  it('passes several figures only when every one passes, and writes each target once', () => {
    expect(judgeAll(judge(TARGETS.broadcastAfterSlot, 1), judge(TARGETS.broadcastAfterCertain, 1.01)).ok).toBe(false);
    expect(targetText(TARGETS.peakRssMB)).toBe('< 70 MB');
    expect(targetText(TARGETS.missedSlotsPerIncident)).toBe('<= 1.00');
  });
});
