import { describe, expect, it } from 'vitest';
import type { NodeProbe } from './node-probe.js';
import { nodesPlan } from './node-report.js';

const node = (url: string, reachable: boolean): NodeProbe => ({ url, reachable, elapsedMs: 1 });

describe('what the trap would do with the nodes that answered', () => {
  it('can decide with two of three nodes, and says which one did not answer', () => {
    const plan = nodesPlan([node('http://a:1', true), node('http://b:1', true), node('http://c:1', false)]);
    expect(plan.problem).toBeUndefined();
    expect(plan.line).toMatch(
      /decides when 2 of the 3 configured nodes agree; 2 answered .*it can decide; http:\/\/c:1 did not answer/,
    );
  });

  it('cannot decide with one of two nodes (both must agree): a problem', () => {
    const plan = nodesPlan([node('http://a:1', true), node('http://b:1', false)]);
    expect(plan.problem).toMatch(
      /1 of 2 nodes answered and the trap decides when 2 of the 2 .*fix or remove http:\/\/b:1/,
    );
  });

  it('decides alone with the one node configured', () => {
    expect(nodesPlan([node('http://a:1', true)])).toEqual({
      line: 'the trap decides when 1 of the 1 configured node agrees; 1 answered (http://a:1): it can decide',
    });
  });
});
