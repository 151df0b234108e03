/**
 * The report's counters and verdicts can fail: each is shown here saying "yes" and "no" on real input (a real
 * rejection by the simulated chain's hived rules, a growing and a level memory series, a run with a scenario file
 * missing or failing).
 */
import { buildSwitchOperation, buildTransaction, dhiveChainClient, wifKeyRing } from '@witness-trap/core';
import { startSimnet } from '@witness-trap/simnet';
import { describe, expect, it } from 'vitest';
import { isCompareAndSwapRejection, judgeNodeFaultRun, memoryTrend } from '../src/figures.js';
import { recordFinding } from '../src/findings.js';
import { renderReport } from '../src/report-render.js';

describe('the compare-and-swap counter', () => {
  it("counts the chain's own rejection of a switch from a key that is no longer on chain, and nothing else", async () => {
    const sim = await startSimnet({ clock: 'manual', blockIntervalMs: 3000, backupKeys: 2, endpoints: 1 });
    const client = dhiveChainClient({ nodes: sim.urls, chainId: sim.chainId, clock: sim.clock });
    try {
      const me = sim.witnesses[0]!;
      const [b1, b2] = me.backupKeys;
      const ring = wifKeyRing({ signingKeys: [me.privateKey] });
      const head = (await client.getHead()).value;
      const sign = (to: string) =>
        ring.sign(
          buildTransaction(head, [buildSwitchOperation(me.name, me.signingKey, to)], { now: sim.clock.now() }),
          [me.signingKey],
          client.chainId,
        );
      const first = await sign(b1!.publicKey);
      await client.broadcast(first);
      await sim.advanceSlots(2);
      // The same signed switch again (a duplicate), then another one from the key that is gone (the lost race).
      await client.broadcast(first).catch(() => undefined);
      await client.broadcast(await sign(b2!.publicKey)).catch(() => undefined);
      const verdicts = sim.chain.broadcasts().map((b) => b.error);
      expect(verdicts.filter(isCompareAndSwapRejection)).toHaveLength(1);
      expect(verdicts.filter((v) => v !== undefined).length).toBeGreaterThan(1);
      // What the old filter looked for never occurs on this chain.
      expect(verdicts.filter((v) => v?.name === 'tx_missing_other_auth')).toHaveLength(0);
      recordFinding({
        area: 'report figures',
        injected: 'a switch, its duplicate, and a switch from the key that is gone, broadcast to the simulated chain',
        happened: `${verdicts.filter(isCompareAndSwapRejection).length} counted as a compare-and-swap rejection of ${verdicts.filter((v) => v !== undefined).length} rejections (${verdicts.map((v) => v?.name ?? 'accepted').join(', ')}); 0 match the old tx_missing_other_auth filter`,
      });
    } finally {
      await client.close();
      await sim.stop();
    }
  });
});

describe('the memory verdict', () => {
  it('calls a steady climb over the limit and noise around a level within it, whatever the end points say', () => {
    const leak = Array.from({ length: 22 }, (_, h) => 40 + 2 * h + (h % 3));
    expect(memoryTrend(leak, 16)).toMatchObject({ verdict: 'over limit' });
    // Ends 30 MiB apart (a first-vs-last reading would call it growth), level in between.
    const noisy = [20, 48, 47, 49, 46, 48, 47, 49, 48, 46, 47, 50];
    expect(memoryTrend(noisy, 16)).toMatchObject({ verdict: 'within limit' });
    expect(() => memoryTrend([10, 20], 16)).toThrow(RangeError);
  });
});

describe('the report', () => {
  const root = '/repo';
  const file = (name: string, status = 'passed') => ({
    name: `${root}/packages/reliability/test/${name}`,
    assertionResults: [
      { ancestorTitles: ['area'], title: `${name} scenario`, fullName: `area ${name} scenario`, status },
    ],
  });
  const input = (testResults: ReturnType<typeof file>[], failed = 0) => ({
    root,
    results: {
      numTotalTests: testResults.length,
      numPassedTests: testResults.length - failed,
      numFailedTests: failed,
      testResults,
    },
    findings: [
      { test: 'area > a.test.ts scenario', area: 'x', injected: 'one fault', happened: '2 switches, measured' },
    ],
    scenarioFiles: ['packages/reliability/test/a.test.ts', 'packages/reliability/test/long/b.long.ts'],
    run: 'now',
    audit: 'not run',
    knownIssues: '## Known\n',
  });

  it('puts each finding under its scenario and is complete only when every scenario file ran and passed', () => {
    const complete = renderReport(input([file('a.test.ts'), file('long/b.long.ts')]));
    expect(complete.ok).toBe(true);
    expect(complete.text).toContain('| area > a.test.ts scenario | one fault | 2 switches, measured | pass |');
    expect(complete.text).not.toContain('not a clean bill');
    expect(complete.text).toContain('- Timing targets: every measured target met');

    // A timing target missed is named on top, though its scenario's outcome passed.
    const late = input([file('a.test.ts'), file('long/b.long.ts')]);
    late.findings.push({
      test: 'area > late scenario',
      area: 'x',
      injected: 'one node slow',
      happened: 'outcome pass; target of <= 3 blocks MISSED (3.2 blocks)',
    });
    expect(renderReport(late).text).toContain('- Timing targets: **1 MISSED**: area > late scenario');

    // A scenario file that vitest never reported (it did not load, or the include lost it) fails the run.
    const missing = renderReport(input([file('a.test.ts')]));
    expect(missing).toMatchObject({ ok: false, notRun: ['packages/reliability/test/long/b.long.ts'] });
    expect(missing.text).toContain('**not run: packages/reliability/test/long/b.long.ts**');

    const failing = renderReport(input([file('a.test.ts', 'failed'), file('long/b.long.ts')], 1));
    expect(failing.ok).toBe(false);
    expect(failing.text).toContain('| **FAIL** |');
    expect(failing.text).toContain('not a clean bill: 1 test(s) failed');
  });
});

describe('the node-fault verdict', () => {
  it('judges the outcome apart from the timing target, on unrounded figures: 3.001 blocks miss a target of 3', () => {
    const good = { missedSlots: 1, blocksToBroadcast: 3, exitCode: 0 };
    expect(judgeNodeFaultRun(good, 3)).toEqual({
      ok: true,
      text: 'pass',
      withinTarget: true,
      target: 'within the target of <= 3 blocks',
    });
    const late = judgeNodeFaultRun({ ...good, blocksToBroadcast: 3.001 }, 3);
    expect([late.ok, late.withinTarget, late.target]).toEqual([
      true,
      false,
      'target of <= 3 blocks MISSED (3.001 blocks)',
    ]);
    expect(judgeNodeFaultRun({ ...good, blocksToBroadcast: 3.001 }, 4).withinTarget).toBe(true);
    expect(judgeNodeFaultRun({ ...good, missedSlots: 2 }, 3).text).toBe('FAIL: 2 missed slots, not 1');
    const none = judgeNodeFaultRun({ ...good, missedSlots: 0, blocksToBroadcast: Number.NaN, exitCode: 1 }, 3);
    expect([none.text, none.withinTarget]).toEqual([
      'FAIL: 0 missed slots, not 1; no switch landed; exit 1, not 0',
      false,
    ]);
  });
});
