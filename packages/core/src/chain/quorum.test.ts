import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judge, quorumOf } from './quorum.js';

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
