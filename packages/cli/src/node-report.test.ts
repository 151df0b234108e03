import { describe, expect, it } from 'vitest';
import type { NodeProbe } from './node-probe.js';
import { nodesPlan } from './node-report.js';

const node = (url: string, reachable: boolean): NodeProbe => ({ url, reachable, elapsedMs: 1 });

describe('what the trap would do with the nodes that answered (the availability rule)', () => {
  it('decides with two of three nodes, not degraded, and says which one did not answer', () => {
    const plan = nodesPlan([node('http://a:1', true), node('http://b:1', true), node('http://c:1', false)]);
    expect(plan.problem).toBeUndefined();
    expect(plan.warning).toBeUndefined();
    expect(plan.line).toMatch(
      /2 of 3 nodes answered .*the trap decides when 2 of the 2 available agree; http:\/\/c:1 did not answer: it decides nothing/,
    );
  });

  it('one of two nodes: no problem, a warning that the trap runs DEGRADED on the one it has', () => {
    const plan = nodesPlan([node('http://a:1', true), node('http://b:1', false)]);
    expect(plan.problem).toBeUndefined();
    expect(plan.warning).toMatch(
      /^DEGRADED: 1 of 2 nodes answered, fewer than a majority .*deciding on the 1 it has \(a miss must hold on two reads a block apart\); http:\/\/b:1 did not answer/,
    );
    expect(plan.line).toMatch(/decides when 1 of the 1 available agree; http:\/\/b:1 did not answer: DEGRADED/);
  });

  it('two of four nodes is DEGRADED too (fewer than a majority of the configured)', () => {
    const plan = nodesPlan([
      node('http://a:1', true),
      node('http://b:1', true),
      node('http://c:1', false),
      node('http://d:1', false),
    ]);
    expect(plan.problem).toBeUndefined();
    expect(plan.warning).toMatch(/^DEGRADED: 2 of 4 nodes answered/);
  });

  it('fewer reachable nodes than --min-nodes: a problem saying the trap would wait', () => {
    const plan = nodesPlan([node('http://a:1', true), node('http://b:1', false)], 2);
    expect(plan.warning).toBeUndefined();
    expect(plan.problem).toMatch(
      /1 of 2 nodes answered, and the trap decides only when at least 2 available nodes agree \(--min-nodes 2\): .*WAIT.*fix or remove http:\/\/b:1, lower --min-nodes/,
    );
  });

  it('--min-nodes met by the nodes that answered: the quorum counts it', () => {
    const plan = nodesPlan([node('http://a:1', true), node('http://b:1', true), node('http://c:1', true)], 3);
    expect(plan).toEqual({
      line: '3 of 3 nodes answered (http://a:1, http://b:1, http://c:1): the trap decides when 3 of the 3 available agree',
    });
  });

  it('no node answered: a problem', () => {
    expect(nodesPlan([node('http://a:1', false)]).problem).toMatch(/^0 of 1 node answered.*WAIT/);
  });

  it('decides alone with the one node configured', () => {
    expect(nodesPlan([node('http://a:1', true)])).toEqual({
      line: '1 of 1 node answered (http://a:1): the trap decides when 1 of the 1 available agree',
    });
  });
});
