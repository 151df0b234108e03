import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judge, quorumHead, quorumOf } from './quorum.js';

/**
 * Random tallies: 1 to 7 configured nodes; of them some answered (fresh, over up to 3 distinct values), some are
 * still pending, and the rest are stale, failing or left out (they never appear in the tally).
 */
const tallies = fc
  .integer({ min: 1, max: 7 })
  .chain((configured) =>
    fc.record({
      configured: fc.constant(configured),
      answers: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: configured }),
      pendingShare: fc.integer({ min: 0, max: configured }),
    }),
  )
  .map(({ configured, answers, pendingShare }) => {
    const groups = new Map<string, string[]>();
    answers.forEach((value, i) => {
      groups.set(value, [...(groups.get(value) ?? []), `node${i}`]);
    });
    const pending = Math.min(pendingShare, configured - answers.length);
    return { groups, pending, configured, answered: answers.length };
  });

describe('the quorum of a decisive read', () => {
  it('is a strict majority of the configured nodes: one of one, both of two, 2 of 3, 3 of 4 and of 5', () => {
    expect([1, 2, 3, 4, 5, 6].map(quorumOf)).toEqual([1, 2, 2, 3, 3, 4]);
  });

  it('never shrinks to whoever answered: one fresh node of two decides nothing, however the other failed', () => {
    const alone = { groups: new Map([['lie', ['liar']]]), configured: 2 };
    expect(judge({ ...alone, pending: 0 })).toEqual({ kind: 'stale', needed: 2, agreeing: 1 });
    expect(judge({ ...alone, pending: 1 })).toEqual({ kind: 'wait' });
    // Five configured, two down and one lying: two honest answers are not three.
    const five = new Map([
      ['truth', ['a', 'b']],
      ['lie', ['c']],
    ]);
    expect(judge({ groups: five, pending: 0, configured: 5 })).toMatchObject({ kind: 'disagree', needed: 3 });
    expect(judge({ groups: new Map([['truth', ['a']]]), pending: 0, configured: 1 })).toMatchObject({
      kind: 'agreed',
      nodes: ['a'],
    });
  });

  it('only agrees on a value given by a strict majority of the configured nodes', () => {
    fc.assert(
      fc.property(tallies, ({ groups, pending, configured }) => {
        const verdict = judge({ groups, pending, configured });
        if (verdict.kind !== 'agreed') return;
        const size = verdict.nodes.length;
        expect(size * 2).toBeGreaterThan(configured);
        expect(size).toBeGreaterThanOrEqual(quorumOf(configured));
        expect(groups.get(verdict.key)).toEqual(verdict.nodes);
      }),
    );
  });

  it('waits exactly while the pending nodes could still make up a quorum, and says why it cannot otherwise', () => {
    fc.assert(
      fc.property(tallies, ({ groups, pending, configured, answered }) => {
        const verdict = judge({ groups, pending, configured });
        const largest = Math.max(0, ...[...groups.values()].map((nodes) => nodes.length));
        if (verdict.kind === 'wait') expect(largest + pending).toBeGreaterThanOrEqual(quorumOf(configured));
        if (pending === 0) expect(verdict.kind).not.toBe('wait');
        if (verdict.kind === 'stale' || verdict.kind === 'disagree') {
          expect(largest + pending).toBeLessThan(quorumOf(configured));
          expect(verdict.agreeing).toBe(largest);
        }
        if (verdict.kind === 'stale') expect(new Set(groups.keys()).size).toBeLessThanOrEqual(1);
        if (verdict.kind === 'disagree') expect(new Set(groups.keys()).size).toBeGreaterThan(1);
        expect(answered).toBeLessThanOrEqual(configured);
      }),
    );
  });
});

describe("the quorum's head", () => {
  const head = (n: number, extra: Partial<{ time: number; aslot: number; lib: number; id: string }> = {}) => ({
    headBlockNumber: n,
    headBlockId: extra.id ?? `id${n}`,
    headBlockTime: extra.time ?? n * 3000,
    currentAslot: extra.aslot ?? n + 10,
    currentWitness: `w${n}`,
    lastIrreversibleBlockNum: extra.lib ?? n - 2,
  });

  it('is the head a quorum has reached: the lower of two a block apart, the 2nd highest of three', () => {
    expect(quorumHead([head(101), head(100)], 2)).toEqual(head(100));
    expect(quorumHead([head(100), head(102), head(101)], 2)).toEqual(head(101));
    expect(quorumHead([head(100)], 1)).toEqual(head(100));
  });

  it('waits (undefined) while fewer answers than the quorum are in', () => {
    expect(quorumHead([head(100)], 2)).toBeUndefined();
    expect(quorumHead([], 1)).toBeUndefined();
  });

  it('takes every growing field at the quorum, so one node cannot push any of them forward', () => {
    // a node behind on number but claiming a far later slot, time and irreversible block
    const liar = head(100, { time: 9e12, aslot: 9e6, lib: 99 });
    // each field: the lower of the two claims, i.e. what both nodes say the chain has reached
    expect(quorumHead([liar, head(101)], 2)).toEqual({
      ...head(100),
      headBlockTime: head(101).headBlockTime,
      currentAslot: head(101).currentAslot,
      lastIrreversibleBlockNum: 99,
    });
  });

  it('never exceeds what the quorum-th node reports, for any answers (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1e6 }), { minLength: 1, maxLength: 7 }), (numbers) => {
        const needed = quorumOf(numbers.length);
        const merged = quorumHead(
          numbers.map((n) => head(n)),
          needed,
        );
        const reached = (n: number) => numbers.filter((m) => m >= n).length;
        expect(merged).toBeDefined();
        expect(reached(merged?.headBlockNumber ?? 0)).toBeGreaterThanOrEqual(needed);
        expect(reached((merged?.headBlockNumber ?? 0) + 1)).toBeLessThan(needed);
      }),
    );
  });
});
