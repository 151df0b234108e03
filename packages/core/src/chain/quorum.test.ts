import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judge, quorumOf } from './quorum.js';

/** Random tallies: up to 7 fresh answers spread over up to 3 distinct values, and up to 3 nodes still pending. */
const tallies = fc
  .record({
    answers: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 7 }),
    pending: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ answers, pending }) => {
    const groups = new Map<string, string[]>();
    answers.forEach((value, i) => {
      groups.set(value, [...(groups.get(value) ?? []), `node${i}`]);
    });
    return { groups, pending, answered: answers.length };
  });

describe('the quorum of a decisive read', () => {
  it('needs all of one node, both of two, and a strict majority of three or more', () => {
    expect([1, 2, 3, 4, 5, 6].map(quorumOf)).toEqual([1, 2, 2, 3, 3, 4]);
  });

  it('only agrees on a value no other outcome of the pending nodes could outvote', () => {
    fc.assert(
      fc.property(tallies, ({ groups, pending, answered }) => {
        const verdict = judge({ groups, pending });
        if (verdict.kind !== 'agreed') return;
        const size = verdict.nodes.length;
        const total = answered + pending;
        // A strict majority of everything that answered or still could.
        expect(size * 2).toBeGreaterThan(total);
        if (total >= 2) expect(size).toBeGreaterThanOrEqual(2);
        expect(groups.get(verdict.key)).toEqual(verdict.nodes);
      }),
    );
  });

  it('waits while pending nodes could still decide it, and never waits once all have answered', () => {
    fc.assert(
      fc.property(tallies, ({ groups, pending, answered }) => {
        const verdict = judge({ groups, pending });
        if (pending === 0) expect(verdict.kind).not.toBe('wait');
        if (verdict.kind === 'stale') expect(answered).toBe(0);
        if (verdict.kind === 'disagree') expect(new Set(groups.keys()).size).toBeGreaterThan(1);
      }),
    );
  });
});
