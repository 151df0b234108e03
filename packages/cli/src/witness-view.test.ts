import { describe, expect, it } from 'vitest';
import { nodesLine } from './witness-view.js';

const plain = (_color: string, text: string) => text;

describe('the nodes line of status', () => {
  it('says how many nodes are available of those configured', () => {
    const view = {
      nodes: [
        { url: 'https://a', fresh: true, available: true, failures: 0 },
        { url: 'https://b', fresh: true, available: true, failures: 0 },
      ],
      nodesAvailable: 2,
      nodesConfigured: 2,
      degraded: false,
    };
    expect(nodesLine(view, plain)).toBe('  nodes         2 of 2 available');
  });

  it('says DEGRADED with each unavailable node, since when and why, where fewer than a majority are available', () => {
    const view = {
      nodes: [
        {
          url: 'https://a',
          fresh: false,
          available: false,
          failures: 2,
          unavailableSince: '2026-12-06T03:01:12.000Z',
          unavailableReason: 'connection refused',
        },
        { url: 'https://b', fresh: true, available: true, failures: 0 },
      ],
      nodesAvailable: 1,
      nodesConfigured: 2,
      degraded: true,
    };
    expect(nodesLine(view, plain)).toBe(
      '  nodes         1 of 2 available — DEGRADED: https://a unavailable since 03:01:12 (connection refused)',
    );
  });
});
