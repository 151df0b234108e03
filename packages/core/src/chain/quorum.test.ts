import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judge, quorumHead, quorumOf } from './quorum.js';

/**
 * Random tallies: of 1 to 7 configured nodes, some available ones answered (over up to 3 distinct values), some
 * are still pending, and the rest are unavailable (down, failing, stale: they never appear in the tally); a
 * `minNodes` from 1 to the configured count.
 */
const tallies = fc
  .integer({ min: 1, max: 7 })
  .chain((configured) =>
    fc.record({
      configured: fc.constant(configured),
      answers: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: configured }),
      pendingShare: fc.integer({ min: 0, max: configured }),
      minNodes: fc.integer({ min: 1, max: configured }),
    }),
  )
  .map(({ configured, answers, pendingShare, minNodes }) => {
    const groups = new Map<string, string[]>();
    answers.forEach((value, i) => {
      groups.set(value, [...(groups.get(value) ?? []), `node${i}`]);
    });
    const pending = Math.min(pendingShare, configured - answers.length);
    return { groups, pending, minNodes, answered: answers.length };
  });

describe('the quorum of a decisive read', () => {
  it('is a strict majority of the AVAILABLE nodes, never fewer than minNodes', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => quorumOf(n))).toEqual([1, 1, 2, 2, 3, 3, 4]);
    expect(quorumOf(1, 2)).toBe(2);
    expect(quorumOf(5, 5)).toBe(5);
  });

  it('decides on the available nodes: one of two answers alone once the other failed; minNodes 2 keeps it waiting', () => {
    const alone = { groups: new Map([['value', ['a']]]) };
    expect(judge({ ...alone, pending: 0 })).toEqual({ kind: 'agreed', key: 'value', nodes: ['a'] });
    // While the other may still answer (and contradict), it is awaited.
    expect(judge({ ...alone, pending: 1 })).toEqual({ kind: 'wait' });
    // The strict rule: at least two available nodes must agree.
    expect(judge({ ...alone, pending: 0, minNodes: 2 })).toEqual({ kind: 'stale', needed: 2, agreeing: 1 });
    // Five configured, two down and one lying: two honest answers are a majority of the three available.
    const five = new Map([
      ['truth', ['a', 'b']],
      ['lie', ['c']],
    ]);
    expect(judge({ groups: five, pending: 0 })).toMatchObject({ kind: 'agreed', key: 'truth' });
    expect(judge({ groups: five, pending: 0, minNodes: 3 })).toMatchObject({ kind: 'disagree', needed: 3 });
    // Two available nodes that contradict each other: no majority, the read waits.
    const two = new Map([
      ['truth', ['a']],
      ['lie', ['b']],
    ]);
    expect(judge({ groups: two, pending: 0 })).toMatchObject({ kind: 'disagree', needed: 2, agreeing: 1 });
    expect(judge({ groups: new Map(), pending: 0 })).toEqual({ kind: 'stale', needed: 1, agreeing: 0 });
  });

  it('only agrees on a strict majority of the nodes that answered or may still answer, at least minNodes (property)', () => {
    fc.assert(
      fc.property(tallies, ({ groups, pending, minNodes, answered }) => {
        const verdict = judge({ groups, pending, minNodes });
        if (verdict.kind !== 'agreed') return;
        const size = verdict.nodes.length;
        expect(size * 2).toBeGreaterThan(answered + pending);
        expect(size).toBeGreaterThanOrEqual(minNodes);
        expect(groups.get(verdict.key)).toEqual(verdict.nodes);
      }),
    );
  });

  it('waits exactly while a pending node could still change the outcome, and says why it cannot decide otherwise', () => {
    fc.assert(
      fc.property(tallies, ({ groups, pending, minNodes, answered }) => {
        const verdict = judge({ groups, pending, minNodes });
        const largest = Math.max(0, ...[...groups.values()].map((nodes) => nodes.length));
        if (verdict.kind === 'wait') expect(pending).toBeGreaterThan(0);
        if (pending === 0) expect(verdict.kind).not.toBe('wait');
        if (pending === 0 && largest * 2 > answered && largest >= minNodes) expect(verdict.kind).toBe('agreed');
        if (verdict.kind === 'stale' || verdict.kind === 'disagree') expect(verdict.agreeing).toBe(largest);
        if (verdict.kind === 'stale') expect(new Set(groups.keys()).size).toBeLessThanOrEqual(1);
        if (verdict.kind === 'disagree') expect(new Set(groups.keys()).size).toBeGreaterThan(1);
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

  it('takes the head whole from one node, never a merge: a node behind on number claiming a later slot is not it', () => {
    // a node behind on number but claiming a far later slot, time and irreversible block
    const liar = head(100, { time: 9e12, aslot: 9e6, lib: 99 });
    expect(quorumHead([liar, head(101)], 2)).toBeUndefined();
    expect(quorumHead([liar, head(101), head(100)], 2)).toEqual(head(100));
  });

  it('the constructed case: A #103 aslot 1001, B #104 aslot 1002, C #101 aslot 1050 gives #103 at aslot 1001', () => {
    const a = head(103, { aslot: 1001, time: 1001 * 3000 });
    const b = head(104, { aslot: 1002, time: 1002 * 3000 });
    const c = head(101, { aslot: 1050, time: 1050 * 3000, id: 'fork101' });
    const decided = quorumHead([a, b, c], 2);
    expect(decided).toEqual(a);
    // Never #103 at aslot 1002: a head no node reported.
    expect(decided?.currentAslot).toBe(1001);
  });

  it('answers only heads some node reported whole (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ n: fc.integer({ min: 1, max: 1000 }), gap: fc.integer({ min: 0, max: 50 }) }), {
          minLength: 1,
          maxLength: 7,
        }),
        (answers) => {
          const heads = answers.map(({ n, gap }) => head(n, { aslot: n + gap, time: (n + gap) * 3000 }));
          const decided = quorumHead(heads, quorumOf(heads.length));
          if (decided !== undefined) expect(heads).toContainEqual(decided);
        },
      ),
    );
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
